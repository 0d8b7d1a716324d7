/**
 * The shared row of each IO account's cluster budget (dispatch/shared-budget.ts): the slot being
 * spent, the calls granted in it by all processes together, and the account's 429 hold.
 *
 * Each change is ONE statement (an upsert), so concurrent processes are serialised by the row
 * lock and no grant can be counted twice or lost. A slot's count only grows up to its cap, and the
 * row only moves forward in time: once it holds a later slot, a claim for an earlier one gets
 * nothing. So the calls granted for one slot never exceed the cap, whoever asks and when.
 */
import { sql } from 'kysely';
import type { Database } from './db.ts';

export interface SlotClaim {
  account: string;
  /** Start (epoch ms) of the slot the tokens are for: the claimer's current slot. */
  slotStart: number;
  /** Tokens asked for. */
  want: number;
  /** Most calls all processes together may start in one slot. */
  cap: number;
  /** The claimer's clock, to compare with the hold. */
  now: number;
}

export interface SlotGrant {
  /** Tokens granted, 0..want: fewer when the slot is nearly spent, 0 when held or stale. */
  granted: number;
  /** The account's hold (epoch ms; ≤ now when none). */
  heldUntil: number;
}

/** Claims up to `want` tokens of one slot of one account, atomically. */
export async function claimSlotTokens(database: Database, c: SlotClaim): Promise<SlotGrant> {
  const [least, greatest] = database.dialect === 'postgres' ? [sql.raw('least'), sql.raw('greatest')] : [sql.raw('min'), sql.raw('max')];
  const first = Math.max(0, Math.min(c.want, c.cap));
  // No grant while the account is held, or when the row already moved past this slot (a process
  // whose clock is ahead claimed a later one): that slot's count is gone, so nothing more from it.
  const blocked = sql`(b.held_until > ${c.now} or b.slot_start > excluded.slot_start)`;
  // Same slot: up to the cap (never below what is already used, should the cap have been lowered).
  const sameSlot = sql`${greatest}(b.used, ${least}(${c.cap}, b.used + ${c.want}))`;
  const { rows } = await sql<{ last_grant: number; held_until: number }>`
    insert into budget_slots as b (account, slot_start, used, last_grant, held_until)
    values (${c.account}, ${c.slotStart}, ${first}, ${first}, 0)
    on conflict (account) do update set
      slot_start = case when ${blocked} then b.slot_start else excluded.slot_start end,
      used = case when ${blocked} then b.used when b.slot_start = excluded.slot_start then ${sameSlot} else excluded.used end,
      last_grant = case when ${blocked} then 0 when b.slot_start = excluded.slot_start then ${sameSlot} - b.used else excluded.used end
    returning last_grant, held_until`.execute(database.db);
  return { granted: Number(rows[0].last_grant), heldUntil: Number(rows[0].held_until) };
}

/** IO answered 429: no process starts a call on the account before `until` (a hold only grows). */
export async function holdAccount(database: Database, account: string, until: number): Promise<void> {
  const greatest = database.dialect === 'postgres' ? sql.raw('greatest') : sql.raw('max');
  await sql`
    insert into budget_slots as b (account, slot_start, used, last_grant, held_until)
    values (${account}, 0, 0, 0, ${until})
    on conflict (account) do update set held_until = ${greatest}(b.held_until, excluded.held_until)`.execute(database.db);
}
