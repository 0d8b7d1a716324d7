/**
 * Bad weather at IO: a 429 storm (GeNIO's budget never lets the simulator count more calls than
 * allowed, and when IO is stricter than GeNIO thinks, 429s hold the account back), and a storm of
 * 5xx and time-outs (every message still delivered).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGenio, type TestGenio } from '../support/genio.ts';
import { messageBody } from '../support/factories.ts';
import { sql } from 'kysely';

async function sendMany(t: TestGenio, n: number, from = 0) {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, n - i) }, (_, j) => t.api('POST', '/api/v1/messages', messageBody('tari', from + i + j))),
    );
    for (const r of batch) {
      expect(r.status).toBe(202);
      ids.push(r.body.id);
    }
  }
  return ids;
}

async function countByStatus(t: TestGenio): Promise<Record<string, number>> {
  const { rows } = await sql<{ status: string; n: number }>`select status, count(*) as n from messages group by status`.execute(t.genio.database.db);
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

describe('IO storms', () => {
  let t: TestGenio;
  afterEach(async () => t?.close());

  it('never exceeds the budget of an account: 120 messages, 30 calls / 1 s', async () => {
    const limit = { calls: 30, windowMs: 1000 };
    t = await startTestGenio({ sim: { rateLimit: limit }, config: { ioBudget: limit } });
    await sendMany(t, 120);
    await t.until(async () => (await countByStatus(t)).delivered === 120, 60_000);
    const stats = t.sim.stats();
    expect(stats.perAccount.aggregator.maxInAnyWindow).toBeLessThanOrEqual(30);
    expect(stats.perAccount.aggregator.rejected429).toBe(0);
    expect(stats.messages).toBe(120);
    expect(stats.duplicates).toBe(0);
  }, 90_000);

  it('honours 429 and its retry-after when IO is stricter than the budget, and still delivers everything', async () => {
    t = await startTestGenio({ sim: { rateLimit: { calls: 20, windowMs: 1000 } }, config: { ioBudget: { calls: 150, windowMs: 1000 } } });
    await sendMany(t, 80);
    await t.until(async () => (await countByStatus(t)).delivered === 80, 60_000);
    const stats = t.sim.stats();
    expect(stats.perAccount.aggregator.rejected429).toBeGreaterThan(0);
    // After a 429 the whole account waits: the storm stays small next to the calls that succeeded.
    expect(stats.perAccount.aggregator.rejected429).toBeLessThan(stats.perAccount.aggregator.calls);
    expect(stats.messages).toBe(80);
    expect(stats.duplicates).toBe(0);
    const history = await sql<{ reason: string }>`select reason from message_events where reason like 'IO rate limit%'`.execute(t.genio.database.db);
    expect(history.rows.length).toBeGreaterThan(0);
  }, 90_000);

  it('delivers every message through a storm of 5xx answers and time-outs', async () => {
    t = await startTestGenio({
      sim: { rateLimit: null, errorRate: 0.3, timeoutRate: 0.1 },
      config: { ioBudget: null, ioTimeoutMs: 300, retryBaseMs: 20, retryMaxDelayMs: 500, retryMaxAttempts: 30 },
    });
    await sendMany(t, 150);
    await t.until(async () => (await countByStatus(t)).delivered === 150, 60_000);
    const stats = t.sim.stats();
    expect(stats.byStatus['500']).toBeGreaterThan(0);
    expect(stats.byStatus.timeout).toBeGreaterThan(0);
    // A submit that timed out may have reached IO: such a resend is the only duplicate allowed, and it is counted.
    const { rows } = await sql<{ n: number }>`select coalesce(sum(possible_duplicate), 0) as n from messages`.execute(t.genio.database.db);
    expect(stats.duplicates).toBeLessThanOrEqual(Number(rows[0].n));
  }, 90_000);
});
