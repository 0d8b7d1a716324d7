/**
 * Messaggi over HTTP: the search and its filters (status, service, fiscal code, dates, reference,
 * batch, pages), a message's page with its history until delivered, the htmx status poll, cancel
 * while possible and the refusal when too late, roles, and another ente's message answering 404.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptMessage } from '../../src/store/messages/accept.ts';
import { newId } from '../../src/store/ids.ts';
import { buildApiKey, buildEnte, buildService, messageBody, validFiscalCode, validNoticeNumber } from '../support/factories.ts';
import { BIANCHI, csrfOf, loginAs, ROSSI, startWebGenio, type WebGenio } from '../support/web.ts';
import { WebClient } from '../support/web-client.ts';

let t: WebGenio;
let sender: WebClient;
let viewer: WebClient;
let otherMessageId: string;
const FUTURE = '2099-06-01T09:00:00+02:00';

beforeAll(async () => {
  t = await startWebGenio();
  await t.grant(ROSSI, 'sender');
  await t.grant(BIANCHI, 'viewer');
  sender = new WebClient();
  await loginAs(sender, t.base, ROSSI);
  viewer = new WebClient();
  await loginAs(viewer, t.base, BIANCHI);
  // Another ente with a message of its own; ROSSI has a role there too, which must not matter.
  const db = t.genio.database.db;
  const other = await buildEnte(db, { name: 'Comune di Altrove' });
  const { service } = await buildService(db, t.masterKey, t.sim, other, { code: 'tari' });
  await t.grant(ROSSI, 'sender', other.id);
  const accepted = await acceptMessage(db, {
    enteId: other.id, service, apiKey: null, priority: 1,
    message: { fiscalCode: validFiscalCode(900), subject: 'Messaggio di un altro ente', markdown: 'x'.repeat(80), dueDate: null, payment: null, scheduledAt: new Date(Date.parse(FUTURE)), reference: 'altrove-1' },
  });
  if (accepted.kind !== 'created') throw new Error('the other ente’s message was not created');
  otherMessageId = accepted.message.id;
});

afterAll(async () => t?.close());

const url = (rest: string) => `${t.base}/ente/${t.ente.fiscal_code}${rest}`;

async function send(n: number, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await t.api('POST', '/api/v1/messages', messageBody('tari', n, extra));
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return r.body.id;
}

async function page(client: WebClient, rest: string): Promise<{ status: number; html: string }> {
  const res = await client.fetch(url(rest));
  return { status: res.status, html: await res.text() };
}

/** Message ids linked from a results page, in order. */
function resultIds(html: string): string[] {
  return [...html.matchAll(/<th scope="row"><a href="\/ente\/\d{11}\/messaggi\/([0-9A-Z]{26})">/g)].map((m) => m[1]);
}

describe('Messaggi: search', () => {
  let delivered: string;
  let scheduled: string;
  let batched: string[];

  beforeAll(async () => {
    delivered = await send(1, { reference: 'PRATICA-1' });
    scheduled = await send(2, { reference: 'PRATICA-2', scheduled_at: FUTURE });
    batched = [await send(3), await send(4)];
    // Batches are made by the batch pages and API; here only the column the search reads is set.
    const batchId = newId();
    await t.genio.database.db.updateTable('messages').set({ batch_id: batchId, batch_row: 2 }).where('id', '=', batched[0]).execute();
    batched.push(batchId);
    await t.until(async () => (await t.api('GET', `/api/v1/messages/${delivered}`)).body.status === 'delivered');
  });

  it('lists the ente’s messages, newest first, with full fiscal code, service, subject and status', async () => {
    const { status, html } = await page(viewer, '/messaggi');
    expect(status).toBe(200);
    const ids = resultIds(html);
    expect(ids.slice(0, 4)).toEqual([batched[1], batched[0], scheduled, delivered]);
    expect(ids).not.toContain(otherMessageId);
    expect(html).toContain(validFiscalCode(1));
    expect(html).toContain('Avviso di prova n. 1');
    expect(html).toContain('<caption class="visually-hidden">Messaggi trovati, dal più recente</caption>');
    expect(html).toMatch(/<span class="badge bg-success">Consegnato<\/span>/);
  });

  it.each([
    ['status', () => '?stato=scheduled', () => [scheduled]],
    ['fiscal code, typed in lower case', () => `?codice_fiscale=${validFiscalCode(2).toLowerCase()}`, () => [scheduled]],
    ['reference', () => '?riferimento=PRATICA-1', () => [delivered]],
    ['batch', () => `?lotto=${batched[2]}`, () => [batched[0]]],
    ['status and service together', () => '?stato=delivered&servizio=tari&riferimento=PRATICA-1', () => [delivered]],
    ['a date range ending yesterday', () => `?al=${new Date(Date.now() - 86_400_000 * 2).toISOString().slice(0, 10)}`, () => []],
    ['a date range from today (Italian form)', () => `?dal=${new Date().toLocaleDateString('it-IT', { timeZone: 'Europe/Rome', day: '2-digit', month: '2-digit', year: 'numeric' })}&riferimento=PRATICA-2`, () => [scheduled]],
  ])('filters by %s, and keeps the filter in the form', async (_what, query, expected) => {
    const { status, html } = await page(viewer, `/messaggi${query()}`);
    expect(status).toBe(200);
    expect(resultIds(html)).toEqual(expected());
    if (!expected().length) expect(html).toContain('Nessun messaggio con questi filtri.');
    expect(html).toContain('Togli i filtri');
  });

  it('keeps the chosen filters in the form', async () => {
    const { html } = await page(viewer, `/messaggi?stato=scheduled&riferimento=PRATICA-2&dal=2026-01-01&lotto=${batched[2]}`);
    expect(html).toContain('<option value="scheduled" selected>Programmato</option>');
    expect(html).toContain('value="PRATICA-2"');
    expect(html).toContain('value="2026-01-01"');
    expect(html).toContain(`value="${batched[2]}"`);
  });

  it('bad filters come back next to their fields, in Italian', async () => {
    const { status, html } = await page(viewer, '/messaggi?codice_fiscale=RSSMRA80A01H501A&dal=31/02/2026&servizio=nessuno');
    expect(status).toBe(400);
    expect(html).toContain('id="filtro-codice-fiscale-errore"');
    expect(html).toContain('ultimo carattere non corrisponde');
    expect(html).toMatch(/id="filtro-dal-errore"><div>Data non valida/);
    expect(html).toMatch(/id="filtro-servizio-errore"><div>Scegli un servizio dell&#39;ente.|id="filtro-servizio-errore"><div>Scegli un servizio dell'ente./);
    expect(html).not.toContain('data-testid="risultati"');
  });

  it('pages with "Pagina successiva", the filters kept in the link', async () => {
    const cf = validFiscalCode(77);
    for (let i = 0; i < 52; i++) {
      const r = await t.api('POST', '/api/v1/messages', { ...messageBody('tari', 77), reference: `P-${i}` });
      expect(r.status).toBe(202);
    }
    const first = await page(viewer, `/messaggi?codice_fiscale=${cf}`);
    expect(resultIds(first.html)).toHaveLength(50);
    const next = /<a class="btn btn-primary" href="([^"]+)">Pagina successiva<\/a>/.exec(first.html);
    expect(next).not.toBeNull();
    const href = next![1].replace(/&amp;/g, '&');
    expect(href).toContain(`codice_fiscale=${cf}`);
    const second = await viewer.fetch(new URL(href, t.base));
    const html = await second.text();
    const ids = resultIds(html);
    expect(ids).toHaveLength(2);
    expect(resultIds(first.html)).not.toContain(ids[0]);
    expect(html).not.toContain('Pagina successiva');
    expect(html).toContain('Prima pagina');
  });
});

describe('Messaggi: a message’s page', () => {
  it('shows every field, the text as in IO, and the history until "Consegnato"', async () => {
    const id = await send(10, { reference: 'PAGINA-1', due_date: '2026-12-31', payment_data: { amount: 12345, notice_number: validNoticeNumber(10) } });
    await t.until(async () => (await t.api('GET', `/api/v1/messages/${id}`)).body.status === 'delivered');
    const { status, html } = await page(viewer, `/messaggi/${id}`);
    expect(status).toBe(200);
    expect(html).toContain('<span class="badge bg-success" data-testid="stato">Consegnato</span>');
    expect(html).toContain(validFiscalCode(10));
    expect(html).toContain('PAGINA-1');
    expect(html).toContain('31/12/2026');
    expect(html).toContain('€ 123,45');
    expect(html).toContain('data-testid="anteprima"');
    expect(html).toContain('API, con la chiave');
    // History: accepted, sending, sent, delivered, each with its time and reason in Italian.
    expect(html).toContain('Accettato da GeNIO');
    expect(html).toContain('Accettato da IO con identificativo');
    expect(html).toContain('Recapitato: il messaggio è nell&#39;app IO del cittadino');
    const ioId = (await t.api('GET', `/api/v1/messages/${id}`)).body.io_message_id;
    expect(html).toContain(`data-testid="io-id">${ioId}</dd>`);
    // Final: no more polling, no cancel button.
    expect(html).not.toContain('hx-trigger="every');
    expect(html).not.toContain('Annulla invio');
  });

  it('polls while not final: 204 while nothing changed, the new status part when it did', async () => {
    const id = await send(11, { scheduled_at: FUTURE });
    const { html } = await page(viewer, `/messaggi/${id}`);
    const poll = /hx-get="([^"]+)" hx-trigger="every 2s"/.exec(html);
    expect(poll).not.toBeNull();
    const pollUrl = new URL(poll![1].replace(/&amp;/g, '&'), t.base);
    expect((await viewer.fetch(pollUrl)).status).toBe(204);
    await t.api('POST', `/api/v1/messages/${id}/cancel`);
    const changed = await viewer.fetch(pollUrl);
    expect(changed.status).toBe(200);
    const fragment = await changed.text();
    expect(fragment).not.toContain('<html');
    expect(fragment).toContain('data-testid="stato">Annullato</span>');
    expect(fragment).toContain('<div id="annuncio-stato" hx-swap-oob="innerHTML">Stato del messaggio: Annullato</div>');
    expect(fragment).not.toContain('hx-trigger');
  });

  it('another ente’s message answers the 404 page, also for its status and cancel', async () => {
    for (const rest of [`/messaggi/${otherMessageId}`, `/messaggi/${otherMessageId}/stato`, '/messaggi/non-un-id']) {
      const { status, html } = await page(sender, rest);
      expect(status, rest).toBe(404);
      expect(html).toContain('Pagina non trovata');
    }
    const csrf = csrfOf((await page(sender, '/messaggi')).html);
    const res = await sender.post(url(`/messaggi/${otherMessageId}/annulla`), { _csrf: csrf });
    expect(res.status).toBe(404);
    const still = await t.genio.database.db.selectFrom('messages').select('status').where('id', '=', otherMessageId).executeTakeFirstOrThrow();
    expect(still.status).toBe('scheduled');
  });
});

describe('Messaggi: cancel', () => {
  it('cancels a scheduled message from its page, with a confirmation; a second cancel says it already was', async () => {
    const id = await send(20, { scheduled_at: FUTURE });
    const { html } = await page(sender, `/messaggi/${id}`);
    expect(html).toContain('<span class="badge bg-primary" data-testid="stato">Programmato</span>');
    expect(html).toContain(`action="/ente/${t.ente.fiscal_code}/messaggi/${id}/annulla"`);
    const res = await sender.post(url(`/messaggi/${id}/annulla`), { _csrf: csrfOf(html) });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/ente/${t.ente.fiscal_code}/messaggi/${id}?esito=annullato`);
    const after = await (await sender.follow(res, url(`/messaggi/${id}`))).res.text();
    expect(after).toContain('Invio annullato: il messaggio non verrà inviato a IO.');
    expect(after).toContain('data-testid="stato">Annullato</span>');
    expect(after).toContain('Annullato dall&#39;ente');
    expect((await t.api('GET', `/api/v1/messages/${id}`)).body.status).toBe('cancelled');

    const again = await sender.post(url(`/messaggi/${id}/annulla`), { _csrf: csrfOf(html) });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('Il messaggio era già stato annullato.');
  });

  it('refuses when too late: the message has gone to IO', async () => {
    const id = await send(21);
    await t.until(async () => (await t.api('GET', `/api/v1/messages/${id}`)).body.status === 'delivered');
    const csrf = csrfOf((await page(sender, '/messaggi')).html);
    const res = await sender.post(url(`/messaggi/${id}/annulla`), { _csrf: csrf });
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(html).toContain('Non è più possibile annullare l&#39;invio: il messaggio è «Consegnato».');
    expect(html).toContain('data-testid="stato">Consegnato</span>');
  });

  it('cancelling from the web tells the API key that sent the message, on its callback URL', async () => {
    const received: string[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => { received.push(body); res.writeHead(204).end(); });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const callbackUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/eventi`;
      const { key } = await buildApiKey(t.genio.database.db, t.masterKey, t.ente, { callbackUrl });
      const sent = await t.api('POST', '/api/v1/messages', messageBody('tari', 23, { scheduled_at: FUTURE, reference: 'CALLBACK-1' }), { authorization: `Bearer ${key}` });
      expect(sent.status).toBe(202);
      const { html } = await page(sender, `/messaggi/${sent.body.id}`);
      expect(html).toContain('API, con la chiave');
      expect((await sender.post(url(`/messaggi/${sent.body.id}/annulla`), { _csrf: csrfOf(html) })).status).toBe(303);
      const event = await t.until(() => received.map((b) => JSON.parse(b)).find((e) => e.message.id === sent.body.id));
      expect(event.message).toMatchObject({ status: 'cancelled', reason: 'cancelled by the ente', service: 'tari', reference: 'CALLBACK-1' });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('a viewer sees no cancel button and gets 403 when posting; a post without the token is refused', async () => {
    const id = await send(22, { scheduled_at: FUTURE });
    const { html } = await page(viewer, `/messaggi/${id}`);
    expect(html).not.toContain('Annulla invio');
    const res = await viewer.post(url(`/messaggi/${id}/annulla`), { _csrf: csrfOf(html) });
    expect(res.status).toBe(403);
    expect((await sender.post(url(`/messaggi/${id}/annulla`), {})).status).toBe(403);
    expect((await t.api('GET', `/api/v1/messages/${id}`)).body.status).toBe('scheduled');
  });
});
