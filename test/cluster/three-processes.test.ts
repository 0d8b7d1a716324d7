/**
 * Issue 5's cluster test: three `genio serve` processes on one PostgreSQL database, 20 000
 * messages over two IO accounts, through the IO simulator with IO's rate limit set to the budget.
 * Every message is delivered exactly once at the simulator, the simulator never sees more calls
 * per account in any window than the budget, and every process does a share of the work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL } from '../support/genio.ts';
import { counterSum } from '../support/serve-process.ts';
import { ACCOUNTS, startCluster, untilFinished, type Cluster } from '../support/cluster.ts';

const MESSAGES = 20_000;
/** Per account, per window: the simulator refuses above it, GeNIO's processes share it. */
const BUDGET = { calls: 400, windowMs: 1000 };

(POSTGRES_URL ? describe : describe.skip)('three genio serve processes on one PostgreSQL database', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster({ budget: BUDGET, processes: 3 });
  }, 90_000);
  afterAll(async () => c?.close());

  it('delivers 20 000 messages over two accounts exactly once, within the budget, with every process working', async () => {
    // Half as single messages spread over the three processes' APIs, half as one JSON batch per account.
    const singles = MESSAGES / 2;
    await c.post(1, singles);
    const perBatch = (MESSAGES - singles) / 2;
    for (const ente of [0, 1]) await c.postBatch(ente, singles + ente * perBatch + 1, perBatch, ente);
    await untilFinished(c, MESSAGES, 300_000);

    const stats = await c.sim.stats();
    const why = async () => {
      const timeouts = await Promise.all(c.procs.map((p) => fetch(`${p.url}/metrics`).then((r) => r.text()).then((t) => [...t.matchAll(/^genio_io_calls_total\{[^}]*result="(?:timeout|network)"[^}]*\} (\S+)$/gm)].reduce((a, m) => a + Number(m[1]), 0))));
      const possible = await Promise.all(c.procs.map((p) => counterSum(p.url, 'genio_possible_duplicates_total')));
      return `timeouts/network errors per process: ${timeouts.join(', ')}; possible duplicates per process: ${possible.join(', ')}`;
    };
    expect(stats.duplicates, await why()).toBe(0);
    expect(stats.messages, await why()).toBe(MESSAGES);
    for (const account of ACCOUNTS) {
      expect(stats.perAccount[account].rejected429, `429s on ${account}`).toBe(0);
      expect(stats.perAccount[account].maxInAnyWindow, `calls in one window on ${account}`).toBeLessThanOrEqual(BUDGET.calls);
    }
    const calls = await Promise.all(c.procs.map((p) => counterSum(p.url, 'genio_io_calls_total')));
    const total = calls.reduce((a, b) => a + b, 0);
    for (const [i, n] of calls.entries()) expect(n / total, `share of process ${i + 1}: ${calls.join(', ')}`).toBeGreaterThan(0.15);
  }, 400_000);
});
