import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openDatabase } from '../../src/store/db.ts';
import { LATEST_MIGRATION, isUpToDate, migrateToLatest } from '../../src/store/migrate.ts';
import { POSTGRES_URL, freshDatabaseUrl } from '../support/genio.ts';

describe.runIf(POSTGRES_URL)('migrations on PostgreSQL while another session changes tables', () => {
  it('every schema migrates to the latest while tables elsewhere are created, altered and dropped', async () => {
    const churn = new pg.Client({ connectionString: POSTGRES_URL });
    await churn.connect();
    const scratch = `churn_${process.pid}`;
    await churn.query(`create schema if not exists ${scratch}`);
    let stop = false;
    const churning = (async () => {
      for (let i = 0; !stop; i++) {
        await churn.query(`create table ${scratch}.t${i % 4} (a serial, b text, c int)`);
        await churn.query(`alter table ${scratch}.t${i % 4} drop column c`);
        await churn.query(`drop table ${scratch}.t${i % 4}`);
      }
    })();
    const databases = await Promise.all(Array.from({ length: 6 }, () => freshDatabaseUrl('postgres')));
    try {
      for (let round = 0; round < 2; round++) {
        await Promise.all(databases.map(async ({ url }) => {
          const database = await openDatabase(url);
          try {
            const applied = await migrateToLatest(database);
            // The first round applies every migration, the second finds them recorded.
            expect(applied.at(-1)).toBe(round === 0 ? LATEST_MIGRATION : undefined);
            expect(await isUpToDate(database)).toBe(true);
          } finally {
            await database.close();
          }
        }));
      }
    } finally {
      stop = true;
      await churning;
      await churn.query(`drop schema ${scratch} cascade`);
      await churn.end();
      await Promise.all(databases.map((d) => d.drop()));
    }
  }, 60_000);

  it('leaves batch rows and errors without the foreign key that cost a third of a big check', async () => {
    const { url, drop } = await freshDatabaseUrl('postgres');
    const database = await openDatabase(url);
    try {
      await migrateToLatest(database);
      const { rows } = await sql<{ table: string }>`
        select conrelid::regclass::text as table from pg_constraint
        where contype = 'f' and connamespace = current_schema()::regnamespace`.execute(database.db);
      const tables = rows.map((r) => r.table);
      expect(tables).not.toContain('batch_rows');
      expect(tables).not.toContain('batch_errors');
      expect(tables).toContain('messages'); // the others are kept
    } finally {
      await database.close();
      await drop();
    }
  });
});
