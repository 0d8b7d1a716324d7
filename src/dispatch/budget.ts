/**
 * The IO budget of one account: at most `calls` in ANY sliding window of `windowMs` (FACTS.md §7).
 *
 * Two rules together:
 * - a log of the last `calls` call starts is the hard limit: a call may start only when the oldest
 *   of them is more than a window (plus a margin for calls that reach IO late) in the past;
 * - a pace of one call every window/calls spreads calls evenly, so the account is not spent in a
 *   burst and then idle for a whole window, which would hold a newly queued message up to 5 s.
 * A 429 from IO holds the whole account until its retry-after has passed.
 * Time is a parameter (`now`), so tests drive it.
 */
export interface BudgetLimits {
  calls: number;
  windowMs: number;
}

export class AccountBudget {
  private readonly starts: number[];
  private head = 0;
  private count = 0;
  private nextPaceAt = 0;
  private heldUntil = 0;
  private readonly window: number;
  private readonly pace: number;
  /** Calls allowed back to back before pacing applies. */
  private readonly burst: number;

  constructor(readonly limits: BudgetLimits | null, marginMs = 0) {
    this.starts = new Array(limits?.calls ?? 0).fill(0);
    this.window = limits ? limits.windowMs + marginMs : 0;
    this.pace = limits ? this.window / limits.calls : 0;
    this.burst = limits ? Math.max(1, Math.floor(limits.calls / 15)) : 0;
  }

  /** The earliest time a call may start (≤ now when one may start now). */
  nextAt(now: number): number {
    let at = Math.max(now, this.heldUntil);
    if (!this.limits) return at;
    if (this.count === this.limits.calls) at = Math.max(at, this.starts[this.head] + this.window);
    return Math.max(at, this.nextPaceAt - this.pace * (this.burst - 1));
  }

  /** Starts a call if the budget allows it now. */
  tryTake(now: number): boolean {
    if (this.nextAt(now) > now) return false;
    if (!this.limits) return true;
    const n = this.limits.calls;
    // Under sustained load the log is full and binds at each window's edge: the pace credit that
    // built up meanwhile must not turn into a burst, or calls come in clumps once a window.
    if (this.count === n) this.nextPaceAt = Math.max(this.nextPaceAt, now + this.pace * (this.burst - 1));
    if (this.count < n) {
      this.starts[(this.head + this.count) % n] = now;
      this.count++;
    } else {
      this.starts[this.head] = now;
      this.head = (this.head + 1) % n;
    }
    this.nextPaceAt = Math.max(this.nextPaceAt, now) + this.pace;
    return true;
  }

  /** IO said 429: nothing starts on this account before `until`. */
  hold(until: number): void {
    this.heldUntil = Math.max(this.heldUntil, until);
  }

  heldAt(now: number): boolean {
    return this.heldUntil > now;
  }

  /** Calls started in the last window: what `genio_io_budget_used` reports. */
  used(now: number): number {
    if (!this.limits) return 0;
    let used = 0;
    for (let i = 0; i < this.count; i++) if (this.starts[(this.head + i) % this.limits.calls] > now - this.window) used++;
    return used;
  }
}

type Waiter = { resolve: () => void; reject: (err: Error) => void };
type Entry = { account: string; budget: AccountBudget; queue: Waiter[]; timer: NodeJS.Timeout | null };

/**
 * What one process cannot see alone: the calls other processes start on the same account. On
 * PostgreSQL the gate is the cluster-wide budget (shared-budget.ts); on SQLite there is none.
 * A call starts only when both the local budget (pacing, 429 hold) and the gate allow it.
 */
export interface BudgetGate {
  /** Takes a token for one call of `account` starting at `now`; false when none is at hand now. `wanted`: callers waiting. */
  tryTake(account: string, limits: BudgetLimits, now: number, wanted: number): boolean;
  /** After tryTake said false: when to try again, or null when the gate will call back (a claim is under way). */
  retryAt(account: string, now: number): number | null;
  /** A 429 seen here: every process is to hold the account until `until`. */
  hold(account: string, until: number): void;
  /** Budgets registers here: the gate calls back when a claim ends, with the account's hold as the cluster knows it. */
  listen(onChange: (account: string, heldUntil: number) => void): void;
  /** Resolves when nothing the gate started is still running (before the database closes). */
  drain(): Promise<void>;
}

/** Thrown to callers still waiting for budget when the process stops: they never started their call. */
export class BudgetClosedError extends Error {
  constructor() {
    super('stopping: the IO call was not started');
  }
}

/**
 * Budgets of all accounts, with a first-come queue per account: callers `await acquire(account)`
 * and start their call when it resolves. One timer per account wakes the queue. With a gate
 * (PostgreSQL), each start also takes a token of the account's cluster-wide budget.
 */
export class Budgets {
  private closed = false;
  private readonly accounts = new Map<string, Entry>();

  constructor(
    private readonly limitsFor: (account: string) => BudgetLimits | null,
    private readonly marginMs: number,
    private readonly clock: () => number = Date.now,
    private readonly gate: BudgetGate | null = null,
  ) {
    gate?.listen((account, heldUntil) => this.gateChanged(account, heldUntil));
  }

  get(account: string): AccountBudget {
    return this.entry(account).budget;
  }

  private entry(account: string) {
    let e = this.accounts.get(account);
    if (!e) {
      e = { account, budget: new AccountBudget(this.limitsFor(account), this.marginMs), queue: [], timer: null };
      this.accounts.set(account, e);
    }
    return e;
  }

  acquire(account: string): Promise<void> {
    if (this.closed) return Promise.reject(new BudgetClosedError());
    const e = this.entry(account);
    if (!e.queue.length && this.take(e, this.clock(), 1)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      e.queue.push({ resolve, reject });
      this.pump(e);
    });
  }

  /** How many callers wait for this account's budget. */
  waiting(account: string): number {
    return this.accounts.get(account)?.queue.length ?? 0;
  }

  hold(account: string, until: number): void {
    this.entry(account).budget.hold(until);
    this.gate?.hold(account, until);
  }

  snapshot(now: number): Array<{ account: string; used: number; limit: number; waiting: number }> {
    return [...this.accounts].map(([account, e]) => ({ account, used: e.budget.used(now), limit: e.budget.limits?.calls ?? 0, waiting: e.queue.length }));
  }

  /** Starts a call if the local budget allows it now and the gate (if any) gives a token. */
  private take(e: Entry, now: number, wanted: number): boolean {
    if (e.budget.nextAt(now) > now) return false;
    if (this.gate && e.budget.limits && !this.gate.tryTake(e.account, e.budget.limits, now, wanted)) return false;
    return e.budget.tryTake(now);
  }

  private pump(e: Entry): void {
    if (e.timer || this.closed) return;
    const now = this.clock();
    while (e.queue.length && this.take(e, now, e.queue.length)) e.queue.shift()!.resolve();
    if (!e.queue.length) return;
    let at = e.budget.nextAt(now);
    if (at <= now && this.gate) {
      const retry = this.gate.retryAt(e.account, now);
      if (retry === null) return; // a claim is under way: gateChanged pumps when it ends
      at = retry;
    }
    const delay = Math.max(1, Math.ceil(at - now));
    e.timer = setTimeout(() => {
      e.timer = null;
      this.pump(e);
    }, delay);
  }

  /** The gate finished a claim: take on the cluster's hold, and serve the queue with the new tokens. */
  private gateChanged(account: string, heldUntil: number): void {
    if (this.closed) return;
    const e = this.entry(account);
    e.budget.hold(heldUntil);
    if (e.timer) clearTimeout(e.timer);
    e.timer = null;
    this.pump(e);
  }

  /** Waits for the gate's statements still running (claims, holds): call before the database closes. */
  drain(): Promise<void> {
    return this.gate?.drain() ?? Promise.resolve();
  }

  /** At shutdown: no new call starts; waiters get a BudgetClosedError and leave their message queued. */
  close(): void {
    this.closed = true;
    for (const e of this.accounts.values()) {
      if (e.timer) clearTimeout(e.timer);
      e.timer = null;
      for (const w of e.queue.splice(0)) w.reject(new BudgetClosedError());
    }
  }
}
