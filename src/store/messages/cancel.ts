/** Cancelling: only while the message has not gone to IO (scheduled or queued). */
import type { Kysely } from 'kysely';
import { callbackPayload } from '../../domain/callback-payload.ts';
import type { Schema } from '../schema.ts';
import { getApiKey } from '../api-keys.ts';
import { listServices } from '../services.ts';
import type { Message } from './accept.ts';

export type CancelResult = { kind: 'cancelled'; message: Message } | { kind: 'not_found' } | { kind: 'too_late'; message: Message };

/**
 * `notify`: the callback payload to queue with the cancellation, when the message's API key has
 * a callback URL (written in the same transaction, like every other status change).
 */
export async function cancelMessage(
  db: Kysely<Schema>,
  enteId: string,
  id: string,
  now = Date.now(),
  notify?: (m: Message) => { apiKeyId: string; payload: string } | undefined,
): Promise<CancelResult> {
  return db.transaction().execute(async (trx) => {
    // The status condition makes this safe against a dispatcher claiming the row at the same moment:
    // the claim moves it to 'sending' in one statement, and then this update matches nothing.
    const updated = await trx
      .updateTable('messages')
      .set({ status: 'cancelled', due_at: null, final_at: now, updated_at: now })
      .where('ente_id', '=', enteId)
      .where('id', '=', id)
      .where('status', 'in', ['scheduled', 'queued'])
      .returningAll()
      .executeTakeFirst();
    if (updated) {
      await trx.insertInto('message_events').values({ message_id: id, status: 'cancelled', at: now, reason: 'cancelled by the ente' }).execute();
      const callback = notify?.(updated);
      if (callback) {
        await trx
          .insertInto('callbacks')
          .values({ api_key_id: callback.apiKeyId, message_id: id, payload: callback.payload, status: 'pending', attempts: 0, due_at: now, lease_until: null, last_error: null, created_at: now })
          .execute();
      }
      return { kind: 'cancelled', message: updated };
    }
    const current = await trx.selectFrom('messages').selectAll().where('ente_id', '=', enteId).where('id', '=', id).executeTakeFirst();
    return current ? { kind: 'too_late', message: current } : { kind: 'not_found' };
  });
}

/**
 * Cancels `message` as its ente asked (API or web UI), with the callback its sender expects: the
 * callback goes to the API key that sent the message, which may not be the one cancelling it,
 * and a message sent from the web UI has no key and so no callback.
 */
export async function cancelMessageForEnte(db: Kysely<Schema>, enteId: string, message: Message, now = Date.now()): Promise<CancelResult> {
  const sender = message.api_key_id ? await getApiKey(db, message.api_key_id) : undefined;
  const codes = sender?.callback_url ? new Map((await listServices(db, enteId)).map((s) => [s.id, s.code])) : new Map<string, string>();
  return cancelMessage(db, enteId, message.id, now, (m) =>
    sender?.callback_url
      ? { apiKeyId: sender.id, payload: callbackPayload(m, codes.get(m.service_id) ?? '', { status: 'cancelled', reason: 'cancelled by the ente', at: now }) }
      : undefined,
  );
}
