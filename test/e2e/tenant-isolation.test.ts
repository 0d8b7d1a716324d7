/** One ente never sees nor uses another's data: every route, with a key of ente A on ente B's things. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KINDS, startTestGenio, type TestGenio } from '../support/genio.ts';
import { openDatabase } from '../../src/store/db.ts';
import { buildApiKey, buildEnte, buildService, messageBody, validFiscalCode } from '../support/factories.ts';

describe.each(DB_KINDS)('tenant isolation on %s', (db) => {
  let t: TestGenio;
  let keyB: string;
  let restrictedKeyA: string;
  let messageOfB: string;
  beforeAll(async () => {
    t = await startTestGenio({ db });
    const d = t.genio.database.db;
    const enteB = await buildEnte(d);
    await buildService(d, t.masterKey, t.sim, enteB, { code: 'mensa' });
    keyB = (await buildApiKey(d, t.masterKey, enteB)).key;
    const other = await buildService(d, t.masterKey, t.sim, t.ente, { code: 'other' });
    restrictedKeyA = (await buildApiKey(d, t.masterKey, t.ente, { serviceIds: [other.service.id] })).key;
    const res = await t.api('POST', '/api/v1/messages', messageBody('mensa', 1, { reference: 'ref-b' }), { authorization: `Bearer ${keyB}` });
    expect(res.status).toBe(202);
    messageOfB = res.body.id;
  });
  afterAll(async () => t?.close());

  it.each([
    ['GET', () => `/api/v1/messages/${messageOfB}`],
    ['POST', () => `/api/v1/messages/${messageOfB}/cancel`],
  ])('%s on a message of another ente answers 404', async (method, path) => {
    const r = await t.api(method, path());
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('not_found');
  });

  it('lists none of another ente\'s messages, whatever the filter', async () => {
    const all = await t.api('GET', '/api/v1/messages?limit=200');
    expect(all.status).toBe(200);
    expect(all.body.items.map((m: { id: string }) => m.id)).not.toContain(messageOfB);
    const byRef = await t.api('GET', '/api/v1/messages?reference=ref-b');
    expect(byRef.body.items).toEqual([]);
    const byCf = await t.api('GET', `/api/v1/messages?fiscal_code=${validFiscalCode(1)}`);
    expect(byCf.body.items).toEqual([]);
    const byService = await t.api('GET', '/api/v1/messages?service=mensa');
    expect(byService.status).toBe(400);
    expect(byService.body.errors[0]).toMatchObject({ field: 'service', code: 'unknown_service' });
  });

  it('cannot send or check profiles through another ente\'s service', async () => {
    const send = await t.api('POST', '/api/v1/messages', messageBody('mensa', 2));
    expect(send.status).toBe(400);
    expect(send.body.errors).toContainEqual(expect.objectContaining({ field: 'service', code: 'unknown_service' }));
    const profile = await t.api('POST', '/api/v1/profiles', { service: 'mensa', fiscal_code: validFiscalCode(2) });
    expect(profile.status).toBe(400);
    expect(profile.body.errors).toContainEqual(expect.objectContaining({ field: 'service', code: 'unknown_service' }));
  });

  it('a key restricted to some services cannot use the others, nor read their messages', async () => {
    const mine = await t.api('POST', '/api/v1/messages', messageBody('tari', 3));
    expect(mine.status).toBe(202);
    const auth = { authorization: `Bearer ${restrictedKeyA}` };
    expect((await t.api('POST', '/api/v1/messages', messageBody('tari', 4), auth)).status).toBe(400);
    expect((await t.api('GET', `/api/v1/messages/${mine.body.id}`, undefined, auth)).status).toBe(404);
    const list = await t.api('GET', '/api/v1/messages', undefined, auth);
    expect(list.body.items.map((m: { id: string }) => m.id)).not.toContain(mine.body.id);
    expect((await t.api('POST', '/api/v1/messages', messageBody('other', 5), auth)).status).toBe(202);
  });

  it('an unknown, missing or revoked key gets 401 problem+json', async () => {
    const none = await t.api('GET', '/api/v1/messages', undefined, { authorization: '' });
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const wrong = await t.api('GET', '/api/v1/messages', undefined, { authorization: 'Bearer genio_nope_nope' });
    expect(wrong.status).toBe(401);
    const { revokeApiKey } = await import('../../src/store/api-keys.ts');
    const k = await buildApiKey(t.genio.database.db, t.masterKey, t.ente);
    expect((await t.api('GET', '/api/v1/messages', undefined, { authorization: `Bearer ${k.key}` })).status).toBe(200);
    await revokeApiKey(t.genio.database.db, k.id);
    expect((await t.api('GET', '/api/v1/messages', undefined, { authorization: `Bearer ${k.key}` })).status).toBe(401);
  });

  it('a key revoked by another process (the CLI) stops within a second', async () => {
    const { revokeApiKey, KEY_CACHE_MS } = await import('../../src/store/api-keys.ts');
    const k = await buildApiKey(t.genio.database.db, t.masterKey, t.ente);
    const auth = { authorization: `Bearer ${k.key}` };
    expect((await t.api('GET', '/api/v1/messages', undefined, auth)).status).toBe(200);
    // Another handle on the same database, as the CLI would open.
    const elsewhere = await openDatabase(t.config.databaseUrl);
    try {
      await revokeApiKey(elsewhere.db, k.id);
    } finally {
      await elsewhere.close();
    }
    const revokedAt = Date.now();
    await t.until(async () => (await t.api('GET', '/api/v1/messages', undefined, auth)).status === 401, 5000);
    expect(Date.now() - revokedAt).toBeLessThanOrEqual(KEY_CACHE_MS + 500);
  });
});
