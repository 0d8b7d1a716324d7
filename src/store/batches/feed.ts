/**
 * Feeding a confirmed batch into the outbox a window at a time. The messages table stays the
 * only queue the dispatcher knows, and a 500 000-row batch never floods it: the feeder keeps at
 * most a window of the batch's rows queued. Each chunk of messages and the batch's cursor
 * (`fed_row`) are written in one transaction, and the unique (batch_id, batch_row) index refuses a
 * row fed twice: after a crash the feeder resumes after the last committed row, none sent twice,
 * none skipped.
 */
import { sql, type Kysely } from 'kysely';
import type { Schema } from '../schema.ts';
import type { Batch } from './create.ts';
import { insertMessages, type Message } from '../messages/accept.ts';

/** `fed_row` once every row is in the outbox (the largest PostgreSQL integer). */
export const ALL_FED = 2_147_483_647;

/** Batches with rows to feed or messages to follow: sending now, or due to start. */
export async function batchesToFeed(db: Kysely<Schema>, now: number): Promise<Batch[]> {
  return db
    .selectFrom('batches')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('status', 'in', ['queued', 'sending']),
        eb.and([eb('status', '=', 'scheduled'), eb('scheduled_at', '<=', now)]),
      ]),
    )
    .orderBy('confirmed_at')
    .execute();
}

/** The batch's messages not yet gone to IO (queued, sending or scheduled by their own row). */
export async function pendingMessages(db: Kysely<Schema>, batchId: string): Promise<number> {
  const r = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('batch_id', '=', batchId)
    .where('status', 'in', ['queued', 'sending', 'scheduled'])
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export interface StoredRow {
  row_number: number;
  payload: string;
}

/**
 * Feeds up to `limit` valid rows after the cursor. `toMessage` turns a stored row into a message
 * row (or a reason it can no longer be sent). Returns how many rows were fed; 0 when another
 * feeder moved the cursor first.
 */
export async function feedRows(
  db: Kysely<Schema>,
  batch: Pick<Batch, 'id' | 'fed_row' | 'status'>,
  limit: number,
  now: number,
  toMessage: (row: StoredRow) => Message,
): Promise<{ fed: number; lastRow: number }> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('batch_rows')
      .select(['row_number', 'payload'])
      .where('batch_id', '=', batch.id)
      .where('row_number', '>', batch.fed_row)
      .where('payload', 'is not', null)
      .orderBy('row_number')
      .limit(limit)
      .execute();
    const lastRow = rows.length ? rows[rows.length - 1].row_number : ALL_FED;
    const moved = await trx
      .updateTable('batches')
      .set({ fed_row: lastRow, status: 'sending', updated_at: now })
      .where('id', '=', batch.id)
      .where('fed_row', '=', batch.fed_row)
      .where('status', 'in', ['queued', 'sending', 'scheduled'])
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) return { fed: 0, lastRow: batch.fed_row };
    const messages = rows.map((r) => toMessage(r as StoredRow));
    for (let i = 0; i < messages.length; i += 500) await insertMessages(trx, messages.slice(i, i + 500));
    return { fed: messages.length, lastRow };
  });
}

/** Every row is in the outbox and none is waiting to go: the batch is done. */
export async function markBatchDone(db: Kysely<Schema>, batchId: string, now: number): Promise<boolean> {
  const r = await db
    .updateTable('batches')
    .set({ status: 'done', finished_at: now, updated_at: now })
    .where('id', '=', batchId)
    .where('status', '=', 'sending')
    .where('fed_row', '=', ALL_FED)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('messages').select(sql`1`.as('one')).where('batch_id', '=', batchId).where('status', 'in', ['queued', 'sending', 'scheduled']))),
    )
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
