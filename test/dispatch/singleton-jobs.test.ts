/**
 * Singleton jobs across processes: three JobRunners, each with its own connection to one database
 * (as three GeNIO processes would be), run a singleton job once per period between them. When the
 * process running it dies in a round (kill -9, simulated with `abandon()`), another takes it over
 * once the lease ends; when it dies between rounds, the next round starts on time elsewhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/db.ts';
import { JobRunner } from '../../src/dispatch/jobs.ts';
import { createLogger } from '../../src/log.ts';
import { DB_KINDS, openShared } from '../support/genio.ts';

const PERIOD = 200;
const LEASE = 600;
// Timers on a shared 2-core machine fire late now and then.
const SLACK = 250;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Run {
  runner: number;
  at: number;
}

/** Consecutive runs start at least a period apart, so no two share a period window. */
function expectOncePerPeriod(runs: Run[]) {
  const at = runs.map((r) => r.at);
  for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1], `runs ${i - 1} and ${i}: ${at.join(', ')}`).toBeGreaterThanOrEqual(PERIOD);
  expect(new Set(at.map((t) => Math.floor(t / PERIOD))).size).toBe(at.length);
}

describe.each(DB_KINDS)('singleton jobs on %s', (kind) => {
  let dbs: Database[] = [];
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ dbs, close } = await openShared(kind, 3));
  });
  afterAll(async () => close?.());

  it('run once per period among three processes, and move to a survivor when the holder dies', async () => {
    const runs: Run[] = [];
    let kill: 'in-round' | 'after-round' | null = null;
    const log = createLogger('warn');
    const runners: JobRunner[] = dbs.map(
      (database, i) =>
        new JobRunner(
          [{
            name: 'tick',
            singleton: true,
            intervalMs: PERIOD,
            run: async (now) => {
              runs.push({ runner: i, at: now });
              if (kill === 'in-round') runners[i].abandon(); // dies holding the lease
              if (kill === 'after-round') setTimeout(() => runners[i].abandon(), PERIOD / 4); // dies between rounds
              kill = null;
            },
          }],
          log,
          Date.now,
          { database, leaseMs: LEASE, owner: `process-${i}` },
        ),
    );
    const t0 = Date.now();
    for (const r of runners) r.start();
    try {
      // 1. Three processes, one job: once per period, none skipped.
      await sleep(2000);
      const t1 = Date.now();
      const first = runs.filter((r) => r.at < t1);
      expectOncePerPeriod(first);
      const periods = Math.floor((t1 - t0) / PERIOD);
      expect(first.length).toBeGreaterThanOrEqual(periods - 2);
      expect(first.length).toBeLessThanOrEqual(periods + 1);

      // 2. The holder is killed in its round: nobody runs the job until its lease ends, then a
      // survivor does, and keeps the period.
      kill = 'in-round';
      await sleep(PERIOD + LEASE + 700);
      const killedAt = runs.findIndex((r) => r.at >= t1);
      const killed = runs[killedAt];
      const after = runs.slice(killedAt + 1);
      expect(after.length).toBeGreaterThan(0);
      expect(after.every((r) => r.runner !== killed.runner)).toBe(true);
      const gap = after[0].at - killed.at;
      expect(gap).toBeGreaterThanOrEqual(LEASE);
      expect(gap).toBeLessThanOrEqual(LEASE + SLACK);
      expectOncePerPeriod(after);
      const t2 = Date.now();
      expect(after.length).toBeGreaterThanOrEqual(Math.floor((t2 - after[0].at) / PERIOD) - 1);

      // 3. The new holder is killed between rounds: it held no lease, so the last survivor runs
      // the next round one period after the last one.
      kill = 'after-round';
      await sleep(PERIOD + 600);
      const lastKilledAt = runs.findIndex((r) => r.at >= t2);
      const lastKilled = runs[lastKilledAt];
      const rest = runs.slice(lastKilledAt + 1);
      expect(rest.length).toBeGreaterThan(2);
      expect(rest.every((r) => r.runner !== lastKilled.runner && r.runner !== killed.runner)).toBe(true);
      expect(rest[0].at - lastKilled.at).toBeGreaterThanOrEqual(PERIOD);
      expect(rest[0].at - lastKilled.at).toBeLessThanOrEqual(PERIOD + SLACK);
      expectOncePerPeriod(runs);
      console.log(`singleton jobs on ${kind}: ${runs.length} runs in ${Date.now() - t0} ms (period ${PERIOD} ms), ` +
        `runners ${runs.map((r) => r.runner).join('')}; takeover after kill in a round ${gap} ms (lease ${LEASE} ms)`);
    } finally {
      for (const r of runners) await r.stop();
    }
  }, 15_000);

  it('wake() runs a singleton as soon as its period allows, and stop() releases the lease', async () => {
    const runs: number[] = [];
    const database = dbs[0];
    const runner = new JobRunner(
      [{ name: 'woken', singleton: true, intervalMs: 300, run: async (now) => void runs.push(now) }],
      createLogger('warn'),
      Date.now,
      { database, leaseMs: LEASE },
    );
    runner.start();
    await sleep(50);
    expect(runs).toHaveLength(1);
    runner.wake('woken'); // too early: it runs when the period has passed, not before
    await sleep(100);
    expect(runs).toHaveLength(1);
    await sleep(220);
    expect(runs).toHaveLength(2);
    expect(runs[1] - runs[0]).toBeGreaterThanOrEqual(300);
    await runner.stop();
    const row = await database.db.selectFrom('job_leases').selectAll().where('name', '=', 'woken').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ owner: runner.owner, lease_until: null, last_run_at: runs[1] });
  });
});
