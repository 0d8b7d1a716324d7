/** Reading batches: one ente's own only, their progress, their errors and their rows with each row's fate. */
import { sql, type Kysely } from 'kysely';
import type { MessageStatus } from '../../domain/statuses.ts';
import type { BatchStatus, Schema } from '../schema.ts';
import type { Batch } from './create.ts';

export async function getBatch(db: Kysely<Schema>, enteId: string, id: string): Promise<Batch | undefined> {
  return db.selectFrom('batches').selectAll().where('ente_id', '=', enteId).where('id', '=', id).executeTakeFirst();
}

export async function listBatches(
  db: Kysely<Schema>,
  enteId: string,
  opts: { serviceIds: string[] | null; before?: string; limit: number; statuses?: readonly BatchStatus[] },
): Promise<Batch[]> {
  let q = db.selectFrom('batches').selectAll().where('ente_id', '=', enteId);
  if (opts.statuses) q = q.where('status', 'in', opts.statuses);
  if (opts.serviceIds) q = opts.serviceIds.length ? q.where('service_id', 'in', opts.serviceIds) : q.where('id', '=', '');
  if (opts.before) q = q.where('id', '<', opts.before);
  return q.orderBy('id', 'desc').limit(opts.limit).execute();
}

/** How many of the batch's messages are in each status. */
export async function batchMessageCounts(db: Kysely<Schema>, batchId: string): Promise<Partial<Record<MessageStatus, number>>> {
  const rows = await db
    .selectFrom('messages')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('batch_id', '=', batchId)
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

export async function listBatchErrors(db: Kysely<Schema>, batchId: string, afterId: number, limit: number) {
  return db
    .selectFrom('batch_errors')
    .select(['id', 'row_number', 'column_name', 'code', 'message', 'value'])
    .where('batch_id', '=', batchId)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** A row's fate: `invalid` (not sent: it has errors), `pending` (not in the outbox yet), or its message's status. */
export type RowStatus = MessageStatus | 'invalid' | 'pending';

export interface BatchRowView {
  row_number: number;
  fiscal_code: string | null;
  status: RowStatus;
  message_id: string | null;
  io_message_id: string | null;
  reason: string | null;
  payload: string | null;
}

/** Rows after `afterRow` in row order, each with its message if it has one; optionally only one status. */
export async function listBatchRows(db: Kysely<Schema>, batchId: string, opts: { afterRow: number; limit: number; status?: RowStatus }): Promise<BatchRowView[]> {
  const status = sql<RowStatus>`case when br.payload is null then 'invalid' when m.id is null then 'pending' else m.status end`;
  let q = db
    .selectFrom('batch_rows as br')
    .leftJoin('messages as m', (j) => j.onRef('m.batch_id', '=', 'br.batch_id').onRef('m.batch_row', '=', 'br.row_number'))
    .select([
      'br.row_number',
      'br.fiscal_code',
      'br.payload',
      status.as('status'),
      'm.id as message_id',
      'm.io_message_id',
      sql<string | null>`coalesce(br.error, m.last_error)`.as('reason'),
    ])
    .where('br.batch_id', '=', batchId)
    .where('br.row_number', '>', opts.afterRow);
  if (opts.status) q = q.where(status, '=', opts.status);
  return q.orderBy('br.row_number').limit(opts.limit).execute() as Promise<BatchRowView[]>;
}

/** The first valid rows, for a preview of the messages a batch will send. */
export async function firstValidRows(db: Kysely<Schema>, batchId: string, n: number): Promise<Array<{ row_number: number; payload: string }>> {
  const rows = await db
    .selectFrom('batch_rows')
    .select(['row_number', 'payload'])
    .where('batch_id', '=', batchId)
    .where('payload', 'is not', null)
    .orderBy('row_number')
    .limit(n)
    .execute();
  return rows as Array<{ row_number: number; payload: string }>;
}
