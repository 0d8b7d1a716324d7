/**
 * The arithmetic of the cluster-wide IO budget (src/dispatch/slot-plan.ts): the figures, and the
 * proof checked over simulated time — processes with skewed clocks claim tokens of their current
 * slot at random moments, spend them at random (or the worst) moments of that slot, and the calls
 * reach IO up to the margin later: no sliding window of IO's length ever holds more than `calls`.
 */
import { describe, expect, it } from 'vitest';
import { blockSize, designedRate, slotPlan, slotStartOf, type SlotPlan } from '../../src/dispatch/slot-plan.ts';
import { prng } from '../support/prng.ts';

/** Most arrivals in any half-open window [s, s + windowMs) (s ranging over arrivals; input sorted). */
function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  let j = 0;
  for (let i = 0; i < times.length; i++) {
    while (times[i] - times[j] >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('slotPlan: the figures', () => {
  it("IO's default 150/5 s with the default 250 ms margin: 10 calls per 375 ms slot, 133 per 5 s (89 %)", () => {
    const plan = slotPlan({ calls: 150, windowMs: 5000 }, 250);
    expect(plan).toEqual({ slotMs: 375, perSlot: 10, span: 15 });
    expect(plan.span * plan.perSlot).toBeLessThanOrEqual(150);
    expect(designedRate(plan, 5000)).toBeCloseTo(133.3, 1);
    expect(blockSize(plan)).toBe(3);
  });

  it('other limits: 250/5 s → 13 per 292 ms (223 per 5 s); 30/1 s with 50 ms → 2 per 75 ms', () => {
    expect(slotPlan({ calls: 250, windowMs: 5000 }, 250)).toEqual({ slotMs: 292, perSlot: 13, span: 19 });
    expect(designedRate(slotPlan({ calls: 250, windowMs: 5000 }, 250), 5000)).toBeCloseTo(222.6, 1);
    expect(slotPlan({ calls: 30, windowMs: 1000 }, 50)).toEqual({ slotMs: 75, perSlot: 2, span: 15 });
  });

  it('span · perSlot never exceeds the limit, and the rate is at least half of it, for any limit ≥ 2', () => {
    for (const calls of [2, 3, 5, 10, 29, 30, 100, 150, 151, 250, 1000]) {
      for (const windowMs of [1000, 5000, 60_000]) {
        for (const margin of [0, 1, 250, 999]) {
          const plan = slotPlan({ calls, windowMs }, margin);
          expect(plan.span * plan.perSlot).toBeLessThanOrEqual(calls);
          expect(plan.perSlot).toBeGreaterThanOrEqual(1);
          expect(plan.span).toBe(Math.ceil((windowMs + margin) / plan.slotMs) + 1);
          expect(designedRate(plan, windowMs + margin)).toBeGreaterThanOrEqual(calls / 2);
        }
      }
    }
  });

  it('one call per window cannot be shared with fixed slots: perSlot is 0 (nothing is sent)', () => {
    expect(slotPlan({ calls: 1, windowMs: 5000 }, 250).perSlot).toBe(0);
  });

  it('span counts every slot whose calls can land in one window (brute force over window positions)', () => {
    const rnd = prng(7);
    for (let run = 0; run < 300; run++) {
      const windowMs = 1 + Math.floor(rnd() * 6000);
      const margin = Math.floor(rnd() * 400);
      const plan = slotPlan({ calls: 150, windowMs }, margin);
      const s = plan.slotMs;
      let worst = 0;
      for (let k = 0; k < 200; k++) {
        const t = rnd() * 10 * s;
        // Slot n's calls arrive in [n·s, (n+1)·s + margin); the window is [t, t + W).
        let touched = 0;
        for (let n = -5; n * s < t + windowMs + s; n++) if (n * s < t + windowMs && (n + 1) * s + margin > t) touched++;
        worst = Math.max(worst, touched);
      }
      expect(worst, `W ${windowMs}, margin ${margin}, slot ${s}`).toBeLessThanOrEqual(plan.span);
    }
  });
});

interface SimOptions {
  calls: number;
  windowMs: number;
  margin: number;
  processes: number;
  durationMs: number;
  seed: number;
  /** Cap per slot; the plan's unless a test checks that a higher one is caught. */
  cap?: number;
  /** Spend tokens at the worst moments: first or last instant of the slot, delays 0 or the whole margin. */
  worstCase?: boolean;
}

/**
 * A cluster over simulated time. The shared row is modelled as a count per slot with a cap (what
 * store/budget-slots.ts guarantees; test/store/budget-slots.test.ts checks the SQL). Each process
 * has a clock off by up to a quarter of the margin, claims blocks of its current slot at random
 * moments, and spends each token at some moment of that slot (by its own clock) or never; the call
 * reaches IO after a delay of up to half the margin (2 · skew + delay ≤ margin). Returns arrivals.
 */
function simulate(o: SimOptions): { arrivals: number[]; plan: SlotPlan } {
  const rnd = prng(o.seed);
  const plan = slotPlan({ calls: o.calls, windowMs: o.windowMs }, o.margin);
  const cap = o.cap ?? plan.perSlot;
  const skew = o.margin / 4;
  const maxDelay = o.margin / 2;
  const used = new Map<number, number>();
  const arrivals: number[] = [];
  for (let p = 0; p < o.processes; p++) {
    const offset = (rnd() * 2 - 1) * skew; // local = true + offset
    for (let t = rnd() * plan.slotMs; t < o.durationMs; t += rnd() * plan.slotMs * 0.6) {
      const local = t + offset;
      const slot = slotStartOf(plan, local);
      const want = 1 + Math.floor(rnd() * (plan.perSlot + 2));
      const granted = Math.max(0, Math.min(want, cap - (used.get(slot) ?? 0)));
      used.set(slot, (used.get(slot) ?? 0) + granted);
      for (let i = 0; i < granted; i++) {
        if (!o.worstCase && rnd() < 0.1) continue; // lapses unused
        const end = slot + plan.slotMs - 1e-6;
        const spendLocal = o.worstCase ? (rnd() < 0.5 ? local : end) : local + rnd() * (end - local);
        const delay = o.worstCase ? (rnd() < 0.5 ? 0 : maxDelay) : rnd() * maxDelay;
        arrivals.push(spendLocal - offset + delay);
      }
    }
  }
  return { arrivals: arrivals.sort((a, b) => a - b), plan };
}

describe('slot budget over simulated time: no window of IO ever holds more than the limit', () => {
  const cases = [
    { calls: 150, windowMs: 5000, margin: 250 },
    { calls: 250, windowMs: 5000, margin: 250 },
    { calls: 30, windowMs: 1000, margin: 50 },
    { calls: 7, windowMs: 1000, margin: 0 },
  ];

  it.each(cases)('$calls per $windowMs ms, margin $margin ms: random timings, 1–5 processes', ({ calls, windowMs, margin }) => {
    for (let seed = 1; seed <= 40; seed++) {
      const { arrivals } = simulate({ calls, windowMs, margin, processes: 1 + (seed % 5), durationMs: 8 * windowMs, seed });
      expect(maxInWindow(arrivals, windowMs), `seed ${seed}`).toBeLessThanOrEqual(calls);
    }
  });

  it.each(cases)('$calls per $windowMs ms, margin $margin ms: worst-case timings', ({ calls, windowMs, margin }) => {
    for (let seed = 1; seed <= 40; seed++) {
      const { arrivals } = simulate({ calls, windowMs, margin, processes: 3, durationMs: 8 * windowMs, seed, worstCase: true });
      expect(maxInWindow(arrivals, windowMs), `seed ${seed}`).toBeLessThanOrEqual(calls);
    }
  });

  it('a busy cluster is granted the designed rate: perSlot in every slot', () => {
    const { arrivals, plan } = simulate({ calls: 150, windowMs: 5000, margin: 250, processes: 3, durationMs: 60_000, seed: 3, worstCase: true });
    expect(arrivals.length).toBeGreaterThanOrEqual(Math.floor(60_000 / plan.slotMs) * plan.perSlot - plan.perSlot);
    expect((arrivals.length / 60_000) * 5000).toBeGreaterThan(130);
  });

  it('the check has teeth: one token more per slot is caught', () => {
    let worst = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const plan = slotPlan({ calls: 150, windowMs: 5000 }, 250);
      const { arrivals } = simulate({ calls: 150, windowMs: 5000, margin: 250, processes: 3, durationMs: 40_000, seed, worstCase: true, cap: plan.perSlot + 1 });
      worst = Math.max(worst, maxInWindow(arrivals, 5000));
    }
    expect(worst).toBeGreaterThan(150);
  });
});
