/** Reading test tables to the end, and the TableError a read ends with. */
import { expect } from 'vitest';
import { TableError, type Table, type TableRow } from '../../src/ingest/read-table.ts';

export async function allRows(table: Table): Promise<TableRow[]> {
  const rows: TableRow[] = [];
  for await (const r of table.rows) rows.push(r);
  return rows;
}

/** The TableError that `work` rejects with (fails the test if it resolves or throws something else). */
export async function tableError(work: Promise<unknown>): Promise<TableError> {
  const err = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TableError);
  return err as TableError;
}
