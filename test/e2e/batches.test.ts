/**
 * Bulk sending over real HTTP with the simulator: upload, check, send, follow, report; the
 * 10 000-row file with 37 planted errors; duplicates; JSON batches; confirm with valid rows only;
 * cancel mid-batch; another ente's batches.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KINDS, startTestGenio, type TestGenio } from '../support/genio.ts';
import { buildApiKey, buildEnte, buildService, validFiscalCode, validNoticeNumber } from '../support/factories.ts';
import { TARI_TEMPLATE } from '../support/templates.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/batches');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name));

const TEXT = "Gentile contribuente, è disponibile l'avviso della mensa scolastica. Può pagarlo con pagoPA dall'app IO.";

function csv(rows: string[][], sep = ';'): string {
  return rows.map((r) => r.map((c) => (/[;",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(sep)).join('\r\n') + '\r\n';
}

describe.each(DB_KINDS)('batches on %s', (db) => {
  let t: TestGenio;
  let keyB: string;

  beforeAll(async () => {
    t = await startTestGenio({ db, sim: { rateLimit: null }, config: { ioBudget: null } });
    const enteB = await buildEnte(t.genio.database.db);
    await buildService(t.genio.database.db, t.masterKey, t.sim, enteB, { code: 'mensa' });
    keyB = (await buildApiKey(t.genio.database.db, t.masterKey, enteB)).key;
  });
  afterAll(async () => t?.close());

  const batch = (id: string) => t.api('GET', `/api/v1/batches/${id}`).then((r) => r.body);
  const settled = (id: string, statuses: string[]) => t.until(async () => {
    const b = await batch(id);
    return statuses.includes(b.status) ? b : null;
  }, 60_000);
  const submitsFor = (fiscalCode: string) => t.sim.requests().filter((r) => r.operation === 'submitMessage' && (r.body as any)?.fiscal_code === fiscalCode).length;

  it('checks and sends a small CSV: every row delivered once, the report matches', async () => {
    const rows = [['codice_fiscale', 'oggetto', 'testo', 'riferimento']];
    for (let i = 0; i < 20; i++) rows.push([validFiscalCode(2000 + i), `Retta mensa n. ${i + 1}`, TEXT, `mensa-${i + 1}`]);
    const up = await t.upload('/api/v1/batches', { service: 'tari' }, { name: 'mensa.csv', content: csv(rows) });
    expect(up.status).toBe(202);
    expect(up.headers.get('location')).toBe(`/api/v1/batches/${up.body.id}`);
    expect(up.body.status).toBe('checking');
    const done = await settled(up.body.id, ['done', 'invalid']);
    expect(done.status).toBe('done');
    expect(done.rows).toEqual({ total: 20, valid: 20, invalid: 0, empty: 0, duplicate: 0 });
    expect(done.file).toMatchObject({ name: 'mensa.csv', format: 'csv', encoding: 'utf-8', delimiter: ';' });
    await t.until(async () => ((await batch(up.body.id)).messages.delivered ?? 0) === 20);
    for (let i = 0; i < 20; i++) expect(submitsFor(validFiscalCode(2000 + i))).toBe(1);

    const report = await fetch(`${t.genio.url}/api/v1/batches/${up.body.id}/report.csv`, { headers: { authorization: `Bearer ${t.apiKey}` } });
    expect(report.status).toBe(200);
    const lines = (await report.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('riga;codice_fiscale;stato;id_messaggio_io;motivo');
    expect(lines).toHaveLength(21);
    const [row, cf, status, ioId] = lines[1].split(';');
    expect([row, cf, status]).toEqual(['2', validFiscalCode(2000), 'delivered']);
    expect(ioId).toMatch(/^[0-9A-Z]{26}$/);
    const page = await t.api('GET', `/api/v1/batches/${up.body.id}/rows?status=delivered&limit=5`);
    expect(page.body.items).toHaveLength(5);
    expect(page.body.items[0]).toMatchObject({ row: 2, status: 'delivered' });
    expect(page.body.items[0].fiscal_code_masked).not.toBe(validFiscalCode(2000));
    const message = await t.api('GET', `/api/v1/messages/${page.body.items[0].message_id}`);
    expect(message.body.batch).toEqual({ id: up.body.id, row: 2 });
  });

  it('finds exactly the 37 planted errors of a 10 000-row file, with their rows and columns, and sends nothing', async () => {
    const expected = JSON.parse(fixture('planted-10000.expected.json').toString()) as Array<{ row: number; column: string; code: string }>;
    const up = await t.upload('/api/v1/batches', { service: 'tari' }, { name: 'tari-2026.csv', content: fixture('planted-10000.csv') });
    expect(up.status).toBe(202);
    const b = await settled(up.body.id, ['invalid', 'queued', 'sending', 'done']);
    expect(b.status).toBe('invalid');
    expect(b.rows).toEqual({ total: 10_000, valid: 9963, invalid: 37, empty: 0, duplicate: 0 });
    expect(b.error_count).toBe(37);
    const errors: Array<{ row: number; column: string; code: string; value: string | null }> = [];
    let cursor = '';
    for (;;) {
      const page = await t.api('GET', `/api/v1/batches/${up.body.id}/errors?limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      errors.push(...page.body.items);
      if (!page.body.next_cursor) break;
      cursor = page.body.next_cursor;
    }
    expect(errors.map((e) => ({ row: e.row, column: e.column, code: e.code }))).toEqual(expected);
    expect(errors.find((e) => e.code === 'too_many_decimals')?.value).toBe('12,345');
    expect(b.preview).toHaveLength(3);
    expect(b.preview[0]).toMatchObject({ row: 2, subject: 'Avviso TARI 2026 n. 1', amount: 5000 });
    expect(t.sim.requests().filter((r) => r.operation === 'submitMessage' && (r.body as any)?.content?.subject === 'Avviso TARI 2026 n. 1')).toHaveLength(0);
    // Confirming needs an explicit "valid rows only".
    const refused = await t.api('POST', `/api/v1/batches/${up.body.id}/confirm`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('batch_not_confirmable');
    expect(refused.body.detail).toContain('send_valid_only');
  }, 60_000);

  it('refuses the same file for the same service within a day, naming the earlier batch, unless intended', async () => {
    const content = csv([['codice_fiscale', 'oggetto', 'testo'], [validFiscalCode(3000), 'Retta mensa ottobre', TEXT]]);
    const first = await t.upload('/api/v1/batches', { service: 'tari', check_only: 'true' }, { name: 'ottobre.csv', content });
    expect(first.status).toBe(202);
    const again = await t.upload('/api/v1/batches', { service: 'tari' }, { name: 'ottobre-copia.csv', content });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'duplicate_file', batch_id: first.body.id });
    expect(again.body.detail).toContain(first.body.id);
    const intended = await t.upload('/api/v1/batches', { service: 'tari', check_only: 'true', allow_duplicate: 'true' }, { name: 'ottobre.csv', content });
    expect(intended.status).toBe(202);
    expect(intended.body.id).not.toBe(first.body.id);
  });

  it('replays an upload with the same Idempotency-Key, and refuses the key for another file', async () => {
    const content = csv([['codice_fiscale', 'oggetto', 'testo'], [validFiscalCode(3100), 'Retta mensa novembre', TEXT]]);
    const headers = { 'idempotency-key': 'upload-nov-1' };
    const first = await t.upload('/api/v1/batches', { service: 'tari', check_only: 'true' }, { name: 'nov.csv', content }, headers);
    const replay = await t.upload('/api/v1/batches', { service: 'tari', check_only: 'true' }, { name: 'nov.csv', content }, headers);
    expect(replay.status).toBe(202);
    expect(replay.body.id).toBe(first.body.id);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const other = await t.upload('/api/v1/batches', { service: 'tari' }, { name: 'x.csv', content: content + `${validFiscalCode(3101)};Retta mensa novembre;${TEXT}\r\n` }, headers);
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('idempotency_conflict');
  });

  it('check_only stops at ready; confirm sends; a template fills the text; a missing value names its column', async () => {
    const tpl = (await t.api('POST', '/api/v1/templates', TARI_TEMPLATE)).body;
    const rows = [['Codice_Fiscale', 'nome', 'anno', 'totale', 'scadenza', 'importo', 'codice_avviso'],
      [validFiscalCode(4000), 'Anna Bianchi', '2026', '1.234,56', '31/01/2027', '1.234,56', validNoticeNumber(4000)],
      [validFiscalCode(4001), 'Luca Verdi', '2026', '99,90', '31/01/2027', '99,90', validNoticeNumber(4001)],
      [validFiscalCode(4002), '', '2026', '10,00', '31/01/2027', '10,00', validNoticeNumber(4002)]];
    const up = await t.upload('/api/v1/batches', { service: 'tari', template: tpl.id, check_only: 'true' }, { name: 'tari.csv', content: csv(rows) });
    expect(up.status).toBe(202);
    const checked = await settled(up.body.id, ['invalid', 'ready']);
    expect(checked.status).toBe('invalid');
    const errors = (await t.api('GET', `/api/v1/batches/${up.body.id}/errors`)).body.items;
    expect(errors).toEqual([expect.objectContaining({ row: 4, column: 'nome', code: 'required' })]);
    expect(checked.preview[0].subject).toBe('Avviso TARI 2026 per Anna Bianchi');
    expect(checked.preview[0].markdown).toContain('€ 1.234,56');

    const confirmed = await t.api('POST', `/api/v1/batches/${up.body.id}/confirm`, { send_valid_only: true });
    expect(confirmed.status).toBe(200);
    expect(['queued', 'sending', 'done']).toContain(confirmed.body.status);
    await settled(up.body.id, ['done']);
    await t.until(async () => ((await batch(up.body.id)).messages.delivered ?? 0) === 2);
    const sent = t.sim.requests().find((r) => r.operation === 'submitMessage' && (r.body as any)?.fiscal_code === validFiscalCode(4000))!;
    expect((sent.body as any).content.payment_data).toMatchObject({ amount: 123456, notice_number: validNoticeNumber(4000) });
    expect(submitsFor(validFiscalCode(4002))).toBe(0);
    const rows4 = (await t.api('GET', `/api/v1/batches/${up.body.id}/rows`)).body.items;
    expect(rows4.map((r: { status: string }) => r.status)).toEqual(['delivered', 'delivered', 'invalid']);
    const m = await t.api('GET', `/api/v1/messages/${rows4[0].message_id}`);
    expect(m.body.template).toEqual({ id: tpl.id, version: 1 });
  }, 60_000);

  it('a batch scheduled for later waits as scheduled, then goes by itself', async () => {
    const at = new Date(Date.now() + 2500).toISOString();
    const rows = [['codice_fiscale', 'oggetto', 'testo'], [validFiscalCode(5500), 'Retta mensa marzo', TEXT], [validFiscalCode(5501), 'Retta mensa marzo', TEXT]];
    const up = await t.upload('/api/v1/batches', { service: 'tari', scheduled_at: at }, { name: 'marzo.csv', content: csv(rows) });
    expect(up.status).toBe(202);
    const waiting = await settled(up.body.id, ['scheduled', 'sending', 'done']);
    expect(waiting.status).toBe('scheduled');
    expect(waiting.scheduled_at).toBe(at);
    expect(submitsFor(validFiscalCode(5500))).toBe(0);
    await settled(up.body.id, ['done']);
    const first = t.sim.requests().find((r) => r.operation === 'submitMessage' && (r.body as any)?.fiscal_code === validFiscalCode(5500))!;
    expect(first.at).toBeGreaterThanOrEqual(Date.parse(at));
  });

  it('takes a JSON list of messages through the same checks', async () => {
    const r = await t.api('POST', '/api/v1/batches', {
      service: 'tari',
      messages: [
        { fiscal_code: validFiscalCode(5000), subject: 'Retta mensa dicembre', markdown: TEXT, reference: 'json-1' },
        { fiscal_code: 'NONVALIDO', subject: 'Retta', markdown: TEXT },
      ],
      send_valid_only: true,
    });
    expect(r.status).toBe(202);
    expect(r.body.file.format).toBe('json');
    await settled(r.body.id, ['done']);
    const errors = (await t.api('GET', `/api/v1/batches/${r.body.id}/errors`)).body.items;
    expect(errors.map((e: { row: number; column: string }) => `${e.row}:${e.column}`)).toEqual(['2:fiscal_code', '2:subject']);
    await t.until(() => submitsFor(validFiscalCode(5000)) === 1);
  });

  it('reports a file it cannot read, and a missing column, without a 500', async () => {
    const noColumn = await t.upload('/api/v1/batches', { service: 'tari' }, { name: 'x.csv', content: 'nome;cognome\r\nMario;Rossi\r\n' });
    expect(noColumn.status).toBe(202);
    const b = await settled(noColumn.body.id, ['invalid']);
    const errors = (await t.api('GET', `/api/v1/batches/${noColumn.body.id}/errors`)).body.items;
    expect(errors.map((e: { row: number; column: string; code: string }) => `${e.row}:${e.column}:${e.code}`)).toEqual(
      expect.arrayContaining(['1:codice_fiscale:missing_column', '1:oggetto:missing_column', '1:testo:missing_column']),
    );
    expect(b.warnings.map((w: { column: string }) => w.column)).toEqual(['nome', 'cognome']);
    const missing = await t.upload('/api/v1/batches', { service: 'tari' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toContainEqual(expect.objectContaining({ field: 'file', code: 'required' }));
  });

  it('cancels mid-batch: nothing more goes, and it says how many already went', async () => {
    t.sim.configure({ latencyMs: 20 });
    try {
      const rows = [['codice_fiscale', 'oggetto', 'testo']];
      for (let i = 0; i < 3000; i++) rows.push([validFiscalCode(6000 + i), `Avviso di prova ${i}`, TEXT]);
      const up = await t.upload('/api/v1/batches', { service: 'tari' }, { name: 'big.csv', content: csv(rows) });
      await t.until(async () => ((await batch(up.body.id)).messages.delivered ?? 0) > 20, 60_000);
      const c = await t.api('POST', `/api/v1/batches/${up.body.id}/cancel`);
      expect(c.status).toBe(200);
      expect(c.body.batch.status).toBe('cancelled');
      expect(c.body.already_sent).toBeGreaterThan(0);
      expect(c.body.already_sent + c.body.rows_not_sent).toBe(3000);
      // Messages already claimed (sending) still go: wait until none is on its way.
      const after = await t.until(async () => {
        const b = await batch(up.body.id);
        return !b.messages.sending && !b.messages.queued ? b : null;
      }, 30_000);
      const went = ['sending', 'sent', 'delivered', 'rejected', 'failed'].reduce((n, s) => n + (after.messages[s] ?? 0), 0);
      const submitted = rows.slice(1).filter((r) => submitsFor(r[0]) > 0).length;
      expect(submitted).toBe(went);
      expect(submitted).toBeLessThan(3000);
      expect((await t.api('POST', `/api/v1/batches/${up.body.id}/cancel`)).status).toBe(409);

      // The report says, row by row, what the messages say: what went, what was cancelled, what never left.
      const final = await t.until(async () => {
        const b = await batch(up.body.id);
        return b.messages.sent || b.messages.sending ? null : b;
      }, 30_000);
      const report = await fetch(`${t.genio.url}/api/v1/batches/${up.body.id}/report.csv`, { headers: { authorization: `Bearer ${t.apiKey}` } });
      const lines = (await report.text()).replace(/^\uFEFF/, '').trim().split('\r\n').slice(1).map((l) => l.split(';'));
      expect(lines).toHaveLength(3000);
      const byStatus = new Map<string, number>();
      for (const [row, cf, status] of lines) {
        expect(cf).toBe(rows[Number(row) - 1][0]);
        byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      }
      for (const [status, n] of Object.entries(final.messages)) expect(byStatus.get(status), status).toBe(n);
      const inMessages = Object.values(final.messages as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(byStatus.get('pending') ?? 0).toBe(3000 - inMessages);
      for (const [, cf, status] of lines) if (status === 'pending' || status === 'cancelled') expect(submitsFor(cf)).toBe(0);
    } finally {
      t.sim.configure({ latencyMs: 0 });
    }
  }, 60_000);

  it('cancelling tells the callback URL of the key that sent the batch, once per cancelled message', async () => {
    const received: Array<{ message: { id: string; status: string; reason: string } }> = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { key } = await buildApiKey(t.genio.database.db, t.masterKey, t.ente, { callbackUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb` });
      // Rows with their own later send time wait in the queue as scheduled messages.
      const rows = [['codice_fiscale', 'oggetto', 'testo', 'data_invio']];
      for (let i = 0; i < 5; i++) rows.push([validFiscalCode(7500 + i), 'Retta mensa febbraio', TEXT, '31/12/2099 09:00']);
      const up = await t.upload('/api/v1/batches', { service: 'tari' }, { name: 'feb.csv', content: csv(rows) }, { authorization: `Bearer ${key}` });
      expect(up.status, JSON.stringify(up.body)).toBe(202);
      await t.until(async () => ((await batch(up.body.id)).messages.scheduled ?? 0) === 5).catch(async (e) => { throw new Error(`${e.message}: ${JSON.stringify(await batch(up.body.id))}`); });
      const c = await t.api('POST', `/api/v1/batches/${up.body.id}/cancel`, undefined, { authorization: `Bearer ${key}` });
      expect(c.body).toMatchObject({ cancelled_messages: 5, already_sent: 0 });
      await t.until(() => received.length === 5).catch(async (e) => { throw new Error(`${e.message}: received ${received.length}; ${JSON.stringify(await t.genio.database.db.selectFrom("callbacks").select(["status", "attempts", "last_error", "due_at"]).execute())}`); });
      expect(received.map((r) => r.message.status)).toEqual(Array(5).fill('cancelled'));
      expect(received[0].message.reason).toBe('batch cancelled by the ente');
    } finally {
      server.close();
    }
  });

  it("another ente's key gets 404 on every batch route", async () => {
    const up = await t.upload('/api/v1/batches', { service: 'tari', check_only: 'true' }, { name: 'a.csv', content: csv([['codice_fiscale', 'oggetto', 'testo'], [validFiscalCode(7000), 'Retta mensa gennaio', TEXT]]) });
    const auth = { authorization: `Bearer ${keyB}` };
    for (const [method, p] of [
      ['GET', `/api/v1/batches/${up.body.id}`],
      ['GET', `/api/v1/batches/${up.body.id}/errors`],
      ['GET', `/api/v1/batches/${up.body.id}/rows`],
      ['GET', `/api/v1/batches/${up.body.id}/report.csv`],
      ['POST', `/api/v1/batches/${up.body.id}/confirm`],
      ['POST', `/api/v1/batches/${up.body.id}/cancel`],
    ]) {
      expect((await t.api(method, p, method === 'POST' ? {} : undefined, auth)).status, `${method} ${p}`).toBe(404);
    }
    expect((await t.api('GET', '/api/v1/batches', undefined, auth)).body.items).toEqual([]);
    const viaB = await t.upload('/api/v1/batches', { service: 'tari' }, { name: 'a.csv', content: 'codice_fiscale\r\n' }, auth);
    expect(viaB.status).toBe(400);
    expect(viaB.body.errors).toContainEqual(expect.objectContaining({ field: 'service', code: 'unknown_service' }));
  });
});
