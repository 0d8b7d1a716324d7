/**
 * Web UI sessions, kept in the database so that any GeNIO process can serve any request, and who
 * sent what from the web UI (`user_id` on messages and batches, next to `api_key_id`).
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

export function up(_dialect: Dialect) {
  const statements = [
    `create table web_sessions (
      id text primary key,
      user_id text not null references users(id),
      level integer not null,
      acr text,
      id_token text,
      csrf_token text not null,
      created_at bigint not null,
      last_seen_at bigint not null,
      expires_at bigint not null)`,
    `create index web_sessions_expires on web_sessions (expires_at)`,
    `alter table messages add column user_id text`,
    `alter table batches add column user_id text`,
  ];
  return async (db: Kysely<any>) => {
    for (const s of statements) await sql.raw(s).execute(db);
  };
}
