/** Reading one message of an ente, with its history. The ente id always comes first. */
import type { Kysely } from 'kysely';
import type { MessageEventTable, Schema } from '../schema.ts';
import type { Message } from './accept.ts';

export type MessageEvent = Omit<MessageEventTable, 'id'> & { id: number };

export async function getMessage(db: Kysely<Schema>, enteId: string, id: string): Promise<Message | undefined> {
  return db.selectFrom('messages').selectAll().where('ente_id', '=', enteId).where('id', '=', id).executeTakeFirst();
}

export async function getMessageHistory(db: Kysely<Schema>, enteId: string, id: string): Promise<MessageEvent[]> {
  return db
    .selectFrom('message_events')
    .innerJoin('messages', 'messages.id', 'message_events.message_id')
    .select(['message_events.id', 'message_events.message_id', 'message_events.status', 'message_events.at', 'message_events.reason'])
    .where('messages.ente_id', '=', enteId)
    .where('message_events.message_id', '=', id)
    .orderBy('message_events.id')
    .execute();
}
