import pg from 'pg';
import { describe, expect, it } from 'vitest';
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
});
