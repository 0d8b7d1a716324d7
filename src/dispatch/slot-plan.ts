/**
 * The arithmetic of the cluster-wide IO budget (shared-budget.ts). Time is cut into slots of
 * `slotMs`; all processes together are granted at most `perSlot` calls per slot, and a call may
 * start only inside the slot its token was granted for.
 *
 * Why no window of IO can see more than `calls`: IO counts a call when it arrives, and a call
 * arrives at most `marginMs` after it started (GENIO_IO_BUDGET_MARGIN: network delay, plus the
 * clock difference between hosts). A call of slot n (start n·s, s = slotMs) therefore arrives in
 * [n·s, (n+1)·s + margin). IO's window [t, t + W) meets that interval only when
 * (t − margin)/s − 1 < n < (t + W)/s: an open interval of length L = (W + margin)/s + 1, which
 * holds at most ⌈L⌉ = ⌈(W + margin)/s⌉ + 1 integers (`span`). With perSlot = ⌊calls / span⌋,
 * any window holds at most span · perSlot ≤ calls — whatever the timing of the claims, however
 * many processes claim, and whether or not a process dies holding tokens (they lapse with the slot).
 *
 * The price: a window of W + margin holds about span − 1 full slots, so the cluster runs at
 * perSlot · (span − 1) per W + margin instead of `calls` (150/5 s, 250 ms margin: 10 per 375 ms,
 * 140 per 5.25 s = 133 per 5 s, 89 % of IO's limit; one process alone reaches 143 per 5 s).
 */
import type { BudgetLimits } from './budget.ts';

export interface SlotPlan {
  slotMs: number;
  /** Most calls the whole cluster starts in one slot. */
  perSlot: number;
  /** Most slots whose calls can land in one window of IO: ⌈(W + margin)/slotMs⌉ + 1. */
  span: number;
}

/**
 * Finer slots lose less (the extra slot at the window's edge weighs less) but cost more claims.
 * Past 20 slots per window the gain is small while the claims per second keep growing (150/5 s
 * with a 250 ms margin: 133 per 5 s with 14 slots of 375 ms; the best of all, 141, takes 74 slots
 * of 71 ms, five times the claims).
 */
const MAX_SLOTS_PER_WINDOW = 20;

/**
 * The plan with the highest rate among 1..20 slots per window (ties: longer slots, fewer claims).
 * `perSlot` is 0 when `calls` < 2: two calls in adjacent slots can always be close together, so
 * fixed slots cannot keep a window to one call, and the cluster budget sends nothing.
 */
export function slotPlan(limits: BudgetLimits, marginMs: number): SlotPlan {
  const reach = limits.windowMs + marginMs;
  let best: SlotPlan | null = null;
  for (let k = 1; k <= MAX_SLOTS_PER_WINDOW; k++) {
    const slotMs = Math.ceil(reach / k);
    const span = Math.ceil(reach / slotMs) + 1;
    const perSlot = Math.floor(limits.calls / span);
    if (!best || perSlot / slotMs > best.perSlot / best.slotMs) best = { slotMs, perSlot, span };
  }
  return best!;
}

/** Start (epoch ms) of the slot that `now` falls in. */
export function slotStartOf(plan: SlotPlan, now: number): number {
  return Math.floor(now / plan.slotMs) * plan.slotMs;
}

/**
 * Tokens a process asks for at once: a quarter of a slot. Small enough that, with several
 * processes busy on one account, few tokens lapse unused in one process while another waits;
 * large enough that a process alone needs about four statements per slot.
 */
export function blockSize(plan: SlotPlan): number {
  return Math.max(1, Math.ceil(plan.perSlot / 4));
}

/** The cluster's sustained rate in calls per `windowMs` (for documentation and tests). */
export function designedRate(plan: SlotPlan, windowMs: number): number {
  return (plan.perSlot * windowMs) / plan.slotMs;
}
