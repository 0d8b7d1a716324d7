/**
 * Invio massivo over HTTP: the upload form and its errors, the check page (plain summary, every
 * error with row, column and value, the preview), the same file twice, sending the valid rows
 * only, a clean file through to done and its report, scheduling and cancelling, the sample CSV,
 * roles, CSRF on the multipart form, and another ente's batches.
 */
import fs from 'node:fs';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiKey, buildEnte, buildService, validFiscalCode, validNoticeNumber } from '../support/factories.ts';
import { TARI_TEMPLATE } from '../support/templates.ts';
import { BIANCHI, csrfOf, loginAs, startWebGenio, VERDI, type WebGenio } from '../support/web.ts';
import { WebClient } from '../support/web-client.ts';

const MAX_BYTES = 20_000;
const TEXT = "Gentile contribuente, è disponibile l'avviso della mensa scolastica. Può pagarlo con pagoPA dall'app IO.";

let t: WebGenio;
let sender: WebClient;
let viewer: WebClient;

beforeAll(async () => {
  t = await startWebGenio({ config: { batchMaxBytes: MAX_BYTES } });
  await t.grant(VERDI, 'sender');
  await t.grant(BIANCHI, 'viewer');
  sender = new WebClient();
  await loginAs(sender, t.base, VERDI);
  viewer = new WebClient();
  await loginAs(viewer, t.base, BIANCHI);
}, 30_000);
afterAll(async () => t?.close());

const url = (rest: string) => `${t.base}/ente/${t.ente.fiscal_code}${rest}`;
const decode = (s: string) => s.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
/** The body as sent, BOM included (Response.text() drops it). */
const utf8 = async (res: Response) => Buffer.from(await res.arrayBuffer()).toString('utf8');
const plain = (html: string) => decode(html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')).trim();

function csv(rows: string[][]): string {
  return rows.map((r) => r.join(';')).join('\r\n') + '\r\n';
}

/** A 10-row file: rows 4 and 8 of the spreadsheet hold bad fiscal codes. `tag` makes each file unique. */
function fileWithErrors(tag: string): string {
  const rows = [['codice_fiscale', 'oggetto', 'testo', 'riferimento']];
  for (let i = 0; i < 10; i++) rows.push([validFiscalCode(7000 + i), `Retta mensa ${tag} n. ${i + 1}`, TEXT, `${tag}-${i + 1}`]);
  rows[3][0] = 'RSSMRA80A01H501X'; // wrong check character
  rows[7][0] = 'ABC123'; // not a fiscal code at all
  return csv(rows);
}

function cleanFile(tag: string, n = 6, first = 7100): string {
  const rows = [['codice_fiscale', 'oggetto', 'testo', 'riferimento']];
  for (let i = 0; i < n; i++) rows.push([validFiscalCode(first + i), `Retta mensa ${tag} n. ${i + 1}`, TEXT, `${tag}-${i + 1}`]);
  return csv(rows);
}

async function csrf(client: WebClient): Promise<string> {
  const res = await client.fetch(url('/massivo'));
  return csrfOf(await res.text());
}

/** Posts the multipart upload form as a browser does: the token first, the file last. */
async function upload(client: WebClient, fields: Record<string, string>, file?: { name: string; content: string | Buffer }, opts: { csrf?: boolean } = {}) {
  const form = new FormData();
  if (opts.csrf !== false) form.append('_csrf', await csrf(client));
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file) form.append('file', new Blob([typeof file.content === 'string' ? file.content : new Uint8Array(file.content)]), file.name);
  return client.fetch(url('/massivo'), { method: 'POST', body: form });
}

/** Uploads and follows to the batch page; returns the batch id. */
async function uploadOk(fields: Record<string, string>, file: { name: string; content: string }): Promise<string> {
  const res = await upload(sender, fields, file);
  expect(res.status).toBe(303);
  const m = new RegExp(`^/ente/${t.ente.fiscal_code}/massivo/([0-9A-Z]{26})$`).exec(res.headers.get('location') ?? '');
  expect(m, res.headers.get('location') ?? '').not.toBeNull();
  return m![1];
}

async function page(id: string, client = sender, rest = ''): Promise<{ status: number; html: string }> {
  const res = await client.fetch(url(`/massivo/${id}${rest}`));
  return { status: res.status, html: await res.text() };
}

/** The batch page once the check is over. */
function checked(id: string) {
  return t.until(async () => {
    const p = await page(id);
    return p.html.includes('Controllo del file in corso') ? null : p.html;
  });
}

function finished(id: string) {
  return t.until(async () => {
    const p = await page(id);
    return /data-testid="stato-lotto">(Completato|Annullato)</.test(p.html) ? p.html : null;
  }, 30_000);
}

/** [row, column, value] of each line of the errors table. */
function errorRows(html: string): string[][] {
  const table = /data-testid="tabella-errori">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1].matchAll(/<td>([\s\S]*?)<\/td>/g)].map((c) => plain(c[1])));
}

const testId = (html: string, id: string) => plain(new RegExp(`data-testid="${id}"[^>]*>([\\s\\S]*?)</`).exec(html)?.[1] ?? '');

async function post(client: WebClient, path: string, fields: Record<string, string>) {
  const token = csrfOf(await (await client.fetch(url('/massivo'))).text());
  return client.post(url(path), { _csrf: token, ...fields });
}

async function reportLines(id: string): Promise<string[][]> {
  const res = await sender.fetch(url(`/massivo/${id}/resoconto.csv`));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/csv');
  expect(res.headers.get('content-disposition')).toBe(`attachment; filename="esito-${id}.csv"`);
  const text = await utf8(res);
  expect(text.startsWith('\uFEFFriga;codice_fiscale;stato;id_messaggio_io;motivo\r\n')).toBe(true);
  return text.replace(/^\uFEFF/, '').trim().split('\r\n').slice(1).map((l) => l.split(';'));
}

describe('Invio massivo: the upload form', () => {
  it('explains the file format, links each template’s sample CSV, and lists recent batches', async () => {
    const tpl = await t.api('POST', '/api/v1/templates', TARI_TEMPLATE);
    expect(tpl.status).toBe(201);
    const res = await sender.fetch(url('/massivo'));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<h1 class="h2 mb-4">Invio massivo</h1>');
    expect(html).toContain('enctype="multipart/form-data"');
    expect(html).toMatch(/<input type="file" id="file" name="file"[^>]* accept="\.csv,\.txt,\.xlsx,/);
    expect(html).toContain('<dt>codice_fiscale</dt>');
    expect(html).toContain(`href="/ente/${t.ente.fiscal_code}/modelli/${tpl.body.id}/esempio.csv"`);
    expect(html).toContain('colonne: codice_fiscale, nome, anno, totale, scadenza');
    expect(html).toMatch(/<option value="tari" selected>/);
  });

  it('serves the sample CSV of a template, the same as the API’s', async () => {
    const tpl = await t.api('POST', '/api/v1/templates', { ...TARI_TEMPLATE, name: 'Avviso TARI esempio' });
    const res = await sender.fetch(url(`/modelli/${tpl.body.id}/esempio.csv`));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="modello-${tpl.body.id}.csv"`);
    const text = await utf8(res);
    expect(text.split('\r\n')[0]).toBe('\uFEFFcodice_fiscale;nome;anno;totale;scadenza;riferimento');
    const api = await fetch(`${t.genio.url}/api/v1/templates/${tpl.body.id}/sample.csv`, { headers: { authorization: `Bearer ${t.apiKey}` } });
    expect(text).toBe(await utf8(api));
    expect((await viewer.fetch(url(`/modelli/${tpl.body.id}/esempio.csv`))).status).toBe(200);
    expect((await sender.fetch(url('/modelli/01HZZZZZZZZZZZZZZZZZZZZZZZ/esempio.csv'))).status).toBe(404);
  });

  it('puts each error next to its field and keeps the values: no file, empty, wrong type, too big, a past date', async () => {
    const cases: Array<[string, { name: string; content: string } | undefined, number, string]> = [
      ['no file', undefined, 400, 'Scegli il file CSV o XLSX da caricare.'],
      ['empty file', { name: 'vuoto.csv', content: '' }, 400, 'Il file è vuoto'],
      ['a PDF', { name: 'lettera.pdf', content: '%PDF-1.4 not a table' }, 400, 'Il file deve essere un CSV (.csv) o una cartella di lavoro Excel (.xlsx).'],
      ['too big', { name: 'grande.csv', content: 'codice_fiscale;oggetto;testo\r\n' + 'x'.repeat(MAX_BYTES + 10) }, 413, 'Il file è più grande del limite di 19,5 kB'],
    ];
    for (const [what, file, status, message] of cases) {
      const res = await upload(sender, { service: 'tari', scheduled_at: '' }, file);
      expect(res.status, what).toBe(status);
      const html = await res.text();
      const near = /id="file-errore">([\s\S]*?)<\/div><\/div>/.exec(html)?.[1] ?? '';
      expect(plain(near), what).toContain(message);
      expect(html, what).toContain('aria-describedby="file-aiuto file-errore"');
      expect(html, what).toContain('id="riepilogo-errori"');
      expect(html, what).toMatch(/<option value="tari" selected>/);
    }
    const past = await upload(sender, { service: 'tari', scheduled_at: '2020-01-01T09:00' }, { name: 'mensa.csv', content: cleanFile('passato') });
    expect(past.status).toBe(400);
    const html = await past.text();
    expect(plain(/id="invio-programmato-errore">([\s\S]*?)<\/div><\/div>/.exec(html)?.[1] ?? '')).toContain('Data e ora sono già passate');
    expect(html).toContain('value="2020-01-01T09:00"');
    // Nothing was kept on disk for any of them.
    expect(fs.readdirSync(t.config.batchDir).filter((f) => f.endsWith('.upload'))).toEqual([]);
    const noService = await upload(sender, { service: '' }, { name: 'mensa.csv', content: cleanFile('servizio') });
    expect(noService.status).toBe(400);
    expect(plain(/id="servizio-errore">([\s\S]*?)<\/div><\/div>/.exec(await noService.text())?.[1] ?? '')).toBe('Scegli il servizio con cui inviare i messaggi.');
  });

  it('refuses the multipart form without its CSRF token, keeping nothing', async () => {
    const before = await t.genio.database.db.selectFrom('batches').select('id').execute();
    const res = await upload(sender, { service: 'tari' }, { name: 'mensa.csv', content: cleanFile('csrf') }, { csrf: false });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Il modulo è scaduto o non è valido');
    const wrong = new FormData();
    wrong.append('_csrf', 'not-the-token');
    wrong.append('service', 'tari');
    wrong.append('file', new Blob([cleanFile('csrf-2')]), 'mensa.csv');
    expect((await sender.fetch(url('/massivo'), { method: 'POST', body: wrong })).status).toBe(403);
    expect(await t.genio.database.db.selectFrom('batches').select('id').execute()).toHaveLength(before.length);
    expect(fs.readdirSync(t.config.batchDir)).toEqual([]);
  });
});

describe('Invio massivo: the check page', () => {
  it('lists every error with its row, column and value, sums them up plainly, and previews the first message', async () => {
    const id = await uploadOk({ service: 'tari' }, { name: 'mensa-errori.csv', content: fileWithErrors('errori') });
    const html = await checked(id);
    expect(html).toContain('<h1 class="h2 mb-4">Controllo del file</h1>');
    expect(testId(html, 'stato-lotto')).toBe('Con errori');
    expect(plain(/data-testid="riepilogo">([\s\S]*?)<\/div>/.exec(html)![1])).toBe('Il file ha 2 errori: 2 codici fiscali non validi.');
    expect(errorRows(html)).toEqual([
      ['4', 'codice_fiscale', 'RSSMRA80A01H501X', "Il codice fiscale ha un errore di battitura: l'ultimo carattere non corrisponde agli altri."],
      ['8', 'codice_fiscale', 'ABC123', 'Non è un codice fiscale: servono 16 caratteri (6 lettere, 2 cifre, 1 lettera, 2 cifre, 1 lettera, 3 cifre, 1 lettera).'],
    ]);
    expect([testId(html, 'righe-totali'), testId(html, 'righe-valide'), testId(html, 'righe-errori'), testId(html, 'righe-vuote'), testId(html, 'righe-ripetute')]).toEqual(['10', '8', '2', '0', '0']);
    expect(html).toContain('Anteprima del primo messaggio (riga 2)');
    expect(html).toContain('Retta mensa errori n. 1');
    expect(html).toContain(`href="/ente/${t.ente.fiscal_code}/massivo?servizio=tari"`); // Carica il file corretto
    expect(html).toContain('Invia solo le righe valide');
    expect(html).not.toContain('Conferma e invia');
    expect(html).not.toContain('hx-trigger'); // a checked batch waits for a person: nothing to poll
  });

  it('names a missing column in the summary and in the table', async () => {
    const rows = [['codice_fiscale', 'oggetto'], [validFiscalCode(7300), 'Retta mensa senza testo']];
    const id = await uploadOk({ service: 'tari' }, { name: 'senza-testo.csv', content: csv(rows) });
    const html = await checked(id);
    expect(plain(/data-testid="riepilogo">([\s\S]*?)<\/div>/.exec(html)![1])).toBe('Il file ha 1 errore: 1 colonna mancante (testo).');
    expect(errorRows(html)).toEqual([['1', 'testo', 'vuoto', 'Manca questa colonna nella prima riga del file.']]);
    expect(testId(html, 'problema')).toContain('La prima riga del file');
    expect(html).not.toContain('Invia solo le righe valide');
    expect(html).toContain('Carica il file corretto');
  });

  it('reads an Excel workbook and previews a payment notice the Italian way; a fake .xlsx is refused at once', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Avvisi');
    ws.addRow(['codice_fiscale', 'oggetto', 'testo', 'importo', 'codice_avviso', 'data_scadenza']);
    ws.addRow([validFiscalCode(7350), 'Avviso TARI 2026', TEXT, 1234.56, validNoticeNumber(7350), new Date(Date.UTC(2027, 0, 31))]);
    const content = Buffer.from(await wb.xlsx.writeBuffer());
    const res = await upload(sender, { service: 'tari' }, { name: 'avvisi.xlsx', content });
    expect(res.status).toBe(303);
    const id = /massivo\/([0-9A-Z]{26})$/.exec(res.headers.get('location') ?? '')![1];
    const html = await checked(id);
    expect(testId(html, 'stato-lotto')).toBe('Pronto da confermare');
    expect(plain(html)).toContain('Avviso pagoPA: € 1.234,56');
    expect(plain(html)).toContain('Scadenza: 31/01/2027');
    const fake = await upload(sender, { service: 'tari' }, { name: 'avvisi.xlsx', content: 'codice_fiscale;oggetto;testo\r\n' });
    expect(fake.status).toBe(400);
    expect(plain(/id="file-errore">([\s\S]*?)<\/div><\/div>/.exec(await fake.text())?.[1] ?? '')).toContain('deve essere un CSV (.csv) o una cartella di lavoro Excel (.xlsx)');
  });

  it('pages a long list of errors, 100 at a time', async () => {
    const rows = [['codice_fiscale', 'oggetto', 'testo']];
    for (let i = 0; i < 130; i++) rows.push([`BAD${i}`, 'Retta mensa con errore', TEXT]);
    const id = await uploadOk({ service: 'tari' }, { name: 'molti-errori.csv', content: csv(rows) });
    const first = await checked(id);
    expect(errorRows(first)).toHaveLength(100);
    expect(first).toContain('Errori 1–100 di 130');
    expect(first).toContain('Pagina 1 di 2');
    expect(decode(first)).toContain(`href="/ente/${t.ente.fiscal_code}/massivo/${id}?pagina=2#errori"`);
    const second = (await page(id, sender, '?pagina=2')).html;
    expect(errorRows(second).map((r) => r[0])).toEqual(Array.from({ length: 30 }, (_, i) => String(102 + i)));
    expect(second).toContain('Errori 101–130 di 130');
  });

  it('explains the same file uploaded again, naming the earlier batch, and takes it when told to', async () => {
    const content = cleanFile('doppio', 3, 7400);
    const first = await uploadOk({ service: 'tari' }, { name: 'ottobre.csv', content });
    const again = await upload(sender, { service: 'tari' }, { name: 'ottobre-copia.csv', content });
    expect(again.status).toBe(409);
    const html = await again.text();
    expect(html).toContain('Questo file è già stato caricato');
    expect(html).toContain(`<a href="/ente/${t.ente.fiscal_code}/massivo/${first}">ottobre.csv</a>`);
    expect(html).toContain('<label for="ricarica">Lo so, voglio caricarlo di nuovo</label>');
    const intended = await uploadOk({ service: 'tari', allow_duplicate: 'on' }, { name: 'ottobre.csv', content });
    expect(intended).not.toBe(first);
  });
});

describe('Invio massivo: sending', () => {
  it('sends the valid rows only after an explicit confirmation; the report marks the others invalid', async () => {
    const id = await uploadOk({ service: 'tari' }, { name: 'solo-valide.csv', content: fileWithErrors('valide') });
    await checked(id);
    const unconfirmed = await post(sender, `/massivo/${id}/conferma`, { azione: 'invia' });
    expect(unconfirmed.status).toBe(400);
    const html = await unconfirmed.text();
    expect(plain(/id="solo-valide-errore">([\s\S]*?)<\/div><\/div>/.exec(html)?.[1] ?? '')).toBe('Spunta la casella per confermare che le righe con errori non saranno inviate.');
    const ok = await post(sender, `/massivo/${id}/conferma`, { azione: 'invia', send_valid_only: 'on' });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe(`/ente/${t.ente.fiscal_code}/massivo/${id}`);
    const done = await finished(id);
    expect(testId(done, 'stato-lotto')).toBe('Completato');
    const lines = await reportLines(id);
    expect(lines).toHaveLength(10);
    expect(lines.filter((l) => l[2] === 'invalid').map((l) => l[0])).toEqual(['4', '8']);
    expect(lines.filter((l) => l[2] !== 'invalid').every((l) => ['sent', 'delivered'].includes(l[2]))).toBe(true);
  });

  it('a clean file: confirm, the progress page with its counts, bar and estimate, then done and the report', async () => {
    const id = await uploadOk({ service: 'tari' }, { name: 'mensa-ok.csv', content: cleanFile('ok') });
    const html = await checked(id);
    expect(testId(html, 'stato-lotto')).toBe('Pronto da confermare');
    expect(plain(/data-testid="riepilogo">([\s\S]*?)<\/div>/.exec(html)![1])).toBe('Nessun errore: tutte le 6 righe possono essere inviate.');
    expect(html).toContain('Conferma e invia');
    expect(html).not.toContain('Invia solo le righe valide');
    expect(html).not.toContain('Carica il file corretto');
    const ok = await post(sender, `/massivo/${id}/conferma`, { azione: 'invia', scheduled_at: '' });
    expect(ok.status).toBe(303);
    const progress = (await page(id)).html;
    expect(progress).toMatch(/<h1 class="h2 mb-4">(Avanzamento dell’invio|Invio completato)<\/h1>/);
    expect(progress).toMatch(/role="progressbar" style="width: \d+%" aria-valuenow="\d+" aria-valuemin="0" aria-valuemax="100"/);
    for (const c of ['in-coda', 'inviati', 'consegnati', 'rifiutati', 'non-riusciti', 'annullati']) expect(progress).toContain(`data-testid="conta-${c}"`);
    const done = await finished(id);
    expect(testId(done, 'stato-lotto')).toBe('Completato');
    expect(done).toContain('aria-valuenow="100"');
    expect(done).toContain(`href="/ente/${t.ente.fiscal_code}/massivo/${id}/resoconto.csv"`);
    const lines = await reportLines(id);
    expect(lines.map((l) => [l[0], l[1]])).toEqual(Array.from({ length: 6 }, (_, i) => [String(i + 2), validFiscalCode(7100 + i)]));
    expect(lines.every((l) => ['sent', 'delivered'].includes(l[2]) && /^[0-9A-Z]{26}$/.test(l[3]))).toBe(true);
    // The same text as the API's report (once IO has told every outcome, so both read the same).
    await t.until(async () => (await reportLines(id)).every((l) => l[2] === 'delivered'));
    const api = await fetch(`${t.genio.url}/api/v1/batches/${id}/report.csv`, { headers: { authorization: `Bearer ${t.apiKey}` } });
    const web = await utf8(await sender.fetch(url(`/massivo/${id}/resoconto.csv`)));
    expect(web).toBe(await utf8(api));
  });

  it('the live part: 204 while nothing changed, a refresh when the phase moved on', async () => {
    const id = await uploadOk({ service: 'tari' }, { name: 'stato.csv', content: cleanFile('stato', 2, 7500) });
    const html = await checked(id);
    expect(html).not.toContain('hx-get');
    const stale = await sender.fetch(url(`/massivo/${id}/stato?fase=checking&v=x`));
    expect(stale.status).toBe(200);
    expect(stale.headers.get('hx-refresh')).toBe('true');
    await post(sender, `/massivo/${id}/conferma`, { azione: 'programma', scheduled_at: '2099-12-31T09:00' });
    const scheduled = (await page(id)).html;
    expect(testId(scheduled, 'stato-lotto')).toBe('Programmato');
    const poll = decode(/hx-get="([^"]+)"/.exec(scheduled)?.[1] ?? '');
    expect(poll).toMatch(new RegExp(`/massivo/${id}/stato\\?fase=sending&v=`));
    expect(scheduled).toContain('<meta http-equiv="refresh" content="5">'); // inside <noscript>
    expect((await sender.fetch(`${t.base}${poll}`)).status).toBe(204);
    const fresh = await sender.fetch(url(`/massivo/${id}/stato?fase=sending&v=old`));
    expect(fresh.status).toBe(200);
    const fragment = await fresh.text();
    expect(fragment).toContain('id="stato-lotto"');
    expect(fragment).not.toContain('<html');
  });

  it('schedules, then cancels before anything went, saying nothing was sent', async () => {
    const id = await uploadOk({ service: 'tari' }, { name: 'programmato.csv', content: cleanFile('programmato', 4, 7600) });
    await checked(id);
    const noDate = await post(sender, `/massivo/${id}/conferma`, { azione: 'programma', scheduled_at: '' });
    expect(noDate.status).toBe(400);
    expect(plain(/id="programma-errore">([\s\S]*?)<\/div><\/div>/.exec(await noDate.text())?.[1] ?? '')).toBe("Indica data e ora dell'invio.");
    expect((await post(sender, `/massivo/${id}/conferma`, { azione: 'programma', scheduled_at: '2099-06-01T09:30' })).status).toBe(303);
    const scheduled = (await page(id)).html;
    expect(testId(scheduled, 'programmato')).toBe('01/06/99, 09:30');
    expect(decode(scheduled)).toContain("Interrompi l'invio");
    await t.until(async () => testId((await page(id)).html, 'conta-in-coda') === '4');
    const cancel = await post(sender, `/massivo/${id}/annulla`, {});
    expect(cancel.status).toBe(303);
    const html = (await page(id)).html;
    expect(testId(html, 'stato-lotto')).toBe('Annullato');
    expect(html).toContain('<h1 class="h2 mb-4">Invio annullato</h1>');
    expect(plain(/data-testid="esito-annullamento">([\s\S]*?)<\/div>/.exec(html)![1])).toBe('Invio interrotto. 0 messaggi erano già stati inviati a IO e non si possono ritirare; 4 righe non sono state inviate.');
    expect(testId(html, 'conta-annullati')).toBe('4');
    expect(decode(html)).not.toContain("Interrompi l'invio");
    expect(html).toContain('Scarica il resoconto');
    // Rows never fed into the queue: the report (the API's) says `pending` for them.
    expect((await reportLines(id)).map((l) => l[2])).toEqual(['pending', 'pending', 'pending', 'pending']);
    const again = await post(sender, `/massivo/${id}/annulla`, {});
    expect(again.status).toBe(409);
  });

  it('cancels a checked file that was never confirmed', async () => {
    const id = await uploadOk({ service: 'tari' }, { name: 'annulla.csv', content: cleanFile('annulla', 2, 7700) });
    await checked(id);
    expect((await post(sender, `/massivo/${id}/annulla`, {})).status).toBe(303);
    const html = (await page(id)).html;
    expect(plain(/data-testid="esito-annullamento">([\s\S]*?)<\/div>/.exec(html)![1])).toBe('Invio annullato prima della conferma: nessun messaggio è stato inviato.');
    expect((await post(sender, `/massivo/${id}/conferma`, { azione: 'invia' })).status).toBe(409);
  });
});

describe('Invio massivo: who may do what', () => {
  it('a viewer sees the pages without the form or the buttons, and gets 403 on every action', async () => {
    const id = await uploadOk({ service: 'tari' }, { name: 'consultazione.csv', content: cleanFile('consultazione', 2, 7800) });
    await checked(id);
    const list = await viewer.fetch(url('/massivo'));
    expect(list.status).toBe(200);
    const listHtml = await list.text();
    expect(listHtml).not.toContain('Carica e controlla il file');
    expect(listHtml).toContain('consultazione.csv');
    const { status, html } = await page(id, viewer);
    expect(status).toBe(200);
    expect(html).not.toContain('Conferma e invia');
    expect(html).not.toContain('/annulla"');
    expect(html).toContain('Il tuo ruolo consente di consultare questo invio');
    expect((await post(viewer, `/massivo/${id}/conferma`, { azione: 'invia' })).status).toBe(403);
    expect((await post(viewer, `/massivo/${id}/annulla`, {})).status).toBe(403);
    expect((await upload(viewer, { service: 'tari' }, { name: 'x.csv', content: cleanFile('viewer', 1, 7900) })).status).toBe(403);
    expect(testId((await page(id)).html, 'stato-lotto')).toBe('Pronto da confermare');
  });

  it("another ente's batch and template answer 404 on every route", async () => {
    const db = t.genio.database.db;
    const other = await buildEnte(db, { name: 'Comune di Altrove' });
    await buildService(db, t.masterKey, t.sim, other, { code: 'mensa' });
    const { key } = await buildApiKey(db, t.masterKey, other);
    const form = new FormData();
    form.append('service', 'mensa');
    form.append('check_only', 'true');
    form.append('file', new Blob([cleanFile('altrove', 2, 8000)]), 'altrove.csv');
    const up = await fetch(`${t.genio.url}/api/v1/batches`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: form });
    expect(up.status).toBe(202);
    const foreign = (await up.json()).id as string;
    const tpl = await fetch(`${t.genio.url}/api/v1/templates`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...TARI_TEMPLATE, service: 'mensa' }),
    });
    const foreignTemplate = (await tpl.json()).id as string;
    for (const rest of [`/massivo/${foreign}`, `/massivo/${foreign}/stato?fase=checked`, `/massivo/${foreign}/resoconto.csv`, `/modelli/${foreignTemplate}/esempio.csv`]) {
      const res = await sender.fetch(url(rest));
      expect(res.status, rest).toBe(404);
      expect(await res.text(), rest).toContain('Pagina non trovata');
    }
    for (const rest of [`/massivo/${foreign}/conferma`, `/massivo/${foreign}/annulla`]) {
      expect((await post(sender, rest, { azione: 'invia' })).status, rest).toBe(404);
    }
    const still = await t.genio.database.db.selectFrom('batches').select('status').where('id', '=', foreign).executeTakeFirstOrThrow();
    expect(['checking', 'ready']).toContain(still.status);
  });
});
