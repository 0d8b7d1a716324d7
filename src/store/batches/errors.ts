/**
 * A batch's errors as a person reads them on the check page: how many of each kind (code and
 * column), for a plain summary, and one numbered page of the list at a time.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../schema.ts';

export interface BatchErrorKind {
  code: string;
  column: string | null;
  count: number;
}

/** Error counts by code and column, most frequent first. */
export async function countBatchErrorKinds(db: Kysely<Schema>, batchId: string): Promise<BatchErrorKind[]> {
  const rows = await db
    .selectFrom('batch_errors')
    .select(['code', 'column_name', (eb) => eb.fn.countAll<number>().as('n')])
    .where('batch_id', '=', batchId)
    .groupBy(['code', 'column_name'])
    .execute();
  return rows.map((r) => ({ code: r.code, column: r.column_name, count: Number(r.n) })).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

/** Errors `offset … offset + limit` in the order they were found (row order). */
export async function batchErrorPage(db: Kysely<Schema>, batchId: string, offset: number, limit: number) {
  return db
    .selectFrom('batch_errors')
    .select(['id', 'row_number', 'column_name', 'code', 'message', 'value'])
    .where('batch_id', '=', batchId)
    .orderBy('id')
    .limit(limit)
    .offset(offset)
    .execute();
}
