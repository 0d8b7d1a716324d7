/**
 * Issue 5's fairness across processes: two enti on one IO account (aggregator mode), three
 * `genio serve` processes. Ente A's batch of 4 000 fills the queue; ente B's batch of 40, posted
 * after it, goes out within seconds, while most of A's is still waiting: every process shares
 * its slots between the enti that have messages queued, so no process serves A's backlog first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { POSTGRES_URL } from '../support/genio.ts';
import { counterSum } from '../support/serve-process.ts';
import { startCluster, type Cluster } from '../support/cluster.ts';

const BIG = 4_000;
const SMALL = 40;
/** Two calls a message (submit, status): about 100 messages a second for the two enti together. */
const BUDGET = { calls: 200, windowMs: 1000 };

(POSTGRES_URL ? describe : describe.skip)('fairness between enti across three processes', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster({ budget: BUDGET, processes: 3, enti: ['aggregator', 'aggregator'] });
  }, 90_000);
  afterAll(async () => c?.close());

  it('sends a small ente’s batch within seconds while a large one of another ente is being sent', async () => {
    const sentOf = async (batchId: string) => {
      const { rows } = await sql<{ n: string; last: string | null }>`select count(sent_at) as n, max(sent_at) as last from messages where batch_id = ${batchId}`.execute(c.database.db);
      return { sent: Number(rows[0].n), last: rows[0].last === null ? null : Number(rows[0].last) };
    };
    const big = await c.postBatch(0, 1, BIG, 0);
    while ((await sentOf(big)).sent < 200) await new Promise((r) => setTimeout(r, 100));

    const postedAt = Date.now();
    const small = await c.postBatch(1, 100_001, SMALL, 1);
    const deadline = postedAt + 30_000;
    let s = await sentOf(small);
    while (s.sent < SMALL && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      s = await sentOf(small);
    }
    const bigSent = (await sentOf(big)).sent;
    expect(s.sent, `small batch sent within 30 s; large batch: ${bigSent} sent`).toBe(SMALL);
    const waited = (s.last! - postedAt) / 1000;
    console.log(`fairness across 3 processes: ente B's ${SMALL} messages all sent ${waited.toFixed(1)} s after posting; ente A had ${bigSent} of ${BIG} sent by then`);
    // In order of arrival B would have waited for A's remaining ~3 000 messages (≈ 30 s).
    expect(waited).toBeLessThan(8);
    expect(BIG - bigSent).toBeGreaterThan(1500);

    // Every process took part in the sending, and IO's limit held.
    const calls = await Promise.all(c.procs.map((p) => counterSum(p.url, 'genio_io_calls_total')));
    for (const n of calls) expect(n, `IO calls per process: ${calls.join(', ')}`).toBeGreaterThan(0);
    const stats = await c.sim.stats();
    expect(stats.perAccount.aggregator.rejected429).toBe(0);
    expect(stats.perAccount.aggregator.maxInAnyWindow).toBeLessThanOrEqual(BUDGET.calls);
  }, 120_000);
});
