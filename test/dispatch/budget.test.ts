import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AccountBudget, BudgetClosedError, Budgets } from '../../src/dispatch/budget.ts';

// FACTS.md §7: default APIM limit is 150 calls in any sliding 5 s window, per APIM account.
const IO_LIMITS = { calls: 150, windowMs: 5000 };
/** AccountBudget lets max(1, floor(calls / 15)) calls start back to back before pacing applies. */
const BURST = Math.max(1, Math.floor(IO_LIMITS.calls / 15));

/** Most starts in any half-open window [s, s + windowMs), s ranging over every start. */
function maxInWindow(starts: number[], windowMs: number): { max: number; at: number } {
  let best = { max: 0, at: 0 };
  let j = 0;
  for (let i = 0; i < starts.length; i++) {
    while (starts[i] - starts[j] >= windowMs) j++;
    if (i - j + 1 > best.max) best = { max: i - j + 1, at: starts[j] };
  }
  return best;
}

/** A caller that tries to start a call every millisecond, as many as the budget allows each time. */
function greedy(budget: AccountBudget, durationMs: number): number[] {
  const starts: number[] = [];
  for (let now = 0; now < durationMs; now++) while (budget.tryTake(now)) starts.push(now);
  return starts;
}

describe('maxInWindow (test helper)', () => {
  it('counts starts in half-open sliding windows', () => {
    expect(maxInWindow([0, 1, 2, 10, 11], 10).max).toBe(3);
    expect(maxInWindow([0, 1, 2, 9, 11], 10).max).toBe(4);
    expect(maxInWindow([0, 0, 0, 10, 10], 10).max).toBe(3);
  });
});

describe('AccountBudget: the sliding window (FACTS.md §7)', () => {
  const DURATION = 60_000;

  it('a greedy caller never gets more than 150 starts into any 5000 ms window', () => {
    const starts = greedy(new AccountBudget(IO_LIMITS, 0), DURATION);
    const worst = maxInWindow(starts, IO_LIMITS.windowMs);
    expect(worst.max, `window starting at ${worst.at} ms holds ${worst.max} starts`).toBeLessThanOrEqual(150);
  });

  it('a greedy caller still gets at least 95% of 150 per 5 s over a minute', () => {
    const starts = greedy(new AccountBudget(IO_LIMITS, 0), DURATION);
    const perWindow = starts.length / (DURATION / IO_LIMITS.windowMs);
    expect(perWindow).toBeGreaterThanOrEqual(0.95 * 150);
  });

  it('with a 250 ms margin no window of 5250 ms holds more than 150 starts', () => {
    const starts = greedy(new AccountBudget(IO_LIMITS, 250), DURATION);
    const worst = maxInWindow(starts, 5250);
    expect(worst.max, `window starting at ${worst.at} ms holds ${worst.max} starts`).toBeLessThanOrEqual(150);
    // The margin is not free: throughput drops to about 150 per 5.25 s, but not much below.
    expect(starts.length / (DURATION / 5250)).toBeGreaterThanOrEqual(0.95 * 150);
  });

  it('holds at other limits too (250/5 s, 10/1 s)', () => {
    for (const limits of [{ calls: 250, windowMs: 5000 }, { calls: 10, windowMs: 1000 }]) {
      const starts = greedy(new AccountBudget(limits, 0), 30_000);
      expect(maxInWindow(starts, limits.windowMs).max).toBeLessThanOrEqual(limits.calls);
      expect(starts.length / (30_000 / limits.windowMs)).toBeGreaterThanOrEqual(0.95 * limits.calls);
    }
  });
});

describe('AccountBudget: pacing', () => {
  const pace = IO_LIMITS.windowMs / IO_LIMITS.calls; // 33.3 ms

  it('an idle account lets only a small burst start at one instant, not the whole window', () => {
    const b = new AccountBudget(IO_LIMITS, 0);
    let started = 0;
    for (let i = 0; i < 150; i++) if (b.tryTake(1000)) started++;
    expect(started).toBe(BURST);
    expect(b.nextAt(1000)).toBeGreaterThan(1000);
    expect(b.nextAt(1000)).toBeLessThanOrEqual(1000 + Math.ceil(pace));
  });

  it('after the first window, never more than `burst` starts at one instant', () => {
    const starts = greedy(new AccountBudget(IO_LIMITS, 0), 60_000).filter((t) => t >= IO_LIMITS.windowMs);
    const perInstant = new Map<number, number>();
    for (const t of starts) perInstant.set(t, (perInstant.get(t) ?? 0) + 1);
    expect(Math.max(...perInstant.values())).toBeLessThanOrEqual(BURST);
  });

  it('in the steady state calls are spread: no gap longer than ~2 pace intervals', () => {
    // Steady state: from the third window on.
    const starts = greedy(new AccountBudget(IO_LIMITS, 0), 60_000).filter((t) => t >= 2 * IO_LIMITS.windowMs);
    let worst = { gap: 0, after: 0 };
    for (let i = 1; i < starts.length; i++) {
      const gap = starts[i] - starts[i - 1];
      if (gap > worst.gap) worst = { gap, after: starts[i - 1] };
    }
    expect(
      worst.gap,
      `a greedy caller waited ${worst.gap} ms after the start at ${worst.after} ms (pace is ${pace.toFixed(1)} ms): ` +
        'the initial burst makes the call log the binding limit once per window, the pacing credit refills during that ' +
        'stall, and the account then bursts again, so the stall+burst repeats every window',
    ).toBeLessThanOrEqual(2 * pace + 1);
  });
});

describe('AccountBudget: hold, no limits, used', () => {
  it('hold(until) blocks every start until then, whatever the budget left', () => {
    const b = new AccountBudget(IO_LIMITS, 0);
    expect(b.tryTake(0)).toBe(true);
    b.hold(3000);
    expect(b.heldAt(0)).toBe(true);
    expect(b.heldAt(2999)).toBe(true);
    expect(b.heldAt(3000)).toBe(false);
    expect(b.nextAt(100)).toBe(3000);
    for (let t = 1; t < 3000; t += 7) expect(b.tryTake(t)).toBe(false);
    expect(b.tryTake(3000)).toBe(true);
  });

  it('a shorter hold does not shorten a longer one', () => {
    const b = new AccountBudget(IO_LIMITS, 0);
    b.hold(5000);
    b.hold(1000);
    expect(b.tryTake(1000)).toBe(false);
    expect(b.nextAt(0)).toBe(5000);
  });

  it('limits: null always allows (but still honours a hold)', () => {
    const b = new AccountBudget(null, 250);
    for (let i = 0; i < 10_000; i++) expect(b.tryTake(42)).toBe(true);
    expect(b.nextAt(42)).toBe(42);
    expect(b.used(42)).toBe(0);
    b.hold(100);
    expect(b.tryTake(99)).toBe(false);
    expect(b.tryTake(100)).toBe(true);
  });

  it('used(now) counts the starts of the last window (window + margin)', () => {
    const b = new AccountBudget(IO_LIMITS, 0);
    for (const t of [0, 0, 0, 1000, 2000]) expect(b.tryTake(t)).toBe(true);
    expect(b.used(2000)).toBe(5);
    expect(b.used(4999)).toBe(5);
    expect(b.used(5000)).toBe(2); // the three at 0 are now a full window old
    expect(b.used(6000)).toBe(1);
    expect(b.used(7000)).toBe(0);

    const m = new AccountBudget(IO_LIMITS, 250);
    expect(m.tryTake(0)).toBe(true);
    expect(m.used(5100)).toBe(1);
    expect(m.used(5250)).toBe(0);
  });

  it('used(now) never exceeds the limit under a greedy caller', () => {
    const b = new AccountBudget(IO_LIMITS, 0);
    for (let now = 0; now < 20_000; now++) {
      while (b.tryTake(now));
      expect(b.used(now)).toBeLessThanOrEqual(150);
    }
    expect(b.used(20_000)).toBeGreaterThanOrEqual(140);
  });
});

describe('Budgets (queue per account, real setTimeout driven by fake timers)', () => {
  const T0 = Date.UTC(2026, 0, 1);
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const clock = () => Date.now();

  it('serves waiters first come, first served, and a late caller does not jump the queue', async () => {
    // 3 calls / 3 s: burst 1, pace 1 s.
    const budgets = new Budgets(() => ({ calls: 3, windowMs: 3000 }), 0, clock);
    const served: Array<[string, number]> = [];
    const take = (name: string) => budgets.acquire('acc').then(() => served.push([name, Date.now() - T0]));
    const all = [take('a'), take('b'), take('c'), take('d')];
    await Promise.resolve();
    expect(served.map(([n]) => n)).toEqual(['a']);
    expect(budgets.waiting('acc')).toBe(3);
    // The budget would allow one call now, but b, c, d were first.
    vi.setSystemTime(T0 + 1500);
    all.push(take('e'));
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all(all);
    expect(served.map(([n]) => n)).toEqual(['a', 'b', 'c', 'd', 'e']);
    const times = served.map(([, t]) => t);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1] + 1000);
    expect(budgets.waiting('acc')).toBe(0);
  });

  it('accounts are independent: a busy account does not hold another', async () => {
    const budgets = new Budgets(() => ({ calls: 1, windowMs: 60_000 }), 0, clock);
    await budgets.acquire('busy');
    const stuck = budgets.acquire('busy');
    let done = false;
    void stuck.then(() => (done = true), () => undefined);
    await expect(budgets.acquire('other')).resolves.toBeUndefined();
    await vi.advanceTimersByTimeAsync(1000);
    expect(done).toBe(false);
    budgets.close();
  });

  it('hold(account, until) keeps waiters until then', async () => {
    const budgets = new Budgets(() => IO_LIMITS, 0, clock);
    budgets.hold('acc', T0 + 7000);
    let at = -1;
    const p = budgets.acquire('acc').then(() => (at = Date.now() - T0));
    await vi.advanceTimersByTimeAsync(6999);
    expect(at).toBe(-1);
    await vi.advanceTimersByTimeAsync(1000);
    await p;
    expect(at).toBeGreaterThanOrEqual(7000);
    expect(at).toBeLessThan(7100);
  });

  it('close() rejects every waiter with BudgetClosedError and starts nothing afterwards', async () => {
    const budgets = new Budgets(() => ({ calls: 1, windowMs: 60_000 }), 0, clock);
    await budgets.acquire('acc');
    const outcomes: unknown[] = ['pending', 'pending'];
    [budgets.acquire('acc'), budgets.acquire('acc')].forEach((p, i) =>
      p.then(
        () => (outcomes[i] = 'resolved'),
        (e) => (outcomes[i] = e),
      ),
    );
    expect(vi.getTimerCount()).toBe(1);
    budgets.close();
    // No timer left behind that would start a call later.
    expect(vi.getTimerCount()).toBe(0);
    // A caller arriving after close() while the account is still busy is refused too.
    await expect(budgets.acquire('acc')).rejects.toBeInstanceOf(BudgetClosedError);
    await vi.advanceTimersByTimeAsync(120_000);
    for (const o of outcomes) expect(o).toBeInstanceOf(BudgetClosedError);
    expect(budgets.waiting('acc')).toBe(0);
  });

  it('after close(), acquire() is refused even when the account has budget left', async () => {
    const budgets = new Budgets(() => IO_LIMITS, 0, clock);
    budgets.close();
    let outcome = 'pending';
    await budgets.acquire('fresh').then(
      () => (outcome = 'resolved: a new IO call would start after shutdown'),
      (e) => (outcome = e instanceof BudgetClosedError ? 'rejected' : `rejected with ${e}`),
    );
    expect(outcome, 'src/dispatch/budget.ts Budgets.acquire checks `closed` only after tryTake succeeded').toBe('rejected');
  });

  it('snapshot(now) reports used, limit and waiting per account', async () => {
    const budgets = new Budgets((a) => (a === 'free' ? null : a === 'tiny' ? { calls: 1, windowMs: 10_000 } : IO_LIMITS), 0, clock);
    await budgets.acquire('big');
    await budgets.acquire('big');
    await budgets.acquire('tiny');
    const pending = budgets.acquire('tiny');
    void pending.catch(() => undefined);
    await budgets.acquire('free');
    const snap = budgets.snapshot(Date.now());
    expect(snap).toEqual(
      expect.arrayContaining([
        { account: 'big', used: 2, limit: 150, waiting: 0 },
        { account: 'tiny', used: 1, limit: 1, waiting: 1 },
        { account: 'free', used: 0, limit: 0, waiting: 0 },
      ]),
    );
    expect(snap).toHaveLength(3);
    expect(budgets.snapshot(Date.now() + 10_000).find((s) => s.account === 'big')?.used).toBe(0);
    budgets.close();
  });
});
