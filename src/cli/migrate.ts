/** `genio migrate`: bring the database to the schema this code expects, saying what it did. */
import { openDatabase } from '../store/db.ts';
import { migrateToLatest } from '../store/migrate.ts';
import type { Output } from '../admin/output.ts';

export const DEFAULT_DATABASE_URL = './data/genio.sqlite';

export async function migrateCommand(databaseUrl: string, out: Output): Promise<string[]> {
  const database = await openDatabase(databaseUrl);
  try {
    const applied = await migrateToLatest(database);
    if (applied.length) for (const name of applied) out.line(`applied ${name}`);
    else out.line('up to date: no migration to apply');
    out.line(`database: ${database.description}`);
    return applied;
  } finally {
    await database.close();
  }
}
