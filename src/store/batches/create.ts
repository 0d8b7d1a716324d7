/** A new batch: an upload waiting to be checked, and the checks that come before it (same file, same key). */
import type { Kysely } from 'kysely';
import type { BatchTable, Schema } from '../schema.ts';

export type Batch = BatchTable;

export type NewBatch = Pick<
  Batch,
  'id' | 'ente_id' | 'service_id' | 'api_key_id' | 'template_id' | 'template_version' | 'source' | 'file_name' | 'file_sha256' | 'file_size' | 'file_path' | 'scheduled_at' | 'check_only' | 'send_valid_only' | 'idempotency_key' | 'request_hash'
> & { user_id?: string | null };

export async function insertBatch(db: Kysely<Schema>, input: NewBatch, now = Date.now()): Promise<Batch> {
  const batch: Batch = {
    ...input,
    user_id: input.user_id ?? null,
    status: 'checking',
    encoding: null,
    delimiter: null,
    total_rows: 0,
    valid_rows: 0,
    invalid_rows: 0,
    empty_rows: 0,
    duplicate_rows: 0,
    error_count: 0,
    checked_row: 0,
    fed_row: 0,
    warnings: null,
    problem: null,
    lease_owner: null,
    lease_until: null,
    created_at: now,
    updated_at: now,
    checked_at: null,
    confirmed_at: null,
    finished_at: null,
    cancelled_at: null,
  };
  await db.insertInto('batches').values(batch).execute();
  return batch;
}

/** An earlier batch of the same file for the same service since `since`, that got past its checks. */
export async function findSameFile(db: Kysely<Schema>, serviceId: string, sha256: string, since: number): Promise<Batch | undefined> {
  return db
    .selectFrom('batches')
    .selectAll()
    .where('service_id', '=', serviceId)
    .where('file_sha256', '=', sha256)
    .where('created_at', '>=', since)
    .where('status', '!=', 'invalid')
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

export async function findBatchByIdempotencyKey(db: Kysely<Schema>, enteId: string, key: string): Promise<Batch | undefined> {
  return db.selectFrom('batches').selectAll().where('ente_id', '=', enteId).where('idempotency_key', '=', key).executeTakeFirst();
}
