/**
 * Cancelling a batch: its rows not yet sent stop (unfed rows are never fed, its queued and
 * scheduled messages are cancelled); what already went to IO cannot be called back and is counted.
 */
import type { Kysely } from 'kysely';
import { callbackPayload } from '../../domain/callback-payload.ts';
import type { MessageStatus } from '../../domain/statuses.ts';
import type { Schema } from '../schema.ts';
import { getApiKey } from '../api-keys.ts';
import type { Batch } from './create.ts';
import type { Message } from '../messages/accept.ts';
import { batchMessageCounts } from './read.ts';

export type BatchCancelResult = { kind: 'cancelled'; batch: Batch; cancelledMessages: number } | { kind: 'too_late'; batch: Batch };

/**
 * `notify`: the callback to queue for each cancelled message, when the batch's API key has a
 * callback URL (written in the same transaction, like every other status change).
 */
export async function cancelBatch(
  db: Kysely<Schema>,
  batch: Batch,
  now: number,
  notify?: (m: Message) => { apiKeyId: string; payload: string } | undefined,
): Promise<BatchCancelResult> {
  return db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('batches')
      .set({ status: 'cancelled', cancelled_at: now, finished_at: now, lease_owner: null, lease_until: null, updated_at: now })
      .where('id', '=', batch.id)
      .where('status', 'in', ['checking', 'invalid', 'ready', 'queued', 'scheduled', 'sending'])
      .returningAll()
      .executeTakeFirst();
    if (!updated) return { kind: 'too_late', batch };
    // Same guard as a single cancel: a message the dispatcher has claimed is 'sending' and stays out.
    const cancelled = await trx
      .updateTable('messages')
      .set({ status: 'cancelled', due_at: null, final_at: now, updated_at: now })
      .where('batch_id', '=', batch.id)
      .where('status', 'in', ['queued', 'scheduled'])
      .returningAll()
      .execute();
    for (let i = 0; i < cancelled.length; i += 5000) {
      await trx
        .insertInto('message_events')
        .values(cancelled.slice(i, i + 5000).map((m) => ({ message_id: m.id, status: 'cancelled' as const, at: now, reason: 'batch cancelled by the ente' })))
        .execute();
    }
    const callbacks = cancelled.flatMap((m) => {
      const c = notify?.(m);
      return c ? [{ api_key_id: c.apiKeyId, message_id: m.id, payload: c.payload, status: 'pending' as const, attempts: 0, due_at: now, lease_until: null, last_error: null, created_at: now }] : [];
    });
    for (let i = 0; i < callbacks.length; i += 2000) await trx.insertInto('callbacks').values(callbacks.slice(i, i + 2000)).execute();
    return { kind: 'cancelled', batch: updated, cancelledMessages: cancelled.length };
  });
}

/** Statuses whose messages have gone to IO (or are on their way): a cancel cannot call them back. */
const GONE: readonly MessageStatus[] = ['sending', 'sent', 'delivered', 'rejected', 'failed'];

/** Of a batch's messages by status, how many have gone to IO (or are on their way). */
export function countAlreadySent(counts: Partial<Record<MessageStatus, number>>): number {
  return GONE.reduce((n, s) => n + (counts[s] ?? 0), 0);
}

export type BatchStopResult =
  | { kind: 'cancelled'; batch: Batch; cancelledMessages: number; alreadySent: number; rowsNotSent: number }
  | { kind: 'too_late'; batch: Batch };

/**
 * An ente cancels a batch (the API's cancel, the web UI's "Interrompi l'invio" and "Annulla"):
 * each cancelled message is told to the callback URL of the API key that sent the batch, and the
 * answer says how many messages had already gone to IO and how many valid rows will not be sent.
 */
export async function stopBatch(db: Kysely<Schema>, batch: Batch, serviceCode: string, now: number): Promise<BatchStopResult> {
  const sender = batch.api_key_id ? await getApiKey(db, batch.api_key_id) : undefined;
  const result = await cancelBatch(db, batch, now, (m) =>
    sender?.callback_url
      ? { apiKeyId: sender.id, payload: callbackPayload(m, serviceCode, { status: 'cancelled', reason: 'batch cancelled by the ente', at: now }) }
      : undefined,
  );
  if (result.kind === 'too_late') return result;
  const alreadySent = countAlreadySent(await batchMessageCounts(db, batch.id));
  return { ...result, alreadySent, rowsNotSent: Math.max(0, result.batch.valid_rows - alreadySent) };
}
