/** IO simulator: APIM sliding-window rate limit per account (FACTS.md §7). */
import { afterEach, describe, expect, it } from 'vitest';
import { createIoSimulator, type IoSimulator } from '../../src/io/simulator/index.ts';
import { SlidingWindow } from '../../src/io/simulator/rate-limit.ts';
import { CF_ACTIVE, SVC_A, SVC_B, SVC_C, call, newMessage, sleep } from './sim-fixtures.ts';

let sim: IoSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(opts: Parameters<typeof createIoSimulator>[0] = {}): Promise<string> {
  sim = createIoSimulator(opts);
  for (const s of [SVC_A, SVC_B, SVC_C]) sim.addService(s);
  return sim.listen();
}

describe('rate limit over HTTP', () => {
  it('lets exactly 150 of 400 concurrent calls of one account through (default 150 / 5 s)', async () => {
    const base = await start();
    // Mixed services of the same account and mixed operations share one budget.
    const calls = Array.from({ length: 400 }, (_, i) =>
      i % 2 === 0
        ? call(base, 'POST', '/api/v1/profiles', { key: i % 4 === 0 ? SVC_A.primaryKey : SVC_B.secondaryKey, body: { fiscal_code: CF_ACTIVE } })
        : call(base, 'POST', '/api/v1/messages', { key: SVC_A.secondaryKey, body: newMessage(CF_ACTIVE) }),
    );
    const results = await Promise.all(calls);
    const passed = results.filter((r) => r.status !== 429);
    const limited = results.filter((r) => r.status === 429);
    expect(passed).toHaveLength(150);
    expect(limited).toHaveLength(250);
    for (const r of limited) {
      const retry = r.headers.get('x-rate-limit-retry-after');
      expect(retry).toMatch(/^[1-9][0-9]*$/);
      expect(r.headers.get('retry-after')).toBe(retry);
      expect(r.body).toEqual({ statusCode: 429, message: `Rate limit is exceeded. Try again in ${retry} seconds.` });
    }
    const remaining = passed.map((r) => Number(r.headers.get('x-rate-limit-remaining'))).sort((a, b) => a - b);
    expect(remaining).toEqual(Array.from({ length: 150 }, (_, i) => i));

    // Another account has its own budget.
    expect((await call(base, 'POST', '/api/v1/profiles', { key: SVC_C.primaryKey, body: { fiscal_code: CF_ACTIVE } })).status).toBe(200);

    const acc = sim!.stats().perAccount['acc-1'];
    expect(acc).toEqual({ calls: 400, maxInAnyWindow: 150, rejected429: 250 });
    expect(sim!.stats().byStatus['429']).toBe(250);
  });

  it('slides: calls leave the window one by one, 429s are not counted', async () => {
    const base = await start({ rateLimit: { calls: 3, windowMs: 400 } });
    const ping = () => call(base, 'POST', '/api/v1/profiles', { key: SVC_A.primaryKey, body: { fiscal_code: CF_ACTIVE } });
    expect((await ping()).status).toBe(200); // t ≈ 0
    await sleep(200);
    expect((await ping()).status).toBe(200); // t ≈ 200
    expect((await ping()).status).toBe(200);
    const rejected = await ping();
    expect(rejected.status).toBe(429);
    expect(rejected.headers.get('x-rate-limit-retry-after')).toBe('1');
    await sleep(250); // t ≈ 450: only the first call has left the window
    expect((await ping()).status).toBe(200);
    // A fixed window restarting at 400 ms would allow this one.
    expect((await ping()).status).toBe(429);
    expect(sim!.stats().perAccount['acc-1'].maxInAnyWindow).toBe(3);
  });

  it('can be switched off and still measures the busiest window', async () => {
    const base = await start({ rateLimit: null });
    const results = await Promise.all(Array.from({ length: 200 }, () => call(base, 'POST', '/api/v1/profiles', { key: SVC_A.primaryKey, body: { fiscal_code: CF_ACTIVE } })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results[0].headers.get('x-rate-limit-remaining')).toBeNull();
    expect(sim!.stats().perAccount['acc-1'].maxInAnyWindow).toBe(200);
  });

  it('checks the key before the rate limit: 401s do not consume the budget', async () => {
    const base = await start({ rateLimit: { calls: 1, windowMs: 5000 } });
    expect((await call(base, 'POST', '/api/v1/profiles', { key: 'nope', body: { fiscal_code: CF_ACTIVE } })).status).toBe(401);
    expect((await call(base, 'POST', '/api/v1/profiles', { key: SVC_A.primaryKey, body: { fiscal_code: CF_ACTIVE } })).status).toBe(200);
    // Rate limiting comes before validation: even an invalid body gets 429 now.
    expect((await call(base, 'POST', '/api/v1/profiles', { key: SVC_A.primaryKey, body: {} })).status).toBe(429);
  });
});

describe('SlidingWindow', () => {
  /** Deterministic pseudo-random arrivals (LCG). */
  function arrivals(n: number, spreadMs: number): number[] {
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    return Array.from({ length: n }, () => next() * spreadMs).sort((a, b) => a - b);
  }

  it('never holds more than the limit in any window, and reports the true busiest window', () => {
    const windowMs = 1000;
    const w = new SlidingWindow();
    const counted: number[] = [];
    for (const t of arrivals(5000, 20_000)) if (w.admit(t, windowMs, 150).allowed) counted.push(t);
    let brute = 0;
    for (const end of counted) brute = Math.max(brute, counted.filter((t) => t > end - windowMs && t <= end).length);
    expect(brute).toBeLessThanOrEqual(150);
    expect(w.maxInAnyWindow).toBe(brute);
  });

  it('measures without limiting when the limit is null', () => {
    const w = new SlidingWindow();
    const all = arrivals(3000, 10_000);
    for (const t of all) expect(w.admit(t, 500, null).allowed).toBe(true);
    let brute = 0;
    for (const end of all) brute = Math.max(brute, all.filter((t) => t > end - 500 && t <= end).length);
    expect(w.maxInAnyWindow).toBe(brute);
  });

  it('computes the retry hint from the oldest counted call', () => {
    const w = new SlidingWindow();
    w.admit(0, 5000, 2);
    w.admit(100, 5000, 2);
    const r = w.admit(1200, 5000, 2);
    expect(r).toEqual({ allowed: false, retryAfterSeconds: 4 });
    expect(w.admit(5000, 5000, 2).allowed).toBe(true);
  });
});
