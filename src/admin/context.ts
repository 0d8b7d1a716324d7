/**
 * What every admin command works with: the database (already migrated), the master key when
 * the environment has one, and where to write. Passed in, so that tests can call commands on
 * a database of their own and the CLI decides alone how the process gets them.
 */
import type { Database } from '../store/db.ts';
import { openDatabase } from '../store/db.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { findEnteByFiscalCode, type Ente } from '../store/enti.ts';
import { CliError } from './errors.ts';
import type { Output } from './output.ts';
import { OptionChecker } from './validate.ts';

export interface AdminContext {
  database: Database;
  /** From GENIO_MASTER_KEY; null when unset: only commands that store secrets need it. */
  masterKey: Buffer | null;
  out: Output;
  now?: () => number;
}

/** Opens the database, brings it to the latest schema (an admin may run before the first serve), runs `fn`, closes. */
export async function withAdminDatabase<T>(url: string, fn: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase(url);
  try {
    await migrateToLatest(database);
    return await fn(database);
  } finally {
    await database.close();
  }
}

export function requireMasterKey(ctx: AdminContext, why: string): Buffer {
  if (!ctx.masterKey) throw new CliError(`GENIO_MASTER_KEY is required ${why}: set it to the 64-hex-character key GeNIO runs with`);
  return ctx.masterKey;
}

export async function findEnteOrFail(ctx: AdminContext, option: string, fiscalCode: string): Promise<Ente> {
  const ente = await findEnteByFiscalCode(ctx.database.db, fiscalCode);
  if (!ente) throw new CliError(`${option}: no ente has fiscal code ${fiscalCode} (see genio admin list-enti)`);
  return ente;
}

/** The ente named by an optional `--ente` (validated), for commands that list one ente's or all. */
export async function optionalEnteId(ctx: AdminContext, fiscalCode: string | undefined): Promise<string | undefined> {
  if (fiscalCode === undefined) return undefined;
  const check = new OptionChecker();
  const fc = check.enteFiscalCode('--ente', fiscalCode);
  check.done();
  return (await findEnteOrFail(ctx, '--ente', fc!)).id;
}
