/**
 * Our own statements (raw-statements.ts): one shape on both databases in one process gets each
 * its own placeholders, values land in their columns in order, and a missing value is NULL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../src/store/db.ts';
import { insertRows, repeatRows, runStatement } from '../../src/store/raw-statements.ts';
import { DB_KINDS, freshDatabaseUrl } from '../support/genio.ts';

interface Row {
  id: string;
  n: number;
  note?: string | null;
}

describe('our own statements on both databases, one after the other', () => {
  const opened: Array<{ kind: string; database: Database; drop: () => Promise<void> }> = [];
  beforeAll(async () => {
    for (const kind of DB_KINDS) {
      const { url, drop } = await freshDatabaseUrl(kind);
      const database = await openDatabase(url);
      await sql`create table things (id text primary key, n integer not null, note text)`.execute(database.db);
      opened.push({ kind, database, drop });
    }
  });
  afterAll(async () => {
    for (const o of opened) {
      await o.database.close();
      await o.drop();
    }
  });

  it('inserts rows and updates them by a VALUES list, with the same shapes on each database', async () => {
    for (const { kind, database } of opened) {
      const rows: Row[] = [{ id: 'a', n: 1, note: 'uno' }, { id: 'b', n: 2 }, { id: 'c', n: 3, note: null }];
      await insertRows(database.db, 'things', ['id', 'n', 'note'], rows);
      const updated = await runStatement<{ id: string }>(
        database.db,
        'test|things|update|2',
        () => `with v(id, n) as (values ${repeatRows(2, '(?, cast(? as integer))')})
          update things set n = v.n, note = ? from v where things.id = v.id returning things.id`,
        ['a', 10, 'c', 30, 'cambiato'],
      );
      expect(updated.map((r) => r.id).sort(), kind).toEqual(['a', 'c']);
      const all = await database.db.selectFrom('things' as never).selectAll().orderBy('id' as never).execute();
      expect(all, kind).toEqual([
        { id: 'a', n: 10, note: 'cambiato' },
        { id: 'b', n: 2, note: null },
        { id: 'c', n: 30, note: 'cambiato' },
      ]);
    }
  });
});
