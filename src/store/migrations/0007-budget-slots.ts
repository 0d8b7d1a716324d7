/**
 * The cluster-wide IO budget (dispatch/shared-budget.ts): one row per IO account holding the slot
 * being spent now, the calls granted in it, and the account's 429 hold. Claims and holds are one
 * upsert each (store/budget-slots.ts), so PostgreSQL's row lock serialises the processes. One row
 * per account, moved forward slot by slot, means there are no old rows to clean up.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

export function up(_dialect: Dialect) {
  const statements = [
    `create table budget_slots (
      account text primary key,
      slot_start bigint not null,
      used integer not null,
      last_grant integer not null,
      held_until bigint not null)`,
  ];
  return async (db: Kysely<any>) => {
    for (const s of statements) await sql.raw(s).execute(db);
  };
}
