/**
 * Recovery of work whose worker died: a `sending` message whose lease has passed goes back to the
 * queue. If its submit had started (phase 'submitting'), IO may already hold it: sending it again
 * may make the one duplicate GeNIO allows (a request in flight at a crash); it is marked and counted.
 */
import { sql } from 'kysely';
import type { Database } from '../db.ts';

export async function requeueExpiredLeases(database: Database, now: number): Promise<{ requeued: number; possibleDuplicates: number }> {
  // On PostgreSQL the rows stay locked until the transaction ends: a worker finishing one of them
  // meanwhile waits, then finds it queued again (its lease is gone) and records nothing.
  const lock = database.dialect === 'postgres' ? sql`for update skip locked` : sql``;
  return database.db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ id: string; phase: string | null }>`
      select id, phase from messages where status = 'sending' and lease_until < ${now} ${lock}`.execute(trx);
    if (!rows.length) return { requeued: 0, possibleDuplicates: 0 };
    const inFlight = rows.filter((r) => r.phase === 'submitting').map((r) => r.id);
    const ids = rows.map((r) => r.id);
    await trx
      .updateTable('messages')
      .set({ status: 'queued', due_at: now, lease_owner: null, lease_until: null, phase: null, updated_at: now })
      .where('id', 'in', ids)
      .where('status', '=', 'sending')
      .where('lease_until', '<', now)
      .execute();
    if (inFlight.length) {
      await trx.updateTable('messages').set((eb) => ({ possible_duplicate: eb('possible_duplicate', '+', 1) })).where('id', 'in', inFlight).execute();
    }
    const inFlightSet = new Set(inFlight);
    await trx
      .insertInto('message_events')
      .values(rows.map((r) => ({
        message_id: r.id,
        status: 'queued' as const,
        at: now,
        reason: inFlightSet.has(r.id)
          ? 'worker stopped while submitting: IO may have received it, sending again'
          : 'worker stopped before submitting: queued again',
      })))
      .execute();
    return { requeued: rows.length, possibleDuplicates: inFlight.length };
  });
}

/** Scheduled messages whose time has come join the queue. */
export async function promoteScheduled(database: Database, now: number): Promise<number> {
  return database.db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ id: string }>`
      update messages set status = 'queued', updated_at = ${now}
      where status = 'scheduled' and due_at <= ${now} returning id`.execute(trx);
    if (rows.length) {
      await trx.insertInto('message_events').values(rows.map((r) => ({ message_id: r.id, status: 'queued' as const, at: now, reason: 'scheduled time reached' }))).execute();
    }
    return rows.length;
  });
}
