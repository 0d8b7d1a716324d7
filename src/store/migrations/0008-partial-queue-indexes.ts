/**
 * The queue's indexes cover only the messages they serve. Before, `messages_claim` and
 * `messages_due` led with `status` and held every message ever sent, so each status change moved
 * two index entries, four b-tree writes a transition, and a delivered message stayed in both
 * forever. A partial index per waiting state holds only the messages in that state: a message
 * enters and leaves each once, finished ones leave them all, and the indexes stay as small as the
 * work to do. The retention purge's index likewise takes a message only once it is finished.
 * A message's trip from accept to delivered writes 7 index entries instead of 17.
 *
 * Queries must name the state as a literal (`status = 'queued'`) for SQLite to use them.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

export function up(_dialect: Dialect) {
  const statements = [
    `drop index messages_claim`,
    `drop index messages_due`,
    // Claims: per account, ente by ente, most urgent first (outbox/claim.ts).
    `create index messages_queued on messages (io_account, ente_id, priority, due_at) where status = 'queued'`,
    // Schedule promotion.
    `create index messages_scheduled on messages (due_at) where status = 'scheduled'`,
    // Lease recovery: the messages workers hold.
    `create index messages_sending on messages (lease_until) where status = 'sending'`,
    // Status polls, per account, oldest due first.
    `create index messages_sent on messages (io_account, due_at) where status = 'sent'`,
    // The retention purge: finished messages not yet purged (a new message no longer enters it).
    `drop index messages_purge`,
    `create index messages_purge on messages (final_at) where purged_at is null and final_at is not null`,
  ];
  return async (db: Kysely<any>) => {
    for (const s of statements) await sql.raw(s).execute(db);
  };
}
