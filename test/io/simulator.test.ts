/**
 * IO simulator over real HTTP: authentication, routing and getProfileByPOST (FACTS.md §1, §4, §12).
 * Submit, getMessage, rate limit, faults and control API are in the sibling simulator-*.test.ts files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIoSimulator, type IoSimulator } from '../../src/io/simulator/index.ts';
import { CF_ACTIVE, CF_BLOCKED, CF_INBOX_OFF, CF_NOT_FOUND, SVC_A, SVC_B, SVC_C, SVC_LIMITED, TEST_CF, call } from './sim-fixtures.ts';

let sim: IoSimulator;
let base: string;

beforeAll(async () => {
  sim = createIoSimulator({ rateLimit: null });
  for (const s of [SVC_A, SVC_B, SVC_C, SVC_LIMITED]) sim.addService(s);
  sim.setCitizen(CF_NOT_FOUND, 'not_found');
  sim.setCitizen(CF_INBOX_OFF, 'inbox_disabled');
  sim.setCitizen(CF_BLOCKED, 'blocked', [SVC_B.serviceId]);
  base = await sim.listen();
});
afterAll(() => sim.close());

const profile = (key: string | null, fiscalCode: unknown) => call(base, 'POST', '/api/v1/profiles', { key, body: { fiscal_code: fiscalCode } });

describe('subscription key (APIM)', () => {
  it('answers 401 APIM JSON without a key', async () => {
    const r = await profile(null, CF_ACTIVE);
    expect(r.status).toBe(401);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(r.body).toEqual({ statusCode: 401, message: 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.' });
  });

  it('answers 401 to an unknown key', async () => {
    const r = await profile('not-a-key', CF_ACTIVE);
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ statusCode: 401, message: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.' });
  });

  it('accepts both the primary and the secondary key', async () => {
    expect((await profile(SVC_A.primaryKey, CF_ACTIVE)).status).toBe(200);
    expect((await profile(SVC_A.secondaryKey, CF_ACTIVE)).status).toBe(200);
  });

  it('answers 401 to a refused (regenerated) key, the other key keeps working', async () => {
    const other = createIoSimulator({ rateLimit: null });
    try {
      other.addService(SVC_C);
      const url = await other.listen();
      other.refuseKey(SVC_C.primaryKey);
      const refused = await call(url, 'POST', '/api/v1/profiles', { key: SVC_C.primaryKey, body: { fiscal_code: CF_ACTIVE } });
      expect(refused.status).toBe(401);
      expect(refused.body.message).toMatch(/invalid subscription key/);
      const ok = await call(url, 'POST', '/api/v1/profiles', { key: SVC_C.secondaryKey, body: { fiscal_code: CF_ACTIVE } });
      expect(ok.status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('auto-provisions unknown keys on account sandbox when asked to', async () => {
    const sandbox = createIoSimulator({ autoProvision: true, rateLimit: null });
    try {
      const url = await sandbox.listen();
      const r = await call(url, 'POST', '/api/v1/profiles', { key: 'any-new-key', body: { fiscal_code: CF_ACTIVE } });
      expect(r.status).toBe(200);
      expect(sandbox.stats().perAccount.sandbox.calls).toBe(1);
      expect((await call(url, 'POST', '/api/v1/profiles', { body: { fiscal_code: CF_ACTIVE } })).status).toBe(401);
    } finally {
      await sandbox.close();
    }
  });
});

describe('routing', () => {
  it('answers APIM 404 to paths IO does not have, before the key check', async () => {
    for (const [method, path] of [['GET', '/api/v1/nothing'], ['GET', '/api/v1/messages'], ['DELETE', '/api/v1/profiles'], ['POST', '/api/v1/messages/a/b']]) {
      const r = await call(base, method, path, { key: null });
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.body).toEqual({ statusCode: 404, message: 'Resource not found' });
    }
  });
});

describe('getProfileByPOST', () => {
  it('answers 200 with sender_allowed true for an active citizen', async () => {
    const r = await profile(SVC_A.primaryKey, CF_ACTIVE);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ sender_allowed: true, preferred_languages: ['it_IT'] });
  });

  it('only checks the pattern: the test CF with a wrong check letter is fine', async () => {
    expect((await profile(SVC_A.primaryKey, TEST_CF)).status).toBe(200);
  });

  it('answers 404 "Profile not found" for no profile and for a disabled inbox', async () => {
    for (const cf of [CF_NOT_FOUND, CF_INBOX_OFF]) {
      const r = await profile(SVC_A.primaryKey, cf);
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.body).toMatchObject({ status: 404, title: 'Profile not found' });
    }
  });

  it('answers sender_allowed false only to the services the citizen blocked', async () => {
    expect((await profile(SVC_B.primaryKey, CF_BLOCKED)).body.sender_allowed).toBe(false);
    expect((await profile(SVC_A.primaryKey, CF_BLOCKED)).body.sender_allowed).toBe(true);
  });

  it('answers 403 "Recipient forbidden" to a limited service for a CF outside its recipients', async () => {
    const r = await profile(SVC_LIMITED.primaryKey, CF_ACTIVE);
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ status: 403, title: 'Recipient forbidden' });
    // Checked before the profile: a sandboxed service cannot learn who is on IO.
    expect((await profile(SVC_LIMITED.primaryKey, CF_NOT_FOUND)).status).toBe(403);
    expect((await profile(SVC_LIMITED.primaryKey, TEST_CF)).status).toBe(200);
  });

  it('answers 400 ProblemJson to a missing or malformed fiscal code', async () => {
    for (const cf of [undefined, 'rssmra79b11c566r', 'RSSMRA79B11C566', 'RSSMRA79Z11C566R', 12]) {
      const r = await profile(SVC_A.primaryKey, cf);
      expect(r.status, String(cf)).toBe(400);
      expect(r.body).toMatchObject({ status: 400, title: 'Invalid FiscalCodePayload' });
      expect(r.body.detail).toContain('fiscal_code');
    }
  });

  it('serves the deprecated GET /api/v1/profiles/{fiscal_code} too', async () => {
    expect((await call(base, 'GET', `/api/v1/profiles/${CF_ACTIVE}`, { key: SVC_A.primaryKey })).status).toBe(200);
    expect((await call(base, 'GET', `/api/v1/profiles/${CF_NOT_FOUND}`, { key: SVC_A.primaryKey })).status).toBe(404);
    expect((await call(base, 'GET', '/api/v1/profiles/BAD', { key: SVC_A.primaryKey })).status).toBe(400);
  });
});

describe('authorized_cidrs', () => {
  it('answers 403 "You are not allowed here" to a caller IP outside the service CIDRs', async () => {
    sim.addService({ serviceId: 'svc-ip', account: 'acc-ip', primaryKey: 'kip1', secondaryKey: 'kip2', authorizedCidrs: ['10.0.0.0/8'] });
    const r = await profile('kip1', CF_ACTIVE);
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ status: 403, title: 'You are not allowed here' });
    sim.addService({ serviceId: 'svc-ip', account: 'acc-ip', primaryKey: 'kip1', secondaryKey: 'kip2', authorizedCidrs: ['10.0.0.0/8', '127.0.0.1/32'] });
    expect((await profile('kip1', CF_ACTIVE)).status).toBe(200);
  });
});

describe('request log', () => {
  it('records method, path, lower-case headers, parsed body, account and status', async () => {
    sim.reset();
    await profile(SVC_C.secondaryKey, CF_ACTIVE);
    const [entry] = sim.requests();
    expect(entry).toMatchObject({ method: 'POST', path: '/api/v1/profiles', body: { fiscal_code: CF_ACTIVE }, account: 'acc-2', status: 200, operation: 'getProfile' });
    expect(entry.headers['ocp-apim-subscription-key']).toBe(SVC_C.secondaryKey);
    expect(typeof entry.at).toBe('number');
  });
});
