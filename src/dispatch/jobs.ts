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
  private stopped = false;

  constructor(private readonly jobs: Job[], private readonly log: Logger, private readonly clock: () => number = Date.now) {}

  start(): void {
    this.stopped = false;
    for (const job of this.jobs) this.plan(job, 0);
  }

  private plan(job: Job, ms: number): void {
    if (this.stopped) return;
    this.timers.set(job.name, setTimeout(() => {
      const p = job
        .run(this.clock())
        .then((more) => this.plan(job, more ? 0 : job.intervalMs))
        .catch((err) => {
          this.log.error({ job: job.name, err: (err as Error).message }, 'periodic job failed');
          this.plan(job, job.intervalMs);
        })
        .finally(() => this.running.delete(p));
      this.running.add(p);
    }, ms));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }
}
