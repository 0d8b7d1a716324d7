/** Signed callbacks: every status change POSTed to the key's URL, retried until the server answers 2xx. */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGenio, type TestGenio } from '../support/genio.ts';
import { buildApiKey, messageBody } from '../support/factories.ts';

interface Received {
  body: string;
  signature: string;
  attempt: number;
}

describe('callbacks', () => {
  let t: TestGenio;
  let server: http.Server;
  let callbackSecret: string;
  let key: string;
  const received: Received[] = [];
  let failuresLeft = 2;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ body, signature: String(req.headers['genio-signature']), attempt: received.length + 1 });
        // The ente's server is down for the first two deliveries.
        if (failuresLeft-- > 0) res.writeHead(503).end();
        else res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/genio-events`;
    t = await startTestGenio();
    const created = await buildApiKey(t.genio.database.db, t.masterKey, t.ente, { callbackUrl: url });
    key = created.key;
    callbackSecret = created.callbackSecret!;
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((r) => server.close(r));
  });

  it('posts sent and delivered, signed with HMAC-SHA256 over timestamp and body, retrying a failing server', async () => {
    const res = await t.api('POST', '/api/v1/messages', messageBody('tari', 1, { reference: 'pratica-42' }), { authorization: `Bearer ${key}` });
    expect(res.status).toBe(202);
    const events = await t.until(() => {
      const ok = received.slice(2).map((r) => JSON.parse(r.body));
      return ok.some((e) => e.message.status === 'delivered') && ok.some((e) => e.message.status === 'sent') ? ok : null;
    }, 20_000);
    expect(received.length).toBeGreaterThanOrEqual(4);
    for (const e of events) {
      expect(e.type).toBe('message.status_changed');
      expect(e.message).toMatchObject({ id: res.body.id, service: 'tari', reference: 'pratica-42' });
      expect(JSON.stringify(e)).not.toContain(messageBody('tari', 1).fiscal_code);
    }
    for (const r of received) {
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(r.signature);
      expect(m, r.signature).not.toBeNull();
      const expected = crypto.createHmac('sha256', callbackSecret).update(`${m![1]}.${r.body}`).digest('hex');
      expect(m![2]).toBe(expected);
      expect(Math.abs(Number(m![1]) - Date.now() / 1000)).toBeLessThan(120);
    }
  });

  it('serves a key made after the workers loaded their keys (another process, the CLI) from its first message', async () => {
    // The workers know the keys already: a message has gone through.
    const first = await t.api('POST', '/api/v1/messages', messageBody('tari', 5), { authorization: `Bearer ${key}` });
    await t.until(async () => (await t.api('GET', `/api/v1/messages/${first.body.id}`)).body.status === 'delivered');
    const fresh = await buildApiKey(t.genio.database.db, t.masterKey, t.ente, { callbackUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fresh` });
    const res = await t.api('POST', '/api/v1/messages', messageBody('tari', 6), { authorization: `Bearer ${fresh.key}` });
    const events = await t.until(() => {
      const mine = received.map((r) => JSON.parse(r.body)).filter((e) => e.message.id === res.body.id);
      return mine.some((e) => e.message.status === 'delivered') ? mine : null;
    }, 15_000);
    expect(events.map((e) => e.message.status)).toContain('sent');
  });

  it('posts the cancellation of a scheduled message', async () => {
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const res = await t.api('POST', '/api/v1/messages', messageBody('tari', 3, { scheduled_at: later }), { authorization: `Bearer ${key}` });
    // Cancelled with the ente's other key: the callback still goes to the key that sent it.
    expect((await t.api('POST', `/api/v1/messages/${res.body.id}/cancel`)).status).toBe(200);
    const event = await t.until(() => received.map((r) => JSON.parse(r.body)).find((e) => e.message.id === res.body.id && e.message.status === 'cancelled'), 10_000);
    expect(event.message.reason).toBe('cancelled by the ente');
  });

  it('does not slow dispatch: a message is delivered while the callback server hangs', async () => {
    const hang = http.createServer(() => { /* never answers */ });
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const k = await buildApiKey(t.genio.database.db, t.masterKey, t.ente, { callbackUrl: `http://127.0.0.1:${(hang.address() as AddressInfo).port}/` });
    const started = Date.now();
    const res = await t.api('POST', '/api/v1/messages', messageBody('tari', 2), { authorization: `Bearer ${k.key}` });
    await t.until(async () => (await t.api('GET', `/api/v1/messages/${res.body.id}`)).body.status === 'delivered', 10_000);
    expect(Date.now() - started).toBeLessThan(5000);
    hang.closeAllConnections();
    await new Promise((r) => hang.close(r));
  });
});
