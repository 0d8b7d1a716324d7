/** Retention: when a message's personal data (fiscal code, text) was purged. */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

export function up(_dialect: Dialect) {
  return async (db: Kysely<any>) => {
    await sql`alter table messages add column purged_at bigint`.execute(db);
    // The purge walks finished messages not yet purged, oldest first.
    await sql`create index messages_purge on messages (final_at) where purged_at is null`.execute(db);
    await sql`create index idempotency_keys_created on idempotency_keys (created_at)`.execute(db);
    await sql`create index profile_cache_checked on profile_cache (checked_at)`.execute(db);
  };
}
