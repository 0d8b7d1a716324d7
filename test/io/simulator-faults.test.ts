/** IO simulator: injected faults (500, timeouts, latency) and statistics. */
import { afterEach, describe, expect, it } from 'vitest';
import { createIoSimulator, type IoSimulator } from '../../src/io/simulator/index.ts';
import { CF_ACTIVE, SVC_A, SVC_C, call, newMessage } from './sim-fixtures.ts';

let sim: IoSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(opts: Parameters<typeof createIoSimulator>[0] = {}): Promise<string> {
  sim = createIoSimulator({ rateLimit: null, ...opts });
  sim.addService(SVC_A);
  sim.addService(SVC_C);
  return sim.listen();
}
const profile = (base: string, key = SVC_A.primaryKey, signal?: AbortSignal) => call(base, 'POST', '/api/v1/profiles', { key, body: { fiscal_code: CF_ACTIVE }, signal });

describe('fault injection', () => {
  it('answers 500 ProblemJson to every operation with errorRate 1, after the key check', async () => {
    const base = await start({ errorRate: 1 });
    const results = [
      await profile(base),
      await call(base, 'POST', '/api/v1/messages', { key: SVC_A.primaryKey, body: newMessage(CF_ACTIVE) }),
      await call(base, 'GET', `/api/v1/messages/${CF_ACTIVE}/01ARZ3NDEKTSV4RRFFQ69G5FAV`, { key: SVC_A.primaryKey }),
    ];
    for (const r of results) {
      expect(r.status).toBe(500);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.body).toMatchObject({ status: 500, title: 'Internal server error' });
    }
    expect((await profile(base, 'unknown-key')).status).toBe(401);
    expect(sim!.stats().messages).toBe(0);
  });

  it('never answers with timeoutRate 1: the client gives up', async () => {
    const base = await start({ timeoutRate: 1 });
    await expect(profile(base, SVC_A.primaryKey, AbortSignal.timeout(150))).rejects.toThrow(/timeout|aborted/i);
    expect(sim!.stats().byStatus.timeout).toBe(1);
    sim!.configure({ timeoutRate: 0 });
    expect((await profile(base)).status).toBe(200);
  });

  it('draws faults from the injected random source', async () => {
    const draws = [0.05, 0.5, 0.05, 0.9];
    const base = await start({ errorRate: 0.1, random: () => draws.shift() ?? 0.99 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await profile(base)).status);
    expect(statuses).toEqual([500, 200, 500, 200]);
  });

  it('adds latency to every IO response', async () => {
    const base = await start({ latencyMs: 120 });
    const t0 = performance.now();
    expect((await profile(base)).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(110);
    sim!.configure({ latencyMs: 0 });
    const t1 = performance.now();
    await profile(base);
    expect(performance.now() - t1).toBeLessThan(110);
  });
});

describe('statistics', () => {
  it('counts calls by operation, status and account, and duplicates of accepted messages', async () => {
    const base = await start();
    const submit = (body: unknown) => call(base, 'POST', '/api/v1/messages', { key: SVC_A.primaryKey, body });
    const first = await submit(newMessage(CF_ACTIVE));
    await submit(newMessage(CF_ACTIVE)); // same content again: duplicate
    await submit(newMessage(CF_ACTIVE, { payment_data: { amount: 100, notice_number: '301011100007347557' } })); // different notice
    await submit(newMessage(CF_ACTIVE, { subject: 'Short' })); // 400: not a message
    await call(base, 'POST', '/api/v1/messages', { key: SVC_C.primaryKey, body: newMessage(CF_ACTIVE) }); // another service
    await call(base, 'GET', `/api/v1/messages/${CF_ACTIVE}/${first.body.id}`, { key: SVC_A.primaryKey });
    await profile(base);
    await call(base, 'GET', '/nowhere');

    const s = sim!.stats();
    expect(s.calls).toBe(8);
    expect(s.byOperation).toEqual({ getProfile: 1, submitMessage: 5, getMessage: 1 });
    expect(s.byStatus).toEqual({ '201': 4, '400': 1, '200': 2, '404': 1 });
    expect(s.messages).toBe(4);
    expect(s.duplicates).toBe(1);
    expect(s.perAccount['acc-1'].calls).toBe(6);
    expect(s.perAccount['acc-2'].calls).toBe(1);

    sim!.reset();
    expect(sim!.stats()).toMatchObject({ calls: 0, messages: 0, duplicates: 0, perAccount: {} });
    expect(sim!.requests()).toEqual([]);
    // reset forgets messages but keeps services.
    expect((await call(base, 'GET', `/api/v1/messages/${CF_ACTIVE}/${first.body.id}`, { key: SVC_A.primaryKey })).status).toBe(404);
  });

  it('keeps the request log bounded, newest entries last', async () => {
    const base = await start({ maxRecordedRequests: 3 });
    for (let i = 0; i < 5; i++) await call(base, 'GET', `/nowhere/${i}`);
    expect(sim!.requests().map((r) => r.path)).toEqual(['/nowhere/2', '/nowhere/3', '/nowhere/4']);
    sim!.configure({ recordRequests: false });
    await call(base, 'GET', '/nowhere/5');
    expect(sim!.requests()).toHaveLength(3);
  });
});
