/** IO simulator: the `/__sim/` control API, as `genio io-sim` users drive it from another process. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IoSimulator } from '../../src/io/simulator/index.ts';
import { serveSimulator } from '../../src/io/simulator/serve.ts';
import { CF_ACTIVE, CF_NOT_FOUND, SVC_A, call, newMessage, sleep } from './sim-fixtures.ts';

let sim: IoSimulator;
let base: string;

beforeAll(async () => {
  sim = await serveSimulator({ port: 0, config: { processingDelayMs: 30 } });
  base = sim.url;
});
afterAll(() => sim.close());

const control = (method: string, path: string, body?: unknown) => call(base, method, `/__sim/${path}`, { body });
const profile = (key: string, cf = CF_ACTIVE) => call(base, 'POST', '/api/v1/profiles', { key, body: { fiscal_code: cf } });

describe('control API', () => {
  it('registers services, citizens and refused keys', async () => {
    expect((await profile(SVC_A.primaryKey)).status).toBe(401);
    expect((await control('POST', 'services', SVC_A)).status).toBe(201);
    expect((await profile(SVC_A.primaryKey)).status).toBe(200);

    expect((await control('POST', 'citizens', { fiscal_code: CF_NOT_FOUND, state: 'not_found' })).status).toBe(200);
    expect((await profile(SVC_A.primaryKey, CF_NOT_FOUND)).status).toBe(404);
    expect((await control('POST', 'citizens', { fiscal_code: CF_ACTIVE, state: 'blocked', blocked_service_ids: [SVC_A.serviceId] })).status).toBe(200);
    expect((await profile(SVC_A.primaryKey)).body.sender_allowed).toBe(false);

    expect((await control('POST', 'refuse-key', { key: SVC_A.secondaryKey })).status).toBe(200);
    expect((await profile(SVC_A.secondaryKey)).status).toBe(401);
  });

  it('configures options at run time', async () => {
    expect((await control('POST', 'configure', { errorRate: 1 })).status).toBe(200);
    expect((await profile(SVC_A.primaryKey)).status).toBe(500);
    // The window already holds the calls made so far: start from a clean one.
    expect((await control('POST', 'reset')).status).toBe(200);
    expect((await control('POST', 'configure', { errorRate: 0, rateLimit: { calls: 1, windowMs: 60_000 } })).status).toBe(200);
    expect((await profile(SVC_A.primaryKey)).status).toBe(200);
    expect((await profile(SVC_A.primaryKey)).status).toBe(429);
    expect((await control('POST', 'configure', { rateLimit: null })).status).toBe(200);
    expect((await profile(SVC_A.primaryKey)).status).toBe(200);
  });

  it('rejects invalid input with 400', async () => {
    expect((await control('POST', 'configure', { errorRate: 2 })).status).toBe(400);
    expect((await control('POST', 'services', { serviceId: 'x' })).status).toBe(400);
    expect((await control('POST', 'citizens', { fiscal_code: CF_ACTIVE, state: 'asleep' })).status).toBe(400);
    expect((await control('GET', 'nothing')).status).toBe(404);
  });

  it('reports stats and recorded requests, and resets them', async () => {
    const sent = await call(base, 'POST', '/api/v1/messages', { key: SVC_A.primaryKey, body: newMessage(CF_NOT_FOUND) });
    expect(sent.status).toBe(201);
    await sleep(50);
    expect((await call(base, 'GET', `/api/v1/messages/${CF_NOT_FOUND}/${sent.body.id}`, { key: SVC_A.primaryKey })).body.status).toBe('REJECTED');

    const stats = await control('GET', 'stats');
    expect(stats.status).toBe(200);
    expect(stats.body.messages).toBe(1);
    expect(stats.body.perAccount['acc-1'].calls).toBeGreaterThan(0);

    const last2 = await control('GET', 'requests?limit=2');
    expect(last2.body.map((r: { method: string; status: number }) => [r.method, r.status])).toEqual([
      ['POST', 201],
      ['GET', 200],
    ]);
    // Control calls themselves are not recorded.
    expect(last2.body.some((r: { path: string }) => r.path.startsWith('/__sim/'))).toBe(false);

    expect((await control('POST', 'reset')).status).toBe(200);
    expect((await control('GET', 'stats')).body).toMatchObject({ calls: 0, messages: 0 });
    expect((await control('GET', 'requests')).body).toEqual([]);
    // Services survive a reset.
    expect((await profile(SVC_A.primaryKey, CF_NOT_FOUND)).status).toBe(404);
  });
});
