/**
 * Issue 5's rolling-restart test: three `genio serve` processes sending on one PostgreSQL
 * database; midway one is killed with SIGKILL and another stopped with SIGTERM and started again.
 * Nothing accepted is lost, every message ends delivered, IO's limit is never passed, and the
 * only duplicates IO sees are submits that were in flight in the killed process, each marked
 * `possible_duplicate` and counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { POSTGRES_URL } from '../support/genio.ts';
import { startServe } from '../support/serve-process.ts';
import { ACCOUNTS, startCluster, untilFinished, type Cluster } from '../support/cluster.ts';

const MESSAGES = 6_000;
const BUDGET = { calls: 400, windowMs: 1000 };

(POSTGRES_URL ? describe : describe.skip)('kill -9 and SIGTERM in a cluster of three', () => {
  let c: Cluster;
  beforeAll(async () => {
    // A short lease: the killed process's messages come back within seconds.
    c = await startCluster(BUDGET, 3, { GENIO_LEASE: '10s' });
  }, 90_000);
  afterAll(async () => c?.close());

  it('loses nothing; duplicates only from the killed process’s in-flight submits, marked and counted', async () => {
    await c.post(1, MESSAGES);
    // Midway through the sending: one process dies at once, another stops gracefully and comes back.
    while ((await c.finished()) < MESSAGES / 4) await new Promise((r) => setTimeout(r, 200));
    const [killed, restarted] = c.procs;
    killed.child.kill('SIGKILL');
    restarted.child.kill('SIGTERM');
    const exit = await new Promise<number | null>((r) => restarted.child.once('exit', (code) => r(code)));
    expect(exit, restarted.stderr()).toBe(0);
    c.procs[1] = await startServe(c.env);

    await untilFinished(c, MESSAGES, 240_000);
    const { rows } = await sql<{ status: string; n: string }>`select status, count(*) as n from messages group by status`.execute(c.database.db);
    expect(Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))).toEqual({ delivered: MESSAGES });

    const stats = c.sim.stats();
    const { rows: marked } = await sql<{ n: string }>`select coalesce(sum(possible_duplicate), 0) as n from messages`.execute(c.database.db);
    // Every message reached IO; any second copy comes from a submit marked as possibly duplicated.
    expect(stats.messages - stats.duplicates).toBe(MESSAGES);
    expect(stats.duplicates).toBeLessThanOrEqual(Number(marked[0].n));
    for (const account of ACCOUNTS) {
      expect(stats.perAccount[account].rejected429, `429s on ${account}`).toBe(0);
      expect(stats.perAccount[account].maxInAnyWindow, `calls in one window on ${account}`).toBeLessThanOrEqual(BUDGET.calls);
    }
  }, 360_000);
});
