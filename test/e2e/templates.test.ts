/** Templates over real HTTP: create, version, render a single message, sample CSV, delete, isolation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KINDS, startTestGenio, type TestGenio } from '../support/genio.ts';
import { buildApiKey, buildEnte, buildService, validFiscalCode } from '../support/factories.ts';
import { TARI_TEMPLATE } from '../support/templates.ts';

describe.each(DB_KINDS)('templates on %s', (db) => {
  let t: TestGenio;
  let keyB: string;
  beforeAll(async () => {
    t = await startTestGenio({ db });
    const enteB = await buildEnte(t.genio.database.db);
    await buildService(t.genio.database.db, t.masterKey, t.sim, enteB, { code: 'mensa' });
    keyB = (await buildApiKey(t.genio.database.db, t.masterKey, enteB)).key;
  });
  afterAll(async () => t?.close());

  it('refuses a bad template with every error at once', async () => {
    const r = await t.api('POST', '/api/v1/templates', {
      service: 'nope',
      name: '',
      subject: 'Avviso {{anno}}',
      markdown: 'Testo con {{manca}} e basta, abbastanza lungo per essere un testo di prova per IO, davvero.',
      placeholders: [{ name: 'anno', type: 'numero' }, { name: 'importo', type: 'text' }],
    });
    expect(r.status).toBe(400);
    const fields = r.body.errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`);
    expect(fields).toEqual(expect.arrayContaining(['service:unknown_service', 'name:required', 'markdown:undeclared_placeholder']));
    expect(fields.some((f: string) => f.startsWith('placeholders[0].type'))).toBe(true);
    expect(fields.some((f: string) => f.startsWith('placeholders[1].name'))).toBe(true); // importo is a standard column
  });

  it('creates, versions on edit, and keeps every version readable', async () => {
    const created = await t.api('POST', '/api/v1/templates', TARI_TEMPLATE);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ service: 'tari', name: 'Avviso TARI', version: 1 });
    expect(created.body.placeholders[0]).toEqual({ name: 'nome', type: 'text', required: true, pattern: null, description: null });
    const id = created.body.id;
    const { service: _s, ...edit } = TARI_TEMPLATE;
    const edited = await t.api('PUT', `/api/v1/templates/${id}`, { ...edit, subject: 'TARI {{anno}}: avviso per {{nome}}' });
    expect(edited.status).toBe(200);
    expect(edited.body.version).toBe(2);
    expect((await t.api('GET', `/api/v1/templates/${id}`)).body.subject).toBe('TARI {{anno}}: avviso per {{nome}}');
    expect((await t.api('GET', `/api/v1/templates/${id}?version=1`)).body.subject).toBe(TARI_TEMPLATE.subject);
    const list = await t.api('GET', '/api/v1/templates');
    expect(list.body.items.map((x: { id: string }) => x.id)).toContain(id);
  });

  it('sends a single message rendered from a template, recording the version, Italian formats', async () => {
    const tpl = (await t.api('POST', '/api/v1/templates', TARI_TEMPLATE)).body;
    const r = await t.api('POST', '/api/v1/messages', {
      service: 'tari',
      fiscal_code: validFiscalCode(7),
      template: tpl.id,
      data: { nome: 'Niccolò D’Aquino', anno: 2026, totale: 123456, scadenza: '2026-12-31' },
    });
    expect(r.status).toBe(202);
    expect(r.body.subject).toBe('Avviso TARI 2026 per Niccolò D’Aquino');
    expect(r.body.template).toEqual({ id: tpl.id, version: 1 });
    const sent = await t.until(() => t.sim.requests().find((x) => x.operation === 'submitMessage' && (x.body as any)?.fiscal_code === validFiscalCode(7)));
    const markdown = (sent.body as any).content.markdown as string;
    expect(markdown).toContain('**€ 1.234,56**');
    expect(markdown).toContain('entro il 31/12/2026');
  });

  it('a missing placeholder value names the field; text fields are refused beside a template', async () => {
    const tpl = (await t.api('POST', '/api/v1/templates', TARI_TEMPLATE)).body;
    const r = await t.api('POST', '/api/v1/messages', {
      service: 'tari',
      fiscal_code: validFiscalCode(8),
      template: tpl.id,
      subject: 'Un oggetto scritto a mano',
      data: { nome: 'Anna', anno: 2026, scadenza: '31/02/2026' },
    });
    expect(r.status).toBe(400);
    const fields = r.body.errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`);
    expect(fields).toContain('data.totale:required');
    expect(fields).toContain('subject:not_with_template');
    expect(fields.some((f: string) => f.startsWith('data.scadenza:'))).toBe(true);
    expect(fields.some((f: string) => f === 'markdown:required')).toBe(false);
  });

  it('serves a ready-to-fill sample CSV', async () => {
    const tpl = (await t.api('POST', '/api/v1/templates', TARI_TEMPLATE)).body;
    const res = await fetch(`${t.genio.url}/api/v1/templates/${tpl.id}/sample.csv`, { headers: { authorization: `Bearer ${t.apiKey}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await res.text();
    const [header, example] = text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(header).toBe('codice_fiscale;nome;anno;totale;scadenza;riferimento');
    expect(example.split(';')).toHaveLength(6);
  });

  it('deletes: gone from reads and sends, while messages keep their version', async () => {
    const tpl = (await t.api('POST', '/api/v1/templates', TARI_TEMPLATE)).body;
    expect((await t.api('DELETE', `/api/v1/templates/${tpl.id}`)).status).toBe(204);
    expect((await t.api('GET', `/api/v1/templates/${tpl.id}`)).status).toBe(404);
    const r = await t.api('POST', '/api/v1/messages', { service: 'tari', fiscal_code: validFiscalCode(9), template: tpl.id, data: {} });
    expect(r.status).toBe(400);
    expect(r.body.errors).toContainEqual(expect.objectContaining({ field: 'template', code: 'unknown_template' }));
  });

  it("another ente's key sees none of it: 404 everywhere, and cannot send with it", async () => {
    const tpl = (await t.api('POST', '/api/v1/templates', TARI_TEMPLATE)).body;
    const auth = { authorization: `Bearer ${keyB}` };
    for (const [method, path] of [
      ['GET', `/api/v1/templates/${tpl.id}`],
      ['PUT', `/api/v1/templates/${tpl.id}`],
      ['DELETE', `/api/v1/templates/${tpl.id}`],
      ['GET', `/api/v1/templates/${tpl.id}/sample.csv`],
    ]) {
      const { service: _s, ...edit } = TARI_TEMPLATE;
      const r = await t.api(method, path, method === 'PUT' ? edit : undefined, auth);
      expect(r.status, `${method} ${path}`).toBe(404);
    }
    expect((await t.api('GET', '/api/v1/templates', undefined, auth)).body.items).toEqual([]);
    const send = await t.api('POST', '/api/v1/messages', { service: 'mensa', fiscal_code: validFiscalCode(10), template: tpl.id, data: {} }, auth);
    expect(send.body.errors).toContainEqual(expect.objectContaining({ field: 'template', code: 'unknown_template' }));
  });
});
