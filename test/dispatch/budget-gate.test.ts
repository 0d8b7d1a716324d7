/**
 * The cluster gate's logic (src/dispatch/shared-budget.ts) with Budgets, over fake time: the
 * shared row is modelled in memory (its SQL is checked in test/store/budget-slots.test.ts, the
 * whole against PostgreSQL in test/dispatch/shared-budget.test.ts). Runs without PostgreSQL.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SlotClaim, SlotGrant } from '../../src/store/budget-slots.ts';

/** The row of each account, and what the "database" does: answer after `latency`, or fail. */
const db = vi.hoisted(() => ({
  rows: new Map<string, { slotStart: number; used: number; heldUntil: number }>(),
  latency: 2,
  failing: false,
  claims: [] as Array<{ account: string; slotStart: number; want: number; at: number }>,
  holds: [] as Array<{ account: string; until: number }>,
}));

vi.mock('../../src/store/budget-slots.ts', () => ({
  claimSlotTokens: (_database: unknown, c: SlotClaim): Promise<SlotGrant> =>
    new Promise((resolve, reject) => {
      db.claims.push({ account: c.account, slotStart: c.slotStart, want: c.want, at: Date.now() });
      if (db.failing) return setTimeout(() => reject(new Error('connection refused')), db.latency);
      const row = db.rows.get(c.account) ?? { slotStart: c.slotStart, used: 0, heldUntil: 0 };
      db.rows.set(c.account, row);
      let granted = 0;
      if (!(row.heldUntil > c.now || row.slotStart > c.slotStart)) {
        if (row.slotStart < c.slotStart) Object.assign(row, { slotStart: c.slotStart, used: 0 });
        granted = Math.max(0, Math.min(c.want, c.cap - row.used));
        row.used += granted;
      }
      setTimeout(() => resolve({ granted, heldUntil: row.heldUntil }), db.latency);
    }),
  holdAccount: async (_database: unknown, account: string, until: number) => {
    db.holds.push({ account, until });
    const row = db.rows.get(account) ?? { slotStart: 0, used: 0, heldUntil: 0 };
    row.heldUntil = Math.max(row.heldUntil, until);
    db.rows.set(account, row);
  },
}));

const { Budgets, BudgetClosedError } = await import('../../src/dispatch/budget.ts');
const { SharedBudgetGate } = await import('../../src/dispatch/shared-budget.ts');
const { designedRate, slotPlan, slotStartOf } = await import('../../src/dispatch/slot-plan.ts');

const LIMITS = { calls: 150, windowMs: 5000 };
const MARGIN = 250;
const PLAN = slotPlan(LIMITS, MARGIN); // 10 per 375 ms

describe('SharedBudgetGate with Budgets (fake time, modelled row)', () => {
  const log = { warn: vi.fn(), error: vi.fn() };
  let budgets: InstanceType<typeof Budgets>;
  let grants: number[];

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000_000_000);
    Object.assign(db, { latency: 2, failing: false, claims: [], holds: [] });
    db.rows.clear();
    log.warn.mockClear();
    log.error.mockClear();
    grants = [];
    const gate = new SharedBudgetGate({} as never, MARGIN, log as never);
    budgets = new Budgets((a) => (a === 'free' ? null : LIMITS), MARGIN, () => Date.now(), gate);
  });
  afterEach(() => {
    budgets.close();
    vi.useRealTimers();
  });

  /** `n` callers that each take a call, note its time, and ask again. */
  function callers(n: number, account = 'aggregator') {
    for (let i = 0; i < n; i++) {
      void (async () => {
        for (;;) {
          try {
            await budgets.acquire(account);
          } catch (err) {
            if (err instanceof BudgetClosedError) return;
            throw err;
          }
          grants.push(Date.now());
        }
      })();
    }
  }

  const perSlot = (times: number[]) => {
    const m = new Map<number, number>();
    for (const t of times) m.set(slotStartOf(PLAN, t), (m.get(slotStartOf(PLAN, t)) ?? 0) + 1);
    return [...m.values()];
  };

  it('one busy process: never more than perSlot calls in a slot, close to the designed rate, in blocks', async () => {
    callers(20);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(Math.max(...perSlot(grants))).toBeLessThanOrEqual(PLAN.perSlot);
    expect(grants.length).toBeGreaterThanOrEqual(0.95 * designedRate(PLAN, 30_000));
    // Blocks of 3: about four claims per slot, not one per call.
    expect(db.claims.length / (30_000 / PLAN.slotMs)).toBeLessThanOrEqual(5);
    expect(Math.max(...db.claims.map((c) => c.want))).toBe(3);
  });

  it('a claim that comes back after its slot ended gives nothing: the tokens lapse', async () => {
    db.latency = PLAN.slotMs + 10; // the database answers after the slot is over
    callers(5);
    await vi.advanceTimersByTimeAsync(5000);
    expect(grants).toEqual([]);
    expect(db.rows.get('aggregator')!.used).toBeGreaterThan(0); // granted by the row, never spent
  });

  it('a hold written by another process is taken on at the next claim', async () => {
    callers(5);
    await vi.advanceTimersByTimeAsync(1000);
    const until = Date.now() + 3000;
    db.rows.get('aggregator')!.heldUntil = until; // another process saw a 429
    await vi.advanceTimersByTimeAsync(PLAN.slotMs + 50);
    const learned = Date.now();
    expect(budgets.get('aggregator').heldAt(learned)).toBe(true);
    await vi.advanceTimersByTimeAsync(until - learned - 1);
    expect(grants.filter((t) => t >= learned && t < until)).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(grants.filter((t) => t >= until).length).toBeGreaterThan(10);
  });

  it('a 429 seen here is written for the others', async () => {
    budgets.hold('aggregator', Date.now() + 2000);
    await vi.advanceTimersByTimeAsync(0);
    expect(db.holds).toEqual([{ account: 'aggregator', until: Date.now() + 2000 }]);
  });

  it('fails closed when the database does not answer, says so once, and resumes when it does', async () => {
    db.failing = true;
    callers(5);
    await vi.advanceTimersByTimeAsync(3000);
    expect(grants).toEqual([]);
    expect(log.error).toHaveBeenCalledTimes(1);
    expect(db.claims.length).toBeLessThanOrEqual(3000 / PLAN.slotMs + 1); // one try per slot, not a busy loop
    db.failing = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(grants.length).toBeGreaterThan(10);
    expect(log.warn).toHaveBeenCalledWith({ account: 'aggregator' }, 'IO budget claims work again');
  });

  it('the sandbox account and accounts without a budget never claim', async () => {
    callers(3, 'sandbox'); // each process has its own sandbox simulator: its own budget paces it
    await vi.advanceTimersByTimeAsync(1000);
    expect(grants.length).toBeGreaterThan(10);
    await budgets.acquire('free'); // no budget at all: at once
    expect(db.claims).toEqual([]);
  });
});
