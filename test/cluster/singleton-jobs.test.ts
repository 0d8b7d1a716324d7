/**
 * Issue 5's singleton test with real processes: three `genio serve` on one PostgreSQL database
 * share the cluster-wide jobs (schedule promotion every second, lease recovery, the purges). The
 * process that ran the last round of schedule promotion is killed with SIGKILL: the jobs go on in
 * the survivors, each still at most once per period, the purges are not run a second time, and
 * the messages scheduled across the kill are sent once each.
 *
 * Each process logs a line per singleton round at debug level (jobs.ts); the test reads them
 * from every process's output, the killed one's up to its death.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { POSTGRES_URL } from '../support/genio.ts';
import { messageBody } from '../support/factories.ts';
import { startCluster, untilFinished, type Cluster } from '../support/cluster.ts';

const LEASE_MS = 3000;
/** Period of each job, as src/server.ts sets them with GENIO_LEASE=3s. */
const PERIODS: Record<string, number> = {
  'promote-scheduled': 1000,
  'requeue-expired-leases': LEASE_MS,
  'purge-personal-data': 3_600_000,
  'purge-web-sessions': 600_000,
};
const SCHEDULED = 20;

interface Round {
  job: string;
  owner: string;
  ranAt: number;
  process: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

(POSTGRES_URL ? describe : describe.skip)('singleton jobs of three genio serve processes', () => {
  let c: Cluster;
  const rounds: Round[] = [];
  beforeAll(async () => {
    c = await startCluster({
      budget: { calls: 400, windowMs: 1000 },
      processes: 3,
      env: { GENIO_LEASE: `${LEASE_MS}ms`, GENIO_LOG_LEVEL: 'debug' },
      onLogLine: (line, process) => {
        if (!line.includes('singleton job round')) return;
        const { job, owner, ranAt } = JSON.parse(line) as Round;
        rounds.push({ job, owner, ranAt, process });
      },
    });
  }, 90_000);
  afterAll(async () => c?.close());

  it('run once per period while the process that held them is killed, and move to the survivors', async () => {
    // Messages due just after the kill: only schedule promotion, now in a survivor, queues them.
    const dueAt = Date.now() + 6000;
    for (let i = 1; i <= SCHEDULED; i++) {
      const { key, service } = c.keys[i % 2];
      const res = await fetch(`${c.procs[i % 3].url}/api/v1/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(messageBody(service, i, { scheduled_at: new Date(dueAt + i * 100).toISOString() })),
      });
      expect(res.status, await res.text()).toBe(202);
    }
    await sleep(4000);

    // The holder: the process whose id is on the job's lease row (it ran the last round).
    const { rows } = await sql<{ owner: string }>`select owner from job_leases where name = 'promote-scheduled'`.execute(c.database.db);
    const holder = rounds.findLast((r) => r.owner === rows[0].owner)!.process;
    const killedAt = Date.now();
    c.procs[holder].child.kill('SIGKILL');
    await new Promise((r) => c.procs[holder].child.once('exit', r));
    await sleep(10_000);
    const endAt = Date.now();

    for (const [job, period] of Object.entries(PERIODS)) {
      const runs = rounds.filter((r) => r.job === job).sort((a, b) => a.ranAt - b.ranAt);
      const at = runs.map((r) => `${r.ranAt - killedAt}@${r.process}`).join(' ');
      // Never two rounds within one period, in any processes.
      for (let i = 1; i < runs.length; i++) expect(runs[i].ranAt - runs[i - 1].ranAt, `${job}: ${at}`).toBeGreaterThanOrEqual(period);
      if (period > endAt - killedAt) {
        // A purge ran once at the start and, its period not over, not again after the kill.
        expect(runs.length, `${job}: ${at}`).toBe(1);
        continue;
      }
      // After the kill the job goes on in the survivors, without a missed period beyond the lease.
      const after = runs.filter((r) => r.ranAt > killedAt);
      expect(after.length, `${job}: ${at}`).toBeGreaterThanOrEqual(Math.floor((endAt - killedAt - LEASE_MS) / period) - 1);
      expect(after.every((r) => r.process !== holder), `${job}: ${at}`).toBe(true);
      const gaps = [runs.findLast((r) => r.ranAt <= killedAt)!, ...after].map((r, i, a) => (i ? r.ranAt - a[i - 1].ranAt : 0));
      expect(Math.max(...gaps), `${job}: ${at}`).toBeLessThanOrEqual(period + LEASE_MS + 1000);
    }

    // The scheduled messages were promoted by a survivor and reached IO once each.
    await untilFinished(c, SCHEDULED, 60_000);
    const stats = await c.sim.stats();
    expect(stats.messages).toBe(SCHEDULED);
    expect(stats.duplicates).toBe(0);
  }, 120_000);
});
