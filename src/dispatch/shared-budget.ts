/**
 * The IO budget of each account, enforced across all GeNIO processes on one PostgreSQL database
 * (FACTS.md §7: 150 calls in any sliding 5 s per account, whoever makes them).
 *
 * Time is cut into slots (slot-plan.ts: 375 ms and 10 calls per slot for 150/5 s, which no window
 * of IO can exceed). A process claims tokens of its current slot in small blocks, one upsert per
 * claim (store/budget-slots.ts), and spends a token only while that slot lasts. A token not spent
 * in time simply lapses: a process that dies holding tokens costs the cluster at most the rest of
 * one slot, and there is nothing to give back or recover. The local AccountBudget (budget.ts)
 * still paces the calls of each process, so tokens are spread over the slot, not burst.
 *
 * A 429 writes the account's hold into the same row; every claim reads it, so the other processes
 * stop at their next claim (within one slot) and wait until the hold passes. Without the database
 * no token is granted: the gate fails closed, and tries again at the next slot.
 *
 * The sandbox account is left out: each process has its own sandbox simulator.
 */
import type { Logger } from '../log.ts';
import type { Database } from '../store/db.ts';
import { claimSlotTokens, holdAccount } from '../store/budget-slots.ts';
import { SANDBOX_ACCOUNT } from '../store/io-accounts.ts';
import type { BudgetGate, BudgetLimits } from './budget.ts';
import { blockSize, slotPlan, slotStartOf, type SlotPlan } from './slot-plan.ts';

interface AccountTokens {
  limits: BudgetLimits;
  plan: SlotPlan;
  /** The slot the tokens in hand belong to, and how many are left. */
  slotStart: number;
  left: number;
  /** No claim before this: the slot is spent, or the last claim failed. */
  quietUntil: number;
  heldUntil: number;
  claiming: boolean;
  failing: boolean;
}

export class SharedBudgetGate implements BudgetGate {
  private readonly accounts = new Map<string, AccountTokens>();
  private readonly pending = new Set<Promise<void>>();
  private onChange: (account: string, heldUntil: number) => void = () => {};

  constructor(
    private readonly database: Database,
    private readonly marginMs: number,
    private readonly log: Pick<Logger, 'warn' | 'error'>,
  ) {}

  listen(onChange: (account: string, heldUntil: number) => void): void {
    this.onChange = onChange;
  }

  tryTake(account: string, limits: BudgetLimits, now: number, wanted: number): boolean {
    if (account === SANDBOX_ACCOUNT) return true;
    const a = this.entry(account, limits);
    const slotStart = slotStartOf(a.plan, now);
    if (a.slotStart === slotStart && a.left > 0) {
      a.left--;
      return true;
    }
    if (a.claiming || now < a.quietUntil || now < a.heldUntil) return false;
    if (a.plan.perSlot === 0) {
      this.log.error({ account, calls: limits.calls, windowMs: limits.windowMs }, 'IO budget too small to share between processes (at least 2 calls per window): nothing is sent');
      a.quietUntil = now + limits.windowMs;
      return false;
    }
    this.claim(account, a, slotStart, Math.min(Math.max(1, wanted), blockSize(a.plan)), now);
    return false;
  }

  retryAt(account: string, now: number): number | null {
    if (account === SANDBOX_ACCOUNT) return now;
    const a = this.accounts.get(account);
    if (!a) return now + 1;
    if (a.claiming) return null;
    return Math.max(now + 1, a.quietUntil, a.heldUntil);
  }

  hold(account: string, until: number): void {
    if (account === SANDBOX_ACCOUNT) return;
    const a = this.accounts.get(account);
    if (a) a.heldUntil = Math.max(a.heldUntil, until);
    this.track(holdAccount(this.database, account, until).catch((err) => {
      this.log.warn({ account, err: (err as Error).message }, 'could not share a 429 hold with the other processes');
    }));
  }

  async drain(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private entry(account: string, limits: BudgetLimits): AccountTokens {
    let a = this.accounts.get(account);
    // A changed budget (an operator edited the account) starts a new plan; tokens in hand lapse.
    if (!a || a.limits.calls !== limits.calls || a.limits.windowMs !== limits.windowMs) {
      a = { limits, plan: slotPlan(limits, this.marginMs), slotStart: -1, left: 0, quietUntil: 0, heldUntil: a?.heldUntil ?? 0, claiming: false, failing: false };
      this.accounts.set(account, a);
    }
    return a;
  }

  private claim(account: string, a: AccountTokens, slotStart: number, want: number, now: number): void {
    a.claiming = true;
    const slotEnd = slotStart + a.plan.slotMs;
    this.track(
      claimSlotTokens(this.database, { account, slotStart, want, cap: a.plan.perSlot, now })
        .then(
          (g) => {
            if (g.granted > 0) {
              if (a.slotStart !== slotStart) a.left = 0; // tokens of an earlier slot have lapsed
              a.slotStart = slotStart;
              a.left += g.granted;
            }
            // Fewer than asked: the slot is spent (or held, or already past): next claim in the next slot.
            if (g.granted < want) a.quietUntil = slotEnd;
            a.heldUntil = Math.max(a.heldUntil, g.heldUntil);
            if (a.failing) this.log.warn({ account }, 'IO budget claims work again');
            a.failing = false;
          },
          (err) => {
            // Fail closed: no token without the database.
            a.quietUntil = slotEnd;
            if (!a.failing) this.log.error({ account, err: (err as Error).message }, 'cannot claim IO budget from the database: no IO call on this account until it answers');
            a.failing = true;
          },
        )
        .finally(() => {
          a.claiming = false;
          this.onChange(account, a.heldUntil);
        }),
    );
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }
}
