/**
 * A batch's rows and errors are written a million at a time by its check, and on PostgreSQL each
 * row's foreign key to `batches` was a lookup and a row lock, a third of the insert's time
 * (bench/batch-check.ts). They are only ever written by the checker of a batch that exists, and
 * batches are never deleted (the retention purge deletes rows and errors, keeping the batch's
 * counts), so the key guarded nothing. SQLite checks it with one b-tree probe in the same process
 * and cannot drop a constraint without rebuilding the table: it keeps it.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

export function up(dialect: Dialect) {
  return async (db: Kysely<any>) => {
    if (dialect !== 'postgres') return;
    await sql`alter table batch_rows drop constraint if exists batch_rows_batch_id_fkey`.execute(db);
    await sql`alter table batch_errors drop constraint if exists batch_errors_batch_id_fkey`.execute(db);
  };
}
