/**
 * Data minimisation: once a message is finished and older than the retention (GENIO_RETENTION,
 * default 90 days), its fiscal code is replaced by the masked form and its text is emptied. The
 * row, its status and its history stay, for the ente's records and reports. Idempotency records
 * past their use go too.
 */
import { sql } from 'kysely';
import type { Database } from './db.ts';
import { maskFiscalCode } from '../domain/fiscal-code.ts';

export const PURGED_TEXT = '';

export interface PurgeResult {
  messages: number;
  idempotencyKeys: number;
  /** Batches whose rows and errors (fiscal codes, typed values) were dropped; counts stay. */
  batches: number;
}

/** Purges up to `limit` messages finished before `cutoff`; returns what it removed. */
export async function purgePersonalData(database: Database, opts: { cutoff: number; now: number; limit?: number }): Promise<PurgeResult> {
  const limit = opts.limit ?? 1000;
  return database.db.transaction().execute(async (trx) => {
    // Finished messages (by messages_purge, which holds only those not yet purged), then those
    // whose outcome stayed unknown (still `sent`, no longer polled: by messages_sent).
    const { rows } = await sql<{ id: string; fiscal_code: string }>`
      select id, fiscal_code from messages
      where purged_at is null and final_at is not null and final_at < ${opts.cutoff}
      order by final_at
      limit ${limit}`.execute(trx);
    if (rows.length < limit) {
      const unknown = await sql<{ id: string; fiscal_code: string }>`
        select id, fiscal_code from messages
        where status = 'sent' and due_at is null and purged_at is null and updated_at < ${opts.cutoff}
        limit ${limit - rows.length}`.execute(trx);
      rows.push(...unknown.rows);
    }
    for (const r of rows) {
      await trx
        .updateTable('messages')
        .set({ fiscal_code: maskFiscalCode(r.fiscal_code), markdown: PURGED_TEXT, purged_at: opts.now })
        .where('id', '=', r.id)
        .execute();
    }
    const idem = await trx.deleteFrom('idempotency_keys').where('created_at', '<', opts.cutoff).executeTakeFirst();
    // A finished batch, or one checked and never sent, keeps its counts; its rows and errors go.
    const batches = await trx
      .selectFrom('batches')
      .select('id')
      .where((eb) =>
        eb.or([
          eb('finished_at', '<', opts.cutoff),
          eb.and([eb('status', 'in', ['invalid', 'ready']), eb('updated_at', '<', opts.cutoff)]),
        ]),
      )
      .where(({ exists, selectFrom }) => exists(selectFrom('batch_rows').select('row_number').whereRef('batch_rows.batch_id', '=', 'batches.id')))
      .limit(5)
      .execute();
    for (const b of batches) {
      await trx.deleteFrom('batch_rows').where('batch_id', '=', b.id).execute();
      await trx.deleteFrom('batch_errors').where('batch_id', '=', b.id).execute();
    }
    return { messages: rows.length, idempotencyKeys: Number(idem.numDeletedRows), batches: batches.length };
  });
}
