/**
 * Batches the outcomes of many IO calls into one transaction every millisecond or so: one commit
 * for hundreds of status changes instead of hundreds of commits (the difference between ~300 and
 * several thousand messages/s on SQLite; bench/dispatch.ts). Outcomes that come during a flush go
 * in the next one, so under load the batches grow by themselves; a longer wait only added latency
 * to the 'submitting' mark each submit waits for (5 ms: ~10 % fewer messages/s). Nothing is lost
 * if a flush fails: the batch stays and is tried again, and the leases keep the messages safe
 * meanwhile.
 */
import type { Database } from '../store/db.ts';
import { applyOutcomes, type Outcome } from '../store/outbox/outcomes.ts';
import type { ProfileEntry } from '../store/profile-cache.ts';
import type { Logger } from '../log.ts';

interface Pending {
  outcome: Outcome;
  resolve: (applied: boolean) => void;
}

/** Profile answers wait at most this long, or until this many, to be stored (see rememberProfile). */
const PROFILE_DELAY_MS = 200;
const PROFILE_BATCH = 1000;

export class OutcomeWriter {
  private pending: Pending[] = [];
  private profiles: ProfileEntry[] = [];
  private profilesSince = 0;
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
   * Remembers a profile answer; it is stored with a batch of outcomes once PROFILE_DELAY_MS have
   * passed or PROFILE_BATCH are waiting. Each answer goes to a random place of the cache's key
   * (a hash), the dearest write of a round: in every flush it lengthened the commit the next
   * submits wait for (SQLite dispatch ~10 % slower). A cache may lag; a lost answer costs a call.
   */
  rememberProfile(entry: ProfileEntry): void {
    if (!this.profiles.length) this.profilesSince = Date.now(); // real time, as the timers: a test's clock may stand still
    this.profiles.push(entry);
    this.kick(this.profiles.length >= PROFILE_BATCH ? this.opts.delayMs : PROFILE_DELAY_MS);
  }

  private profilesDue(): boolean {
    return this.profiles.length >= PROFILE_BATCH || (this.profiles.length > 0 && Date.now() - this.profilesSince >= PROFILE_DELAY_MS);
  }

  private kick(delay: number): void {
    if (this.flushing) return; // the running flush schedules the next one
    const due = Date.now() + delay;
    if (this.timer && this.timerDue <= due) return; // a sooner flush is planned
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flushing = this.flush(false).finally(() => {
        this.flushing = null;
        if (this.pending.length) this.kick(this.pending.length >= this.opts.maxBatch ? 0 : this.opts.delayMs);
        else if (this.profiles.length) this.kick(Math.max(0, this.profilesSince + PROFILE_DELAY_MS - Date.now()));
      });
    }, delay);
  }

  /** `all`: the profile answers too, due or not (at shutdown). */
  private async flush(all: boolean): Promise<void> {
    const batch = this.pending.splice(0, this.opts.maxBatch);
    const profiles = all || this.profilesDue() ? this.profiles.splice(0) : [];
    if (!batch.length && !profiles.length) return;
    // One outcome per message per batch: a later one for the same message waits for the next batch.
    const seen = new Set<string>();
    const now: Pending[] = [];
    const later: Pending[] = [];
    for (const p of batch) (seen.has(p.outcome.id) ? later : now).push(p), seen.add(p.outcome.id);
    this.pending.unshift(...later);
    try {
      const { applied, lost } = await applyOutcomes(this.database, this.owner, now.map((p) => p.outcome), this.clock(), profiles);
      const appliedSet = new Set(applied);
      this.onApplied(applied, lost);
      for (const p of now) p.resolve(appliedSet.has(p.outcome));
    } catch (err) {
      this.log.error({ err: (err as Error).message, outcomes: now.length }, 'recording outcomes failed; trying again');
      this.pending.unshift(...now);
      this.profiles.unshift(...profiles);
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
      if (!this.pending.length && !this.profiles.length) return;
      this.flushing = this.flush(true).finally(() => (this.flushing = null));
    }
  }
}
