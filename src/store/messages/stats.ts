/** Counts for the web UI's dashboard (Cruscotto): an ente's messages by status since a time. */
import type { Kysely } from 'kysely';
import type { Schema } from '../schema.ts';
import type { MessageStatus } from '../../domain/statuses.ts';

export async function countMessagesByStatus(db: Kysely<Schema>, enteId: string, since: number): Promise<Partial<Record<MessageStatus, number>>> {
  const rows = await db
    .selectFrom('messages')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('ente_id', '=', enteId)
    .where('created_at', '>=', since)
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
