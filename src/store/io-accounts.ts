/**
 * IO accounts: the unit of IO's rate limit (FACTS.md §7). In aggregator mode every ente's service
 * belongs to the aggregator's account and shares its budget; a partner ente has its own.
 */
import type { Kysely } from 'kysely';
import type { IoAccountTable, Schema } from './schema.ts';

export type IoAccount = IoAccountTable;

/** The account sandbox messages spend: the in-process simulator's, never IO's. */
export const SANDBOX_ACCOUNT = 'sandbox';
export const AGGREGATOR_ACCOUNT = 'aggregator';

export async function ensureIoAccount(db: Kysely<Schema>, name: string, now = Date.now()): Promise<void> {
  await db
    .insertInto('io_accounts')
    .values({ name, budget_calls: null, budget_window_ms: null, created_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

export async function listIoAccounts(db: Kysely<Schema>): Promise<IoAccount[]> {
  return db.selectFrom('io_accounts').selectAll().orderBy('name').execute();
}
