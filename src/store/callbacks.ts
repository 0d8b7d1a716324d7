/** The callbacks outbox: status changes waiting to be POSTed to an ente's callback URL. */
import { sql } from 'kysely';
import type { Database } from './db.ts';
import type { CallbackTable } from './schema.ts';

export type Callback = Omit<CallbackTable, 'id'> & { id: number };

export async function claimCallbacks(database: Database, limit: number, now: number, leaseMs: number): Promise<Callback[]> {
  const skipLocked = database.dialect === 'postgres' ? sql`for update skip locked` : sql``;
  const { rows } = await sql<Callback>`
    update callbacks set lease_until = ${now + leaseMs}
    where id in (
      select id from callbacks
      where status = 'pending' and due_at <= ${now} and (lease_until is null or lease_until < ${now})
      order by id limit ${limit} ${skipLocked})
    returning *`.execute(database.db);
  return rows.sort((a, b) => a.id - b.id);
}

export async function markCallbackDelivered(database: Database, id: number): Promise<void> {
  await database.db.updateTable('callbacks').set({ status: 'delivered', lease_until: null, last_error: null }).where('id', '=', id).execute();
}

export async function retryCallback(database: Database, id: number, attempts: number, dueAt: number | null, error: string): Promise<void> {
  await database.db
    .updateTable('callbacks')
    .set({ status: dueAt === null ? 'failed' : 'pending', attempts, due_at: dueAt ?? 0, lease_until: null, last_error: error.slice(0, 500) })
    .where('id', '=', id)
    .execute();
}

export async function listCallbacksForMessage(database: Database, messageId: string): Promise<Callback[]> {
  return database.db.selectFrom('callbacks').selectAll().where('message_id', '=', messageId).orderBy('id').execute() as Promise<Callback[]>;
}
