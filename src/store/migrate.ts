/**
 * Numbered migrations, run by `genio migrate` and at every start. Kysely's migrator records them
 * in `kysely_migration` and holds a lock while it runs, so processes starting together on one
 * PostgreSQL database apply each migration once. Never edit a migration that has landed: add one.
 */
import { Migrator, sql, type DatabaseIntrospector, type Kysely, type Migration } from 'kysely';
import type { Database } from './db.ts';
import * as m0001 from './migrations/0001-core.ts';
import * as m0002 from './migrations/0002-retention.ts';
import * as m0003 from './migrations/0003-templates-batches.ts';
import * as m0004 from './migrations/0004-users.ts';
import * as m0005 from './migrations/0005-web-sessions.ts';
import * as m0006 from './migrations/0006-job-leases.ts';
import * as m0007 from './migrations/0007-budget-slots.ts';
import * as m0008 from './migrations/0008-partial-queue-indexes.ts';
import * as m0009 from './migrations/0009-batch-rows-without-foreign-key.ts';
import * as m0010 from './migrations/0010-profile-cache-in-memory.ts';

const MIGRATIONS = { '0001-core': m0001, '0002-retention': m0002, '0003-templates-batches': m0003, '0004-users': m0004, '0005-web-sessions': m0005, '0006-job-leases': m0006, '0007-budget-slots': m0007, '0008-partial-queue-indexes': m0008, '0009-batch-rows-without-foreign-key': m0009, '0010-profile-cache-in-memory': m0010 } as const;

export const LATEST_MIGRATION = Object.keys(MIGRATIONS).at(-1)!;

async function migrator(database: Database) {
  const migrations: Record<string, Migration> = {};
  for (const [name, mod] of Object.entries(MIGRATIONS)) migrations[name] = { up: mod.up(database.dialect) };
  // On PostgreSQL the migrator looks for its tables in every schema unless told which one: with
  // GeNIO in one schema and anything else in another, it would take theirs for ours.
  const provider = { getMigrations: async () => migrations };
  if (database.dialect !== 'postgres') return new Migrator({ db: database.db, provider });
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db);
  const migrationTableSchema = rows[0].schema;
  return new Migrator({ db: scopedToSchema(database.db, migrationTableSchema), provider, migrationTableSchema });
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

/**
 * The migrator asks its introspector whether its own two tables exist. On PostgreSQL kysely's
 * introspector answers by reading every column of every table in the database, calling
 * pg_get_serial_sequence on each, so another session creating or dropping a table at that moment
 * (another GeNIO process migrating, a schema being dropped) makes it fail with "column … does not
 * exist". This one looks up table names in GeNIO's schema only.
 */
function scopedToSchema(db: Kysely<any>, schema: string): Kysely<any> {
  const introspector: DatabaseIntrospector = {
    getSchemas: () => db.introspection.getSchemas(),
    getTables: async () => {
      const { rows } = await sql<{ name: string }>`
        select c.relname as name from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${schema} and c.relkind in ('r', 'p')`.execute(db);
      return rows.map(({ name }) => ({ name, schema, isView: false, columns: [] }));
    },
    getMetadata: async () => ({ tables: await introspector.getTables() }),
  };
  return new Proxy(db, {
    get(target, property) {
      if (property === 'introspection') return introspector;
      const value = Reflect.get(target, property, target);
      // kysely's methods read private fields: they must run on the instance, not the proxy.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
