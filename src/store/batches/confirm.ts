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
