/** Listing an ente's messages, newest first, with an opaque cursor (the last id seen). */
import type { Kysely } from 'kysely';
import type { Schema } from '../schema.ts';
import type { MessageStatus } from '../../domain/statuses.ts';
import type { Message } from './accept.ts';

export interface MessageFilter {
  serviceId?: string;
  status?: MessageStatus;
  reference?: string;
  fiscalCode?: string;
  createdFrom?: number;
  createdTo?: number;
  /** Only the messages of this batch. */
  batchId?: string;
  /** Only messages with an id lower than this (the previous page's last id). */
  before?: string;
  limit: number;
  /** Only these services (an API key restricted to some services). */
  serviceIds?: string[] | null;
}

export async function listMessages(db: Kysely<Schema>, enteId: string, f: MessageFilter): Promise<{ items: Message[]; nextBefore: string | null }> {
  let q = db.selectFrom('messages').selectAll().where('ente_id', '=', enteId);
  if (f.serviceId) q = q.where('service_id', '=', f.serviceId);
  if (f.serviceIds) q = q.where('service_id', 'in', f.serviceIds.length ? f.serviceIds : ['-']);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.reference) q = q.where('reference', '=', f.reference);
  if (f.fiscalCode) q = q.where('fiscal_code', '=', f.fiscalCode);
  if (f.createdFrom !== undefined) q = q.where('created_at', '>=', f.createdFrom);
  if (f.createdTo !== undefined) q = q.where('created_at', '<', f.createdTo);
  if (f.batchId) q = q.where('batch_id', '=', f.batchId);
  if (f.before) q = q.where('id', '<', f.before);
  const rows = await q.orderBy('id', 'desc').limit(f.limit + 1).execute();
  const more = rows.length > f.limit;
  const items = more ? rows.slice(0, f.limit) : rows;
  return { items, nextBefore: more ? items[items.length - 1].id : null };
}
