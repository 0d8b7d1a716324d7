/**
 * Leases of the singleton periodic jobs (purges, schedule promotion, lease recovery): one row per
 * job, claimed with one upsert, so that with several GeNIO processes on one database a job runs in
 * one of them at a time, once per period (store/job-leases.ts).
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

export function up(_dialect: Dialect) {
  const statements = [
    `create table job_leases (
      name text primary key,
      owner text,
      lease_until bigint,
      last_run_at bigint)`,
  ];
  return async (db: Kysely<any>) => {
    for (const s of statements) await sql.raw(s).execute(db);
  };
}
