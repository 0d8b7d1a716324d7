/**
 * The cluster-wide IO budget (src/dispatch/shared-budget.ts) against the real PostgreSQL: three
 * "processes" (each its own pool, gate and Budgets on one schema) hammer one account at once.
 * The grant times, all together, never put more than the limit in any sliding window, and the
 * cluster gets close to the designed rate; a 429 hold written by one stops the others until it
 * passes; tokens a dead process held lapse with their slot.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { claimSlotTokens } from '../../src/store/budget-slots.ts';
import { Budgets, BudgetClosedError } from '../../src/dispatch/budget.ts';
import { SharedBudgetGate } from '../../src/dispatch/shared-budget.ts';
import { designedRate, slotPlan, slotStartOf } from '../../src/dispatch/slot-plan.ts';
import { createLogger } from '../../src/log.ts';
import { POSTGRES_URL, freshDatabaseUrl } from '../support/genio.ts';

const LIMITS = { calls: 30, windowMs: 1000 };
/** Covers the moment between a grant and the caller noting its time (same host: no clock skew). */
const MARGIN = 50;
const PLAN = slotPlan(LIMITS, MARGIN); // 2 calls per 75 ms slot: 26.7 per second
const ACCOUNT = 'aggregator';

interface Proc {
  database: Database;
  budgets: Budgets;
  grants: number[];
}

function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let j = 0;
  for (let i = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

(POSTGRES_URL ? describe : describe.skip)('cluster-wide IO budget on PostgreSQL', () => {
  let url: string;
  let drop: () => Promise<void>;
  let procs: Proc[] = [];
  const log = createLogger('silent');

  beforeAll(async () => {
    ({ url, drop } = await freshDatabaseUrl('postgres'));
    const d = await openDatabase(url);
    await migrateToLatest(d);
    await d.close();
  });
  afterAll(async () => drop?.());
  afterEach(async () => {
    for (const p of procs) {
      p.budgets.close();
      await p.budgets.drain();
      await p.database.close();
    }
    procs = [];
  });

  async function startProcs(n: number): Promise<Proc[]> {
    for (let i = 0; i < n; i++) {
      const database = await openDatabase(url, { poolSize: 4 });
      const gate = new SharedBudgetGate(database, MARGIN, log);
      procs.push({ database, budgets: new Budgets(() => LIMITS, MARGIN, Date.now, gate), grants: [] });
    }
    return procs;
  }

  /** Each process runs `callers` loops of acquire-then-note-the-time until `until`. */
  function hammer(ps: Proc[], until: number, callers = 8): Promise<unknown> {
    return Promise.all(ps.flatMap((p) => Array.from({ length: callers }, async () => {
      while (Date.now() < until) {
        try {
          await p.budgets.acquire(ACCOUNT);
        } catch (err) {
          if (err instanceof BudgetClosedError) return;
          throw err;
        }
        p.grants.push(Date.now());
      }
    })));
  }

  it('three processes never put more than 30 calls in any 1 s window, and get close to the designed rate', async () => {
    const ps = await startProcs(3);
    const start = Date.now();
    const durationMs = 6000;
    await hammer(ps, start + durationMs);
    const all = ps.flatMap((p) => p.grants);
    expect(maxInWindow(all, LIMITS.windowMs)).toBeLessThanOrEqual(LIMITS.calls);
    // Callers already waiting at the end are still served: count the run's own duration only.
    const inRun = all.filter((t) => t < start + durationMs).length;
    const designed = designedRate(PLAN, 1000) * (durationMs / 1000); // 160
    expect(inRun).toBeGreaterThanOrEqual(0.85 * designed);
    expect(inRun).toBeLessThanOrEqual(designed + 2 * PLAN.perSlot);
    for (const p of ps) expect(p.grants.length).toBeGreaterThan(0.1 * all.length); // each process has a share
  }, 20_000);

  it('a 429 hold written by one process stops the others until it passes', async () => {
    const ps = await startProcs(3);
    const start = Date.now();
    const done = hammer(ps, start + 3500);
    await new Promise((r) => setTimeout(r, 1000));
    const heldAt = Date.now();
    const until = heldAt + 1200;
    ps[0].budgets.hold(ACCOUNT, until);
    await done;
    // The others learn of it at their next claim: within one slot, plus a statement's time.
    const settled = heldAt + 2 * PLAN.slotMs + 50;
    expect(ps[0].grants.filter((t) => t >= heldAt && t < until)).toEqual([]);
    for (const p of ps.slice(1)) expect(p.grants.filter((t) => t >= settled && t < until)).toEqual([]);
    expect(ps.flatMap((p) => p.grants).filter((t) => t >= until).length).toBeGreaterThan(10); // and resume after
    for (const p of ps.slice(1)) expect(p.budgets.get(ACCOUNT).heldAt(heldAt + 600)).toBe(true); // taken on locally
  }, 20_000);

  it('tokens of a process that died holding a whole slot lapse with that slot', async () => {
    const [p] = await startProcs(1);
    // An account of its own: the previous test's last callers may have spent the very slot this
    // one starts in (seen in CI: the row held this slot with its 2 tokens used).
    const account = 'lapsed-slot';
    // Just after a slot starts, a "dead" process takes every token of it and never calls.
    while (Date.now() - slotStartOf(PLAN, Date.now()) > 10) await new Promise((r) => setTimeout(r, 1));
    const slot = slotStartOf(PLAN, Date.now());
    const dead = await claimSlotTokens(p.database, { account, slotStart: slot, want: PLAN.perSlot, cap: PLAN.perSlot, now: Date.now() });
    expect(dead.granted).toBe(PLAN.perSlot);
    await p.budgets.acquire(account);
    expect(Date.now()).toBeGreaterThanOrEqual(slot + PLAN.slotMs);
    expect(Date.now()).toBeLessThan(slot + 3 * PLAN.slotMs);
  }, 20_000);
});
