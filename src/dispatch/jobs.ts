/**
 * Periodic jobs, all of one shape: a name, an interval and `run(now)`. One runner starts and stops
 * them; a job never overlaps itself, and a failing round is logged and tried at the next interval.
 *
 * A `singleton` job does work that is the whole cluster's (purges, schedule promotion, lease
 * recovery): every process's runner asks the database for each round (store/job-leases.ts), so it
 * runs in one process at a time and at most once per `intervalMs` across all of them; when the
 * process running it dies, another takes it over once the round's lease ends.
 */
import os from 'node:os';
import { ulid } from 'ulid';
import type { Logger } from '../log.ts';
import type { Database } from '../store/db.ts';
import { claimJob, finishJob, renewJobLease } from '../store/job-leases.ts';

export interface Job {
  name: string;
  /** Pause between rounds; for a singleton, also its period: the least time between two rounds cluster-wide. */
  intervalMs: number;
  /** One process of the cluster at a time, once per period (needs the runner's `database`). */
  singleton?: boolean;
  /** Returns true when it did work and may have more: the runner then calls it again soon. */
  run(now: number): Promise<boolean | void>;
}

export interface JobRunnerOptions {
  /** Where singleton jobs take their leases. */
  database?: Database;
  /**
   * How long a singleton round may go unrenewed before another process takes the job over: the
   * delay after a holder's kill -9. Renewed every third of it while the round runs, so a long
   * round keeps it; only a stalled or dead process loses it.
   */
  leaseMs?: number;
  /** This process in `job_leases` (default: host, pid and a random part). */
  owner?: string;
}

export const DEFAULT_JOB_LEASE_MS = 60_000;
// Floor of a planned retry: a claim lost to a row changing under it must not spin.
const MIN_RETRY_MS = 5;

export class JobRunner {
  readonly owner: string;
  private readonly leaseMs: number;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly heartbeats = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly active = new Set<string>();
  private readonly again = new Set<string>();
  private stopped = true; // until start()
  private abandoned = false;

  constructor(
    private readonly jobs: Job[],
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
    private readonly options: JobRunnerOptions = {},
  ) {
    if (jobs.some((j) => j.singleton) && !options.database) throw new Error('JobRunner: singleton jobs need a database for their leases');
    this.leaseMs = options.leaseMs ?? DEFAULT_JOB_LEASE_MS;
    this.owner = options.owner ?? `${os.hostname()}/${process.pid}/${ulid().slice(-8)}`;
  }

  start(): void {
    this.stopped = false;
    for (const job of this.jobs) this.plan(job, 0);
  }

  private plan(job: Job, ms: number): void {
    if (this.stopped) return;
    this.timers.set(job.name, setTimeout(() => {
      this.active.add(job.name);
      const p = (job.singleton ? this.singletonRound(job) : this.localRound(job))
        .then((next) => {
          this.active.delete(job.name);
          if (next !== null) this.plan(job, this.again.delete(job.name) ? 0 : next);
        })
        .finally(() => this.running.delete(p));
      this.running.add(p);
    }, ms));
  }

  /** Runs the job once; true when it asks to run again at once. Failures are logged, not thrown. */
  private attempt(job: Job, now: number): Promise<boolean> {
    return job.run(now).then(
      (more) => more === true,
      (err) => {
        this.log.error({ job: job.name, err: (err as Error).message }, 'periodic job failed');
        return false;
      },
    );
  }

  /** A job every process runs. Returns the delay to its next round. */
  private async localRound(job: Job): Promise<number> {
    return (await this.attempt(job, this.clock())) ? 0 : job.intervalMs;
  }

  /** A singleton's round, if the claim allows it. Returns the delay to the next try (null: abandoned). */
  private async singletonRound(job: Job): Promise<number | null> {
    const database = this.options.database!;
    const ref = { name: job.name, owner: this.owner };
    const ranAt = this.clock();
    const later = (at: number) => Math.min(Math.max(at - this.clock(), MIN_RETRY_MS), Math.max(job.intervalMs, this.leaseMs));
    let claim;
    try {
      claim = await claimJob(database, { ...ref, now: ranAt, periodMs: job.intervalMs, leaseMs: this.leaseMs });
    } catch (err) {
      this.log.error({ job: job.name, err: (err as Error).message }, 'periodic job: lease claim failed');
      return job.intervalMs;
    }
    if (this.abandoned) return null;
    if (!claim.won) return later(claim.retryAt);
    // One line per cluster-wide round: which process ran which job when (tests read these).
    this.log.debug({ job: job.name, owner: this.owner, ranAt }, 'singleton job round');

    let lost = false;
    let renewing: Promise<unknown> = Promise.resolve();
    const heartbeat = setInterval(() => {
      renewing = renewJobLease(database, { ...ref, now: this.clock(), leaseMs: this.leaseMs }).then(
        (ok) => {
          if (ok || lost) return;
          lost = true;
          this.log.warn({ job: job.name }, 'periodic job: lease lost to another process (this one stalled past it)');
        },
        (err) => this.log.warn({ job: job.name, err: (err as Error).message }, 'periodic job: lease renewal failed'),
      );
    }, Math.max(1, Math.floor(this.leaseMs / 3)));
    this.heartbeats.add(heartbeat);
    let more = await this.attempt(job, ranAt);
    // More work in the same period stays in this round, under the same lease.
    while (more && !lost && !this.stopped) more = await this.attempt(job, this.clock());
    clearInterval(heartbeat);
    this.heartbeats.delete(heartbeat);
    await renewing;
    if (this.abandoned) return null;
    try {
      // Cut short by stop(): release without counting the round, so another process goes on at once.
      await finishJob(database, { ...ref, ranAt: more && !lost ? undefined : ranAt });
    } catch (err) {
      // The lease then simply expires.
      this.log.error({ job: job.name, err: (err as Error).message }, 'periodic job: lease release failed');
    }
    return later(ranAt + job.intervalMs);
  }

  /** Runs a job now (or right after its current round) instead of at its next interval; a singleton as soon as its claim allows. */
  wake(name: string): void {
    const job = this.jobs.find((j) => j.name === name);
    if (!job || this.stopped) return;
    if (this.active.has(name)) {
      this.again.add(name);
      return;
    }
    clearTimeout(this.timers.get(name));
    this.plan(job, 0);
  }

  /** SIGTERM: no new rounds; waits for the rounds running, which release their leases. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }

  /**
   * What kill -9 leaves behind, for tests: every timer stops at once, heartbeats included, and
   * nothing more is written; a lease held stays until it expires. A round already in progress
   * still finishes its own work, but neither records nor releases it.
   */
  abandon(): void {
    this.abandoned = true;
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const h of this.heartbeats) clearInterval(h);
    this.heartbeats.clear();
  }
}
