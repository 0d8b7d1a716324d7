/**
 * People who use the web UI, and their roles. A person is known by the fiscal code their
 * identity provider (SPID, CIE, CNS) asserts; what they may do is GeNIO's own business: a role per
 * ente (`viewer`, `sender`, `manager`), or `admin` of the whole aggregator (`ente_id` '*').
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

export function up(_dialect: Dialect) {
  const statements = [
    `create table users (
      id text primary key,
      fiscal_code text not null unique,
      name text,
      created_at bigint not null,
      last_login_at bigint)`,
    `create table user_roles (
      user_id text not null references users(id),
      ente_id text not null,
      role text not null check (role in ('viewer','sender','manager','admin')),
      granted_at bigint not null,
      primary key (user_id, ente_id))`,
    `create index user_roles_ente on user_roles (ente_id)`,
  ];
  return async (db: Kysely<any>) => {
    for (const s of statements) await sql.raw(s).execute(db);
  };
}
