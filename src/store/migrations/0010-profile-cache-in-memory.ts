/**
 * Profile answers are cached in each process's memory (dispatch/profile-cache.ts): written here,
 * each went to a random place of the table's key, the largest share of SQLite's writes while
 * dispatching. The table and the answers it holds (hashes of fiscal codes) go.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

export function up(_dialect: Dialect) {
  return async (db: Kysely<any>) => {
    await sql`drop index if exists profile_cache_checked`.execute(db);
    await sql`drop table if exists profile_cache`.execute(db);
  };
}
