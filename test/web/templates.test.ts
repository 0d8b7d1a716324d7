/**
 * Modelli over HTTP: create with the placeholder rows that follow the text, errors next to their
 * fields with the values kept (type, pattern, IO's limits with the example values), the htmx rows
 * and preview, an edit that makes version 2, delete, another ente's template answering 404,
 * senders refused, CSRF.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEnte, buildService } from '../support/factories.ts';
import { TARI_TEMPLATE } from '../support/templates.ts';
import { BIANCHI, csrfOf, loginAs, ROSSI, startWebGenio, type WebGenio } from '../support/web.ts';
import { WebClient } from '../support/web-client.ts';
import { createTemplate, getTemplate, listTemplates } from '../../src/store/templates.ts';
import type { Ente } from '../../src/store/enti.ts';

let t: WebGenio;
let manager: WebClient;
let csrf: string;
let other: Ente;
let otherTemplateId: string;

beforeAll(async () => {
  t = await startWebGenio();
  const db = t.genio.database.db;
  other = await buildEnte(db, { name: 'Comune di Altrove' });
  const otherService = await buildService(db, t.masterKey, t.sim, other, { code: 'mensa' });
  otherTemplateId = (await createTemplate(db, {
    enteId: other.id,
    serviceId: otherService.service.id,
    name: 'Mensa di Altrove',
    definition: { subject: 'Retta della mensa di Altrove', markdown: 'Gentile famiglia, è disponibile la retta della mensa scolastica di Altrove per il mese in corso.', placeholders: [] },
  })).id;
  await t.grant(ROSSI, 'manager');
  await t.grant(BIANCHI, 'sender');
  manager = new WebClient();
  csrf = csrfOf((await loginAs(manager, t.base, ROSSI)).html);
});

afterAll(async () => t?.close());

const url = (rest: string) => `${t.base}/ente/${t.ente.fiscal_code}${rest}`;

interface Row { name: string; type: string; required?: boolean; pattern?: string; description?: string }

/** The fields the form posts: the text, and one row per placeholder (`ph_*_<i>`). */
function fields(over: { service?: string; name?: string; subject?: string; markdown?: string; rows?: Row[]; azione?: string; _csrf?: string | null } = {}): Record<string, string> {
  const out: Record<string, string> = {
    service: over.service ?? 'tari',
    name: over.name ?? TARI_TEMPLATE.name,
    subject: over.subject ?? TARI_TEMPLATE.subject,
    markdown: over.markdown ?? TARI_TEMPLATE.markdown,
  };
  if (over._csrf !== null) out._csrf = over._csrf ?? csrf;
  if (over.azione) out.azione = over.azione;
  const rows: Row[] = over.rows ?? TARI_TEMPLATE.placeholders;
  rows.forEach((r, i) => {
    out[`ph_name_${i}`] = r.name;
    out[`ph_type_${i}`] = r.type;
    if (r.required ?? true) out[`ph_required_${i}`] = 'on';
    out[`ph_pattern_${i}`] = r.pattern ?? '';
    out[`ph_description_${i}`] = r.description ?? '';
  });
  return out;
}

const decode = (s: string) => s.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const errorText = (html: string, id: string) => decode((new RegExp(`id="${id}-errore">([\\s\\S]*?)</div></div>`).exec(html)?.[1] ?? '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
const ours = () => listTemplates(t.genio.database.db, t.ente.id, null);

async function create(over: Parameters<typeof fields>[0] = {}): Promise<string> {
  const res = await manager.post(url('/modelli/nuovo'), fields(over));
  expect(res.status, 'created').toBe(303);
  const m = /\/modelli\/([0-9A-Z]{26})\?salvata=1$/.exec(res.headers.get('location') ?? '');
  expect(m).not.toBeNull();
  return m![1];
}

describe('Modelli', () => {
  it('shows the list and an empty form with its preview', async () => {
    const list = await manager.fetch(url('/modelli'));
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain('<h1 class="h2 mb-4">Modelli</h1>');
    expect(html).toContain(`href="/ente/${t.ente.fiscal_code}/modelli/nuovo">Nuovo modello</a>`);
    expect(html).not.toContain('Mensa di Altrove');
    const form = await (await manager.fetch(url('/modelli/nuovo'))).text();
    expect(form).toContain('<option value="tari">Servizio di prova</option>');
    expect(form).toContain('data-testid="anteprima"');
    expect(form).toContain('data-testid="nessun-segnaposto"');
    expect(form).toContain('Aggiorna segnaposto e anteprima');
  });

  it('creates a template: version 1, the rows as chosen, listed with its service', async () => {
    const id = await create({ rows: [
      { name: 'anno', type: 'number', pattern: '\\d{4}' },
      { name: 'nome', type: 'text', description: 'Nome e cognome' },
      { name: 'totale', type: 'amount' },
      { name: 'scadenza', type: 'date', required: false },
    ] });
    const saved = await getTemplate(t.genio.database.db, t.ente.id, id);
    expect(saved).toMatchObject({ name: 'Avviso TARI', version: 1, serviceId: t.service.service.id });
    expect(saved!.definition.subject).toBe(TARI_TEMPLATE.subject);
    expect(saved!.definition.placeholders).toEqual([
      { name: 'anno', type: 'number', required: true, pattern: '\\d{4}', description: null },
      { name: 'nome', type: 'text', required: true, pattern: null, description: 'Nome e cognome' },
      { name: 'totale', type: 'amount', required: true, pattern: null, description: null },
      { name: 'scadenza', type: 'date', required: false, pattern: null, description: null },
    ]);
    const page = await (await manager.fetch(url(`/modelli/${id}?salvata=1`))).text();
    expect(page).toContain('Versione 1 salvata.');
    expect(page).toMatch(/Versione attuale: <strong>1<\/strong>/);
    expect(page).toContain(`href="/ente/${t.ente.fiscal_code}/modelli/${id}/esempio.csv"`);
    expect(page).toMatch(/<option value="amount" selected>Importo in euro<\/option>/);
    // The preview: the example values, formatted as IO shows them.
    expect(page).toContain('Avviso TARI 12 per Mario Rossi');
    expect(page).toContain('€ 1.234,56');
    const list = await (await manager.fetch(url('/modelli'))).text();
    expect(list).toContain(`href="/ente/${t.ente.fiscal_code}/modelli/${id}">Avviso TARI</a>`);
    expect(list).toContain('<td>Servizio di prova</td>');
  });

  it('an unknown type, an unsafe pattern, a reserved name, each next to its field, values kept, nothing saved; a text too short once filled is only a warning', async () => {
    const before = (await ours()).length;
    const res = await manager.post(url('/modelli/nuovo'), fields({
      name: 'Avviso breve',
      subject: 'Avviso {{n}}',
      markdown: 'Gentile {{chi}}, paghi {{importo}}.',
      rows: [
        { name: 'n', type: 'number' },
        { name: 'chi', type: 'colore', pattern: '(a+)+' },
        { name: 'importo', type: 'amount' },
      ],
    }));
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(errorText(html, 'ph-1-tipo')).toBe('Scegli un tipo dall\'elenco.');
    expect(errorText(html, 'ph-1-schema')).toContain('può bloccare il sistema');
    expect(errorText(html, 'ph-2-nome')).toContain('colonna standard');
    expect(html).toContain('value="(a+)+"');
    expect(html).toContain('value="Avviso breve"');
    expect(html).toContain('value="Avviso {{n}}"');
    expect(html).toContain('>Gentile {{chi}}, paghi {{importo}}.</textarea>');
    expect(html).toContain('data-testid="riepilogo-errori"');
    expect(html).toContain('href="#ph-1-tipo"');
    expect((await ours()).length).toBe(before);

    // Valid rules, but filled with the example values the texts are shorter than IO accepts: saved
    // (real values may be longer; each message is checked after rendering), with a warning in the preview.
    const short = await manager.post(url('/modelli/nuovo'), fields({
      name: 'Avviso breve',
      subject: 'Avviso {{n}}',
      markdown: 'Gentile {{chi}}, è disponibile un avviso.',
      rows: [{ name: 'n', type: 'number' }, { name: 'chi', type: 'text' }],
    }));
    expect(short.status).toBe(303);
    const shortHtml = await (await manager.fetch(new URL(short.headers.get('location')!, t.base))).text();
    expect(shortHtml).toContain('Con i valori di esempio l&#39;oggetto ha 9 caratteri: IO ne richiede almeno 10.');
    expect(shortHtml).toMatch(/Con i valori di esempio il testo ha \d+ caratteri: IO ne richiede almeno 80\./);
    expect(shortHtml).toContain('Avviso 12'); // the preview shows the filled text
    expect((await ours()).length).toBe(before + 1);

    const noService = await manager.post(url('/modelli/nuovo'), fields({ service: '' }));
    expect(noService.status).toBe(400);
    expect(errorText(await noService.text(), 'modello-servizio')).not.toBe('');
    expect((await ours()).length).toBe(before + 1);
  });

  it('rows follow the text: "Aggiorna" keeps the choices of names still used, a save with stale rows is refused', async () => {
    const text = { subject: 'Avviso TARI {{anno}} per {{nome}}', markdown: `${TARI_TEMPLATE.markdown} Riferimento: {{pratica}}.`.replace('{{totale}}', 'l\'importo indicato').replace('{{scadenza}}', 'fine anno') };
    const rows: Row[] = [{ name: 'anno', type: 'number', pattern: '\\d{4}' }, { name: 'totale', type: 'amount' }];
    const res = await manager.post(url('/modelli/nuovo'), fields({ ...text, rows, azione: 'aggiorna' }));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Il modello non è ancora salvato.');
    expect(html).toContain('data-testid="segnaposto-anno"');
    expect(html).toContain('data-testid="segnaposto-nome"');
    expect(html).toContain('data-testid="segnaposto-pratica"');
    expect(html).not.toContain('data-testid="segnaposto-totale"');
    expect(html).toContain('value="\\d{4}"');
    expect(html).toMatch(/name="ph_type_0" class="">\s*<option value="text">Testo<\/option><option value="date">Data<\/option><option value="amount">Importo in euro<\/option><option value="fiscal_code">Codice fiscale<\/option><option value="notice_number">Codice avviso pagoPA<\/option><option value="number" selected>/);

    const before = (await ours()).length;
    const stale = await manager.post(url('/modelli/nuovo'), fields({ ...text, rows }));
    expect(stale.status).toBe(400);
    expect(await stale.text()).toContain('I segnaposto sono cambiati con il testo');
    expect((await ours()).length).toBe(before);
  });

  it('htmx: the rows fragment (204 when unchanged) and the live preview', async () => {
    const htmx = { 'hx-request': 'true', 'x-csrf-token': csrf };
    const rowsOnly = (f: Record<string, string>) => { const { _csrf, ...rest } = f; void _csrf; return rest; };
    const changed = await manager.post(url('/modelli/segnaposto'), rowsOnly(fields({ subject: 'Avviso per {{nome}}', rows: [{ name: 'nome', type: 'text', pattern: '[A-Z].*' }] })), htmx);
    expect(changed.status).toBe(200);
    const frag = await changed.text();
    expect(frag).not.toContain('<html');
    expect(frag).toContain('data-testid="segnaposto-nome"');
    expect(frag).toContain('value="[A-Z].*"');
    expect(frag).toContain('data-testid="segnaposto-totale"');
    expect(frag).toContain('hx-swap-oob="innerHTML"');

    const same = await manager.post(url('/modelli/segnaposto'), rowsOnly(fields()), htmx);
    expect(same.status).toBe(204);

    const preview = await manager.post(url('/modelli/anteprima'), rowsOnly(fields()), htmx);
    expect(preview.status).toBe(200);
    const p = await preview.text();
    expect(p).not.toContain('<html');
    expect(p).toContain('Avviso TARI 12 per Mario Rossi');
    expect(p).toContain('<strong>€ 1.234,56</strong>');
    expect(p).toContain('31/12/2026');
    expect(p).toMatch(/Oggetto: 30 caratteri \(da 10 a 120\)/);

    const over = await manager.post(url('/modelli/anteprima'), rowsOnly(fields({ subject: `${'x'.repeat(115)} {{nome}}`, rows: TARI_TEMPLATE.placeholders })), htmx);
    const o = decode(await over.text());
    expect(o).toContain('genio-counter-over');
    expect(o).toContain('Con i valori di esempio l\'oggetto ha 127 caratteri: IO ne accetta al massimo 120.');

    // Without the token (htmx always sends it): refused.
    expect((await manager.post(url('/modelli/anteprima'), rowsOnly(fields()), { 'hx-request': 'true' })).status).toBe(403);
  });

  it('an edit makes version 2; version 1 stays readable', async () => {
    const id = await create({ name: 'Da modificare' });
    const subject = 'TARI {{anno}}: avviso per {{nome}}';
    const bad = await manager.post(url(`/modelli/${id}`), fields({ name: '', subject }));
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(errorText(badHtml, 'modello-nome')).toBe('Dai un nome al modello.');
    expect(badHtml).toContain(`value="${subject}"`);
    expect(badHtml).toContain('La nuova versione non è stata salvata');

    const res = await manager.post(url(`/modelli/${id}`), fields({ name: 'Modificato', subject, service: 'ignorato' }));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/ente/${t.ente.fiscal_code}/modelli/${id}?salvata=2`);
    const page = await (await manager.follow(res, url(`/modelli/${id}`))).res.text();
    expect(page).toContain('Versione 2 salvata.');
    expect(page).toMatch(/Versione attuale: <strong>2<\/strong>/);
    expect(page).toContain(`value="${subject}"`);
    const db = t.genio.database.db;
    expect(await getTemplate(db, t.ente.id, id)).toMatchObject({ version: 2, name: 'Modificato', serviceId: t.service.service.id });
    expect((await getTemplate(db, t.ente.id, id, 1))!.definition.subject).toBe(TARI_TEMPLATE.subject);
    expect((await t.api('GET', `/api/v1/templates/${id}`)).body.version).toBe(2);
  });

  it('deletes after confirmation', async () => {
    const id = await create({ name: 'Da eliminare' });
    const unconfirmed = await manager.post(url(`/modelli/${id}/elimina`), { _csrf: csrf });
    expect(unconfirmed.status).toBe(400);
    expect(errorText(await unconfirmed.text(), 'conferma-eliminazione')).toBe('Spunta la casella per confermare l\'eliminazione.');
    expect(await getTemplate(t.genio.database.db, t.ente.id, id)).toBeDefined();

    const res = await manager.post(url(`/modelli/${id}/elimina`), { _csrf: csrf, conferma: 'on' });
    expect(res.status).toBe(303);
    const list = await (await manager.follow(res, url(`/modelli/${id}/elimina`))).res.text();
    expect(list).toContain('Modello eliminato.');
    expect(list).not.toContain('Da eliminare');
    expect((await manager.fetch(url(`/modelli/${id}`))).status).toBe(404);
    expect((await t.api('GET', `/api/v1/templates/${id}`)).status).toBe(404);
  });

  it('another ente’s template answers 404 and is not changed', async () => {
    const db = t.genio.database.db;
    expect((await manager.fetch(url(`/modelli/${otherTemplateId}`))).status).toBe(404);
    const edit = await manager.post(url(`/modelli/${otherTemplateId}`), fields({ name: 'Preso' }));
    expect(edit.status).toBe(404);
    expect(await edit.text()).toContain('Pagina non trovata');
    expect((await manager.post(url(`/modelli/${otherTemplateId}/elimina`), { _csrf: csrf, conferma: 'on' })).status).toBe(404);
    expect(await getTemplate(db, other.id, otherTemplateId)).toMatchObject({ version: 1, name: 'Mensa di Altrove' });
  });

  it('a sender gets 403 on every page and action', async () => {
    const sender = new WebClient();
    const { html } = await loginAs(sender, t.base, BIANCHI);
    expect(html).not.toContain('Modelli</span>');
    const token = csrfOf(html);
    const [any] = await ours();
    const before = (await ours()).length;
    for (const path of ['/modelli', '/modelli/nuovo', `/modelli/${any.id}`]) expect((await sender.fetch(url(path))).status, path).toBe(403);
    expect((await sender.post(url('/modelli/nuovo'), fields({ _csrf: token }))).status).toBe(403);
    expect((await sender.post(url('/modelli/anteprima'), fields({ _csrf: token }))).status).toBe(403);
    expect((await sender.post(url(`/modelli/${any.id}/elimina`), { _csrf: token, conferma: 'on' })).status).toBe(403);
    expect((await ours()).length).toBe(before);
  });

  it('refuses a form without the CSRF token, and saves nothing', async () => {
    const before = (await ours()).length;
    const res = await manager.post(url('/modelli/nuovo'), fields({ _csrf: null }));
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Il modulo è scaduto o non è valido');
    expect((await ours()).length).toBe(before);
  });
});
