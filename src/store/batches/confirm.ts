/** Confirming a checked batch: it goes to the queue now, or waits for its scheduled time. */
import type { Kysely } from 'kysely';
import type { Schema } from '../schema.ts';
import type { Batch } from './create.ts';

export async function confirmBatch(
  db: Kysely<Schema>,
  batch: Batch,
  opts: { scheduledAt: number | null; sendValidOnly: boolean },
  now: number,
): Promise<Batch | undefined> {
  const later = opts.scheduledAt !== null && opts.scheduledAt > now;
  return db
    .updateTable('batches')
    .set({
      status: later ? 'scheduled' : 'queued',
      scheduled_at: opts.scheduledAt,
      send_valid_only: opts.sendValidOnly ? 1 : batch.send_valid_only,
      confirmed_at: now,
      updated_at: now,
    })
    .where('id', '=', batch.id)
    .where('status', '=', batch.status)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Why a batch cannot be confirmed now, in English for the API (null: it can). A batch with
 * errors goes only when asked to send its valid rows alone, and only if it has some and its file
 * could be read; a batch still being checked, or already on its way, cannot be confirmed.
 */
export function confirmBlocker(batch: Batch, sendValidOnly: boolean): string | null {
  const validOnly = sendValidOnly || batch.send_valid_only === 1;
  const confirmable =
    batch.status === 'ready' || (batch.status === 'invalid' && validOnly && batch.valid_rows > 0 && batch.problem === null && batch.checked_at !== null);
  if (confirmable) return null;
  return batch.status === 'invalid'
    ? batch.problem ?? `it has ${batch.error_count} error(s): fix the file and upload it again, or confirm with send_valid_only to send its ${batch.valid_rows} valid row(s) alone`
    : `it is ${batch.status}`;
}

export type ConfirmOutcome =
  | { kind: 'confirmed'; batch: Batch }
  | { kind: 'not_confirmable'; why: string }
  /** Another request moved the batch between reading and confirming it. */
  | { kind: 'changed' };

/**
 * Confirms a checked batch: now, or at `scheduledAt` (undefined keeps the time given at upload).
 * The API's confirm and the web UI's "Conferma e invia" / "Invia solo le righe valide" / "Programma".
 */
export async function confirmCheckedBatch(
  db: Kysely<Schema>,
  batch: Batch,
  opts: { scheduledAt?: number | null; sendValidOnly: boolean },
  now: number,
): Promise<ConfirmOutcome> {
  const sendValidOnly = opts.sendValidOnly || batch.send_valid_only === 1;
  const why = confirmBlocker(batch, sendValidOnly);
  if (why !== null) return { kind: 'not_confirmable', why };
  const scheduledAt = opts.scheduledAt === undefined ? batch.scheduled_at : opts.scheduledAt;
  const confirmed = await confirmBatch(db, batch, { scheduledAt, sendValidOnly }, now);
  return confirmed ? { kind: 'confirmed', batch: confirmed } : { kind: 'changed' };
}
