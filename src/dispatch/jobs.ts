/**
 * Periodic jobs, all of one shape: a name, an interval and `run(now)`. One runner starts and stops
 * them; a job never overlaps itself, and a failing round is logged and tried at the next interval.
 */
import type { Logger } from '../log.ts';

export interface Job {
  name: string;
  intervalMs: number;
  /** Returns true when it did work and may have more: the runner then calls it again soon. */
  run(now: number): Promise<boolean | void>;
}

export class JobRunner {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly active = new Set<string>();
  private readonly again = new Set<string>();
  private stopped = true; // until start()

  constructor(private readonly jobs: Job[], private readonly log: Logger, private readonly clock: () => number = Date.now) {}

  start(): void {
    this.stopped = false;
    for (const job of this.jobs) this.plan(job, 0);
  }

  private plan(job: Job, ms: number): void {
    if (this.stopped) return;
    this.timers.set(job.name, setTimeout(() => {
      this.active.add(job.name);
      const p = job
        .run(this.clock())
        .then(
          (more) => more === true,
          (err) => {
            this.log.error({ job: job.name, err: (err as Error).message }, 'periodic job failed');
            return false;
          },
        )
        .then((more) => {
          this.active.delete(job.name);
          this.plan(job, more || this.again.delete(job.name) ? 0 : job.intervalMs);
        })
        .finally(() => this.running.delete(p));
      this.running.add(p);
    }, ms));
  }

  /** Runs a job now (or right after its current round) instead of at its next interval. */
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

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }
}
