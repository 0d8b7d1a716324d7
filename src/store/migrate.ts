/**
 * Numbered migrations, run by `genio migrate` and at every start. Kysely's migrator records them
 * in `kysely_migration` and holds a lock while it runs, so processes starting together on one
 * PostgreSQL database apply each migration once. Never edit a migration that has landed: add one.
 */
import { Migrator, sql, type Migration } from 'kysely';
import type { Database } from './db.ts';
import * as m0001 from './migrations/0001-core.ts';
import * as m0002 from './migrations/0002-retention.ts';
import * as m0003 from './migrations/0003-templates-batches.ts';
import * as m0004 from './migrations/0004-users.ts';
import * as m0005 from './migrations/0005-web-sessions.ts';
import * as m0006 from './migrations/0006-job-leases.ts';
import * as m0007 from './migrations/0007-budget-slots.ts';
import * as m0008 from './migrations/0008-partial-queue-indexes.ts';

const MIGRATIONS = { '0001-core': m0001, '0002-retention': m0002, '0003-templates-batches': m0003, '0004-users': m0004, '0005-web-sessions': m0005, '0006-job-leases': m0006, '0007-budget-slots': m0007, '0008-partial-queue-indexes': m0008 } as const;

export const LATEST_MIGRATION = Object.keys(MIGRATIONS).at(-1)!;

async function migrator(database: Database) {
  const migrations: Record<string, Migration> = {};
  for (const [name, mod] of Object.entries(MIGRATIONS)) migrations[name] = { up: mod.up(database.dialect) };
  // On PostgreSQL the migrator looks for its tables in every schema unless told which one: with
  // GeNIO in one schema and anything else in another, it would take theirs for ours.
  let migrationTableSchema: string | undefined;
  if (database.dialect === 'postgres') {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db);
    migrationTableSchema = rows[0].schema;
  }
  return new Migrator({ db: database.db, provider: { getMigrations: async () => migrations }, migrationTableSchema });
}

/** Applies every pending migration; returns the names applied now. */
export async function migrateToLatest(database: Database): Promise<string[]> {
  const { error, results } = await (await migrator(database)).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when the database has every migration this code knows (used by /readyz). */
export async function isUpToDate(database: Database): Promise<boolean> {
  const all = await (await migrator(database)).getMigrations();
  return all.every((m) => m.executedAt !== undefined);
}
