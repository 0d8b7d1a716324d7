/**
 * Batches the outcomes of many IO calls into one transaction every millisecond or so: one commit
 * for hundreds of status changes instead of hundreds of commits (the difference between ~300 and
 * several thousand messages/s on SQLite; bench/dispatch.ts). Outcomes that come during a flush go
 * in the next one, so under load the batches grow by themselves; a longer wait only added latency
 * to the 'submitting' mark each submit waits for (5 ms: ~10 % fewer messages/s). Nothing is lost
 * if a flush fails: the batch stays and is tried again, and the leases keep the messages safe
 * meanwhile.
 *
 * On SQLite the dispatcher's claims ride in the same transactions (`transact`): a round comes
 * about when a flush does (both follow the end of calls), and a commit cost more than either.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/db.ts';
import type { Schema } from '../store/schema.ts';
import { applyOutcomes, type Outcome } from '../store/outbox/outcomes.ts';
import type { Logger } from '../log.ts';

interface Pending {
  outcome: Outcome;
  resolve: (applied: boolean) => void;
}

interface Work {
  run: (trx: Kysely<Schema>) => Promise<unknown>;
  resolve: (result: unknown) => void;
  reject: (err: Error) => void;
}

export class OutcomeWriter {
  private pending: Pending[] = [];
  private work: Work[] = [];
  private timer: NodeJS.Timeout | null = null;
  private timerDue = 0;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly database: Database,
    private readonly owner: string,
    private readonly log: Logger,
    private readonly onApplied: (applied: Outcome[], lost: Outcome[]) => void,
    private readonly opts = { delayMs: 1, maxBatch: 400 },
    private readonly clock: () => number = Date.now,
  ) {}

  /** Records an outcome; resolves true once committed, false if the lease had passed to another worker. */
  push(outcome: Outcome): Promise<boolean> {
    return new Promise((resolve) => {
      this.pending.push({ outcome, resolve });
      if (this.pending.length >= this.opts.maxBatch) this.kick(0);
      else this.kick(this.opts.delayMs);
    });
  }

  /**
   * Records an outcome without waiting for its commit: for the last outcome of a call, so that
   * its slot goes to the next message at once instead of after the next flush (waiting held each
   * call's slot ~5–20 ms longer, and SQLite dispatch ran at a third of what the simulator allows).
   * Safe: until the commit the message stays `sending` under this worker's lease, exactly as while
   * waiting; shutdown drains the writer.
   */
  record(outcome: Outcome): void {
    void this.push(outcome);
  }

  /**
   * Runs `run` in the next flush's transaction, after its outcomes; resolves with its result once
   * committed. If the transaction fails, it rejects (the outcomes are tried again; the work is not).
   */
  transact<T>(run: (trx: Kysely<Schema>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.work.push({ run, resolve: resolve as (r: unknown) => void, reject });
      this.kick(0);
    });
  }

  private kick(delay: number): void {
    if (this.flushing) return; // the running flush schedules the next one
    const due = Date.now() + delay;
    if (this.timer && this.timerDue <= due) return; // a sooner flush is planned
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flushing = this.flush().finally(() => {
        this.flushing = null;
        if (this.work.length || this.pending.length >= this.opts.maxBatch) this.kick(0);
        else if (this.pending.length) this.kick(this.opts.delayMs);
      });
    }, delay);
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0, this.opts.maxBatch);
    const work = this.work.splice(0);
    if (!batch.length && !work.length) return;
    // One outcome per message per batch: a later one for the same message waits for the next batch.
    const seen = new Set<string>();
    const now: Pending[] = [];
    const later: Pending[] = [];
    for (const p of batch) (seen.has(p.outcome.id) ? later : now).push(p), seen.add(p.outcome.id);
    this.pending.unshift(...later);
    try {
      const { applied, lost, results } = await this.database.db.transaction().execute(async (trx) => {
        const outcomes = now.length ? await applyOutcomes(trx, this.owner, now.map((p) => p.outcome), this.clock()) : { applied: [], lost: [] };
        const results: unknown[] = [];
        for (const w of work) results.push(await w.run(trx));
        return { ...outcomes, results };
      });
      const appliedSet = new Set(applied);
      this.onApplied(applied, lost);
      for (const p of now) p.resolve(appliedSet.has(p.outcome));
      work.forEach((w, i) => w.resolve(results[i]));
    } catch (err) {
      for (const w of work) w.reject(err as Error);
      if (!now.length) return;
      this.log.error({ err: (err as Error).message, outcomes: now.length }, 'recording outcomes failed; trying again');
      this.pending.unshift(...now);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Waits until everything pushed so far is committed (used at shutdown). */
  async drain(): Promise<void> {
    for (;;) {
      if (this.flushing) {
        await this.flushing;
        continue;
      }
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      if (!this.pending.length && !this.work.length) return;
      this.flushing = this.flush().finally(() => (this.flushing = null));
    }
  }
}
