/**
 * Invio singolo over HTTP: the form, its errors next to the fields with the values kept, typed,
 * template and payment messages, the htmx helpers (preview, template fields, fiscal code check),
 * one message for a form sent twice, roles and CSRF.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildService, validFiscalCode, validNoticeNumber } from '../support/factories.ts';
import { TARI_TEMPLATE } from '../support/templates.ts';
import { BIANCHI, csrfOf, loginAs, ROSSI, startWebGenio, type WebGenio } from '../support/web.ts';
import { WebClient } from '../support/web-client.ts';

let t: WebGenio;
let sender: WebClient;
let templateId: string;
const TEXT = 'Gentile cittadino, le ricordiamo che è disponibile sul portale del Comune il nuovo avviso per la TARI 2026.';

beforeAll(async () => {
  t = await startWebGenio();
  await t.grant(ROSSI, 'sender');
  await t.grant(BIANCHI, 'viewer');
  sender = new WebClient();
  await loginAs(sender, t.base, ROSSI);
  const created = await t.api('POST', '/api/v1/templates', TARI_TEMPLATE);
  expect(created.status).toBe(201);
  templateId = created.body.id;
});

afterAll(async () => t?.close());

const url = (rest: string) => `${t.base}/ente/${t.ente.fiscal_code}${rest}`;

async function openForm(client = sender): Promise<{ html: string; csrf: string; token: string }> {
  const res = await client.fetch(url('/invio'));
  expect(res.status).toBe(200);
  const html = await res.text();
  const token = /name="token" value="([0-9a-f]{32})"/.exec(html);
  expect(token).not.toBeNull();
  return { html, csrf: csrfOf(html), token: token![1] };
}

/** The messages with this reference, straight from the database. */
function messagesWith(reference: string) {
  return t.genio.database.db.selectFrom('messages').selectAll().where('ente_id', '=', t.ente.id).where('reference', '=', reference).execute();
}

/** The text inside the element with this id (first level only: enough for error blocks). */
function errorText(html: string, id: string): string {
  const m = new RegExp(`id="${id}-errore">([\\s\\S]*?)</div></div>`).exec(html);
  return m ? m[1].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim() : '';
}

const decode = (s: string) => s.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');

describe('Invio singolo', () => {
  it('shows the form with the service, the template list and an empty preview', async () => {
    const { html } = await openForm();
    expect(html).toContain('<h1 class="h2 mb-4">Invio singolo</h1>');
    expect(html).toMatch(/<option value="tari" selected>/); // the only service is preselected
    expect(html).toContain(`<option value="${templateId}">Avviso TARI</option>`);
    expect(html).toContain('data-testid="anteprima"');
    expect(html).toContain('Oggetto: 0 caratteri (da 10 a 120)');
  });

  it('a viewer gets 403 on the form and on sending', async () => {
    const viewer = new WebClient();
    await loginAs(viewer, t.base, BIANCHI);
    expect((await viewer.fetch(url('/invio'))).status).toBe(403);
    const dashboard = await (await viewer.fetch(url('/'))).text();
    expect(dashboard).not.toContain('Invio singolo</span>');
    const csrf = csrfOf(dashboard);
    const res = await viewer.post(url('/invio'), { _csrf: csrf, service: 'tari', fiscal_code: validFiscalCode(1), subject: 'Oggetto di prova', markdown: TEXT, reference: 'viewer-1' });
    expect(res.status).toBe(403);
    expect(await messagesWith('viewer-1')).toHaveLength(0);
  });

  it('refuses a send without the CSRF token, and stores nothing', async () => {
    const { token } = await openForm();
    const res = await sender.post(url('/invio'), { token, service: 'tari', fiscal_code: validFiscalCode(2), subject: 'Oggetto di prova', markdown: TEXT, reference: 'csrf-1' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Il modulo è scaduto o non è valido');
    expect(await messagesWith('csrf-1')).toHaveLength(0);
  });

  it('bad input: 400, each error in Italian next to its field, the values kept', async () => {
    const { csrf, token } = await openForm();
    const badCode = validFiscalCode(3).slice(0, 15) + (validFiscalCode(3).endsWith('A') ? 'B' : 'A');
    const res = await sender.post(url('/invio'), {
      _csrf: csrf, token, service: 'tari', fiscal_code: badCode.toLowerCase(), subject: 'Breve', markdown: TEXT,
      amount: '12,345', notice_number: '', due_date: '31/02/2026', reference: 'errori-1',
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(decode(errorText(html, 'codice-fiscale'))).toContain("l'ultimo carattere non corrisponde");
    expect(decode(errorText(html, 'oggetto'))).toBe("L'oggetto deve avere almeno 10 caratteri.");
    expect(errorText(html, 'importo')).toBe('Importo non valido: al massimo due decimali.');
    expect(errorText(html, 'codice-avviso')).toBe('Con un importo serve anche il codice avviso.');
    expect(errorText(html, 'scadenza')).toContain('Data non valida');
    // Values kept, fields marked, a summary linking to them.
    expect(html).toContain(`value="${badCode.toLowerCase()}"`);
    expect(html).toContain('value="Breve"');
    expect(html).toContain('value="12,345"');
    expect(html).toContain(`>${TEXT.replace(/è/g, 'è')}</textarea>`);
    expect(html).toMatch(/class="form-control is-invalid" id="oggetto"[^>]*aria-describedby="oggetto-aiuto oggetto-errore"[^>]*aria-invalid="true"/);
    expect(html).toContain('Il messaggio non è stato inviato: correggi i 5 errori indicati.');
    expect(html).toContain('<a href="#importo">Importo: Importo non valido');
    expect(html).toContain(`name="token" value="${token}"`);
    expect(await messagesWith('errori-1')).toHaveLength(0);
  });

  it('sends a typed message: 303 to its page, stored as the person’s (no API key), then delivered', async () => {
    const { csrf, token } = await openForm();
    const res = await sender.post(url('/invio'), {
      _csrf: csrf, token, service: 'tari', fiscal_code: validFiscalCode(4).toLowerCase(), subject: 'Avviso TARI 2026', markdown: `${TEXT}\r\n\r\n**Grazie**`,
      due_date: '2026-12-31', reference: 'testo-1', azione: 'invia',
    });
    expect(res.status).toBe(303);
    const [m] = await messagesWith('testo-1');
    expect(res.headers.get('location')).toBe(`/ente/${t.ente.fiscal_code}/messaggi/${m.id}?esito=inviato`);
    expect(m).toMatchObject({ api_key_id: null, fiscal_code: validFiscalCode(4), subject: 'Avviso TARI 2026', markdown: `${TEXT}\n\n**Grazie**`, priority: 0, template_id: null });
    expect(m.user_id).toBeTruthy();
    expect(m.due_date).toBe(Date.parse('2026-12-31T22:59:59Z'));
    const page = await sender.follow(res, url('/invio'));
    const html = await page.res.text();
    expect(html).toContain('Messaggio accettato: GeNIO lo invia a IO.');
    expect(html).toContain(validFiscalCode(4));
    await t.until(async () => (await messagesWith('testo-1'))[0].status === 'delivered');
  });

  it('payment: the amount as Italians type it, in cents, with the notice number', async () => {
    const { csrf, token } = await openForm();
    const notice = validNoticeNumber(42);
    const res = await sender.post(url('/invio'), {
      _csrf: csrf, token, service: 'tari', fiscal_code: validFiscalCode(5), subject: 'Avviso di pagamento TARI', markdown: TEXT,
      amount: '€ 1.234,56', notice_number: `${notice.slice(0, 4)} ${notice.slice(4, 8)} ${notice.slice(8)}`, reference: 'pagamento-1',
    });
    expect(res.status).toBe(303);
    const [m] = await messagesWith('pagamento-1');
    expect(m).toMatchObject({ amount: 123456, notice_number: notice });
    const html = await (await sender.fetch(new URL(res.headers.get('location')!, t.base))).text();
    expect(html).toContain('€ 1.234,56');
  });

  it('a payment beyond the service’s maximum is refused as the API refuses it', async () => {
    const { csrf, token } = await openForm();
    const res = await sender.post(url('/invio'), {
      _csrf: csrf, token, service: 'tari', fiscal_code: validFiscalCode(6), subject: 'Avviso di pagamento TARI', markdown: TEXT,
      amount: '20.000,00', notice_number: validNoticeNumber(43), reference: 'pagamento-2',
    });
    expect(res.status).toBe(400);
    expect(decode(errorText(await res.text(), 'importo'))).toBe("L'importo supera il massimo ammesso per questo servizio.");
  });

  it('template: "Usa questo modello" shows one input per placeholder; the message is the rendered template', async () => {
    const { csrf, token } = await openForm();
    const chosen = await sender.post(url('/invio'), { _csrf: csrf, token, service: 'tari', fiscal_code: validFiscalCode(7), template: templateId, azione: 'modello' });
    expect(chosen.status).toBe(200);
    const form = await chosen.text();
    for (const name of ['nome', 'anno', 'totale', 'scadenza']) expect(form).toContain(`name="data.${name}"`);
    expect(form).toMatch(/type="date" class="form-control" id="dato-scadenza"/);
    expect(form).not.toContain('name="subject"');
    expect(form).toContain(`value="${validFiscalCode(7)}"`);

    const missing = await sender.post(url('/invio'), {
      _csrf: csrf, token, service: 'tari', fiscal_code: validFiscalCode(7), template: templateId,
      'data.nome': 'Anna Neri', 'data.anno': '2026', 'data.totale': '', 'data.scadenza': '2026-12-31', reference: 'modello-1',
    });
    expect(missing.status).toBe(400);
    const again = await missing.text();
    expect(errorText(again, 'dato-totale')).toBe('Campo obbligatorio.');
    expect(again).toContain('value="Anna Neri"');

    const sent = await sender.post(url('/invio'), {
      _csrf: csrf, token, service: 'tari', fiscal_code: validFiscalCode(7), template: templateId,
      'data.nome': 'Anna Neri', 'data.anno': '2026', 'data.totale': '1.234,56', 'data.scadenza': '2026-12-31', reference: 'modello-1',
    });
    expect(sent.status).toBe(303);
    const [m] = await messagesWith('modello-1');
    expect(m).toMatchObject({ subject: 'Avviso TARI 2026 per Anna Neri', template_id: templateId, template_version: 1 });
    expect(m.markdown).toContain('di **€ 1.234,56**, da pagare entro il 31/12/2026');
  });

  it('a template of another service, or an unknown service, is refused next to its field with the values kept', async () => {
    await buildService(t.genio.database.db, t.masterKey, t.sim, t.ente, { code: 'mensa' });
    const mensa = await t.api('POST', '/api/v1/templates', { ...TARI_TEMPLATE, service: 'mensa', name: 'Retta mensa', subject: 'Retta della mensa per {{nome}}', placeholders: [{ name: 'nome', type: 'text' }], markdown: `${TEXT} {{nome}}` });
    expect(mensa.status).toBe(201);
    const { csrf, token } = await openForm();
    const wrong = await sender.post(url('/invio'), { _csrf: csrf, token, service: 'tari', fiscal_code: validFiscalCode(8), template: mensa.body.id, 'data.nome': 'Anna', reference: 'modello-2' });
    expect(wrong.status).toBe(400);
    const html = await wrong.text();
    expect(errorText(html, 'modello')).toBe('Il modello appartiene a un altro servizio: scegli il servizio del modello o un altro modello.');
    expect(html).toContain('<optgroup label="Servizio di prova">');
    expect(html).toContain('value="Anna"');
    const unknown = await sender.post(url('/invio'), { _csrf: csrf, token, service: 'nessuno', fiscal_code: validFiscalCode(8), template: mensa.body.id, 'data.nome': 'Anna', reference: 'modello-2' });
    expect(unknown.status).toBe(400);
    expect(decode(errorText(await unknown.text(), 'servizio'))).toBe("Scegli un servizio dell'ente.");
    expect(await messagesWith('modello-2')).toHaveLength(0);
  });

  it('htmx: the preview follows the form, and a template previews with the values typed so far', async () => {
    const { csrf } = await openForm();
    const typed = await sender.post(url('/invio/anteprima'), { subject: 'Avviso TARI 2026', markdown: 'Testo **importante**', amount: '12,50', notice_number: validNoticeNumber(1) }, { 'x-csrf-token': csrf, 'hx-request': 'true' });
    expect(typed.status).toBe(200);
    const preview = await typed.text();
    expect(preview).not.toContain('<html');
    expect(preview).toContain('<strong>importante</strong>');
    expect(preview).toContain('Oggetto: 16 caratteri (da 10 a 120)');
    expect(preview).toMatch(/class="genio-counter-over">Testo: 20 caratteri/);
    expect(preview).toContain('€ 12,50');

    const templated = await sender.post(url('/invio/anteprima'), { template: templateId, 'data.nome': 'Anna', 'data.anno': '2026', 'data.totale': '12,345' }, { 'x-csrf-token': csrf });
    const draft = await templated.text();
    expect(draft).toContain('Avviso TARI 2026 per Anna');
    expect(draft).toContain('[totale]');
    expect(draft).toContain('[scadenza]');

    const fields = await sender.post(url('/invio/modello'), { template: templateId, 'data.nome': 'Anna' }, { 'x-csrf-token': csrf });
    const content = await fields.text();
    expect(content.trim()).toMatch(/^<div id="contenuto-messaggio">/);
    expect(content).toContain('name="data.totale"');
    expect(content).toContain('value="Anna"');
    const none = await (await sender.post(url('/invio/modello'), { template: '' }, { 'x-csrf-token': csrf })).text();
    expect(none).toContain('name="subject"');
  });

  it('htmx: the fiscal code is checked on the spot, in Italian', async () => {
    const { csrf } = await openForm();
    const check = async (code: string) => (await sender.post(url('/invio/codice-fiscale'), { fiscal_code: code }, { 'x-csrf-token': csrf })).text();
    expect(await check(validFiscalCode(9).toLowerCase())).toContain('Codice fiscale corretto.');
    expect(decode(await check('RSSMRA80A01H501A'))).toContain("l'ultimo carattere non corrisponde agli altri");
    expect(await check('RSSMRA')).toContain('Il codice fiscale ha 16 caratteri');
    expect((await check('')).trim()).toBe('');
    // Without the token the check is refused like any other post.
    expect((await sender.post(url('/invio/codice-fiscale'), { fiscal_code: 'RSSMRA80A01H501U' })).status).toBe(403);
  });

  it('a form sent twice (double click, resubmission) gives one message; the same form with other values is not sent silently', async () => {
    const { csrf, token } = await openForm();
    const fields = { _csrf: csrf, token, service: 'tari', fiscal_code: validFiscalCode(10), subject: 'Avviso TARI doppio', markdown: TEXT, reference: 'doppio-1' };
    const [a, b] = await Promise.all([sender.post(url('/invio'), fields), sender.post(url('/invio'), fields)]);
    const c = await sender.post(url('/invio'), fields);
    expect([a.status, b.status, c.status]).toEqual([303, 303, 303]);
    const stored = await messagesWith('doppio-1');
    expect(stored).toHaveLength(1);
    const locations = [a, b, c].map((r) => r.headers.get('location')!.replace(/\?.*$/, ''));
    expect(new Set(locations)).toEqual(new Set([`/ente/${t.ente.fiscal_code}/messaggi/${stored[0].id}`]));
    expect([a, b, c].map((r) => r.headers.get('location')!.endsWith('?esito=gia-inviato')).filter(Boolean)).toHaveLength(2);
    const replayed = await (await sender.fetch(new URL(c.headers.get('location')!, t.base))).text();
    expect(replayed).toContain('Questo modulo era già stato inviato');

    const edited = await sender.post(url('/invio'), { ...fields, subject: 'Avviso TARI corretto' });
    expect(edited.status).toBe(409);
    const html = await edited.text();
    expect(html).toContain('Questo modulo era già stato usato per inviare un messaggio.');
    expect(html).toContain(`href="/ente/${t.ente.fiscal_code}/messaggi/${stored[0].id}"`);
    expect(html).toContain('value="Avviso TARI corretto"');
    const fresh = /name="token" value="([0-9a-f]{32})"/.exec(html)![1];
    expect(fresh).not.toBe(token);
    expect(await messagesWith('doppio-1')).toHaveLength(1);
    // Sent again as the page now offers it: a second, different message.
    expect((await sender.post(url('/invio'), { ...fields, token: fresh, subject: 'Avviso TARI corretto' })).status).toBe(303);
    expect(await messagesWith('doppio-1')).toHaveLength(2);
  });

  it('scheduled: an Italian date and time in the future makes a scheduled message', async () => {
    const { csrf, token } = await openForm();
    const res = await sender.post(url('/invio'), {
      _csrf: csrf, token, service: 'tari', fiscal_code: validFiscalCode(11), subject: 'Avviso programmato', markdown: TEXT,
      scheduled_at: '2099-12-01T09:00', reference: 'programmato-1',
    });
    expect(res.status).toBe(303);
    const [m] = await messagesWith('programmato-1');
    expect(m.status).toBe('scheduled');
    expect(m.scheduled_at).toBe(Date.parse('2099-12-01T08:00:00Z'));
  });
});
