/**
 * Leases of singleton periodic jobs: with several GeNIO processes on one database, a singleton job
 * runs in one process at a time and at most once per period, and moves to another process when
 * its holder dies (its lease simply ends).
 *
 * A claim is one upsert whose `where` is the whole rule, so the database decides who wins: on
 * PostgreSQL the second of two concurrent upserts waits for the first's row lock and then
 * re-checks the `where` against the row the first wrote; SQLite runs one writer at a time. No
 * advisory lock (it would tie the job to a connection of the pool, and PgBouncer in transaction
 * mode breaks session locks).
 *
 * A finished round releases its lease and keeps only `last_run_at`: the period, not the lease,
 * spaces the rounds, so any process may take the next round and a process that dies between rounds
 * (nearly always: rounds are short) costs no delay at all. The lease guards only a round in
 * progress; a process that dies inside one delays the job by at most the lease.
 *
 * Times come from each process's clock: machines must agree on the time (NTP) to well within a
 * period and a lease.
 */
import type { Database } from './db.ts';

export interface JobClaim {
  name: string;
  /** Who asks: one id per process. */
  owner: string;
  now: number;
  /** The least time between the starts of two rounds, in any processes. */
  periodMs: number;
  /** How long the round may take before another process may take the job over (renewable). */
  leaseMs: number;
}

/** Won: run the round now. Lost: the earliest time a new claim may succeed (unless things change). */
export type ClaimResult = { won: true } | { won: false; retryAt: number };

/**
 * Claims a round of job `name` for `owner` at `now`. It succeeds when no process holds the job's
 * lease (none yet, released, or expired) or `owner` holds it itself, and a period has passed since
 * the last finished round started. On success `owner` holds the lease until `now + leaseMs`.
 */
export async function claimJob(database: Database, c: JobClaim): Promise<ClaimResult> {
  const won = await database.db
    .insertInto('job_leases')
    .values({ name: c.name, owner: c.owner, lease_until: c.now + c.leaseMs, last_run_at: null })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ owner: c.owner, lease_until: c.now + c.leaseMs })
        .where((eb) =>
          eb.and([
            eb.or([eb('job_leases.lease_until', 'is', null), eb('job_leases.lease_until', '<=', c.now), eb('job_leases.owner', '=', c.owner)]),
            eb.or([eb('job_leases.last_run_at', 'is', null), eb('job_leases.last_run_at', '<=', c.now - c.periodMs)]),
          ]),
        ),
    )
    .returning('name')
    .executeTakeFirst();
  if (won) return { won: true };
  // Read apart from the claim: only to plan the next try, a stale answer costs one more try.
  const row = await database.db.selectFrom('job_leases').selectAll().where('name', '=', c.name).executeTakeFirst();
  const periodEnds = row?.last_run_at != null ? row.last_run_at + c.periodMs : c.now;
  let heldUntil = c.now;
  if (row?.lease_until != null && row.owner !== c.owner && row.lease_until > c.now) {
    // A round in progress elsewhere nearly always releases long before its lease ends; the next
    // round is due a period after that round began (its lease's start, when every process has
    // the same lease), or, if that has passed, look again in a period. Never later than the lease.
    let next = row.lease_until - c.leaseMs + c.periodMs;
    if (next <= c.now) next = c.now + c.periodMs;
    heldUntil = Math.min(next, row.lease_until);
  }
  return { won: false, retryAt: Math.max(c.now, periodEnds, heldUntil) };
}

/**
 * Extends `owner`'s lease of a round in progress to `now + leaseMs`. False when another process
 * has taken the job over (this one stalled past its lease) or the round was already finished.
 */
export async function renewJobLease(database: Database, r: { name: string; owner: string; now: number; leaseMs: number }): Promise<boolean> {
  const res = await database.db
    .updateTable('job_leases')
    .set({ lease_until: r.now + r.leaseMs })
    .where('name', '=', r.name)
    .where('owner', '=', r.owner)
    // A late renewal must not re-take a lease its own round has released.
    .where('lease_until', 'is not', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/**
 * Records that `owner`'s round, claimed at `ranAt`, is over, and releases the lease. Without
 * `ranAt` it only releases: the round was cut short (shutdown) and another process may take it
 * at once. False when another process had taken the job over meanwhile: its own round counts.
 */
export async function finishJob(database: Database, f: { name: string; owner: string; ranAt?: number }): Promise<boolean> {
  const res = await database.db
    .updateTable('job_leases')
    .set({ lease_until: null, ...(f.ranAt !== undefined ? { last_run_at: f.ranAt } : {}) })
    .where('name', '=', f.name)
    .where('owner', '=', f.owner)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}
