/**
 * Storing a batch's check as it goes: rows and errors in chunks, each chunk in one transaction
 * with the counts and the cursor (`checked_row`), so a restart resumes after the last chunk and
 * never stores a row twice. A checker holds the batch under a lease; a chunk written by one
 * that lost its lease is refused.
 */
import { sql, type Kysely } from 'kysely';
import { insertRows, speaksPostgres, repeatRows, runStatement, type Param } from '../raw-statements.ts';
import type { BatchErrorTable, BatchStatus, BatchTable, Schema } from '../schema.ts';
import type { Batch } from './create.ts';

export type CheckCounts = Pick<BatchTable, 'total_rows' | 'valid_rows' | 'invalid_rows' | 'empty_rows' | 'duplicate_rows' | 'error_count'>;

export type NewBatchError = Omit<BatchErrorTable, 'id'>;

const BATCH_ERROR_COLUMNS = ['batch_id', 'row_number', 'column_name', 'code', 'message', 'value'] as const satisfies readonly (keyof NewBatchError)[];

/**
 * A checked row as the checker hands it over (compact, to cross between threads):
 * [row number, fiscal code, payload, error] of a `batch_rows` line.
 */
export type CheckedRow = [number, string | null, string | null, string | null];

/** Takes a batch waiting to be checked (new, or its checker's lease ran out). */
export async function claimBatchToCheck(db: Kysely<Schema>, owner: string, now: number, leaseMs: number, mayTake: (b: Batch) => boolean = () => true): Promise<Batch | undefined> {
  const candidates = await db
    .selectFrom('batches')
    .selectAll()
    .where('status', '=', 'checking')
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .orderBy('created_at')
    .limit(10)
    .execute();
  for (const c of candidates) {
    if (!mayTake(c)) continue;
    const claimed = await db
      .updateTable('batches')
      .set({ lease_owner: owner, lease_until: now + leaseMs, updated_at: now })
      .where('id', '=', c.id)
      .where('status', '=', 'checking')
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .returningAll()
      .executeTakeFirst();
    if (claimed) return claimed;
  }
  return undefined;
}

/** SQLite takes at most 32 766 parameters a statement: a row has 5 (a check's chunk of 1 000 rows is one statement), an error 6. */
const ROW_SLICE = 6000;
const ERROR_SLICE = 5000;

/**
 * Rows as jsonb's binary input (a version byte, then the JSON text), written row by row into
 * memory outside V8's heap. One JSON string of the whole chunk was a megabyte-sized object that V8
 * keeps until its next full collection: a million-row check on PostgreSQL peaked ~70 MiB higher.
 */
function jsonbArray(rows: CheckedRow[]): Buffer {
  const parts = rows.map((row) => JSON.stringify(row));
  let size = 3 + parts.length;
  for (const part of parts) size += part.length * 3; // UTF-8 takes at most 3 bytes a UTF-16 unit
  const buffer = Buffer.allocUnsafeSlow(size);
  buffer[0] = 1; // jsonb's binary format version
  buffer[1] = 0x5b; // [
  let at = 2;
  for (let i = 0; i < parts.length; i++) {
    if (i) buffer[at++] = 0x2c; // ,
    at += buffer.write(parts[i], at);
  }
  buffer[at++] = 0x5d; // ]
  return buffer.subarray(0, at);
}

/**
 * A chunk's rows, straight from the tuples to the parameters: a million rows make no objects.
 * PostgreSQL takes them as one jsonb array: binding five parameters a row, or escaping four text
 * arrays in JavaScript, cost more than the insert itself (bench/batch-check.ts).
 */
async function insertCheckedRows(db: Kysely<Schema>, batchId: string, rows: CheckedRow[]): Promise<void> {
  if (!rows.length) return;
  if (speaksPostgres(db)) {
    await runStatement(db, 'batch_rows|jsonb', () => `insert into batch_rows (batch_id, row_number, fiscal_code, payload, error)
      select ?, (r->>0)::integer, r->>1, r->>2, r->>3 from jsonb_array_elements(?::jsonb) r`, [batchId, jsonbArray(rows)]);
    return;
  }
  for (let i = 0; i < rows.length; i += ROW_SLICE) {
    const slice = rows.slice(i, i + ROW_SLICE);
    const params: Param[] = [];
    for (const [rowNumber, fiscalCode, payload, error] of slice) params.push(batchId, rowNumber, fiscalCode, payload, error);
    await runStatement(db, `batch_rows|${slice.length}`, () => `insert into batch_rows (batch_id, row_number, fiscal_code, payload, error) values ${repeatRows(slice.length, '(?, ?, ?, ?, ?)')}`, params);
  }
}

export async function saveCheckedChunk(
  db: Kysely<Schema>,
  batchId: string,
  owner: string,
  chunk: { rows: CheckedRow[]; errors: NewBatchError[]; counts: CheckCounts; lastRow: number; info?: { encoding: string | null; delimiter: string | null } },
  now: number,
  leaseMs: number,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    // A chunk and its cursor commit together: should the server lose its last commits in a
    // crash, the check resumes after the cursor that survived. So PostgreSQL need not wait for
    // the disk at each of a million rows' thousand commits.
    if (speaksPostgres(trx)) await sql`set local synchronous_commit = off`.execute(trx);
    const kept = await trx
      .updateTable('batches')
      .set({ ...chunk.counts, ...(chunk.info ?? {}), checked_row: chunk.lastRow, lease_until: now + leaseMs, updated_at: now })
      .where('id', '=', batchId)
      .where('status', '=', 'checking')
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    if (Number(kept.numUpdatedRows) !== 1) return false;
    await insertCheckedRows(trx, batchId, chunk.rows);
    for (let i = 0; i < chunk.errors.length; i += ERROR_SLICE) await insertRows(trx, 'batch_errors', BATCH_ERROR_COLUMNS, chunk.errors.slice(i, i + ERROR_SLICE));
    return true;
  });
}

export interface CheckOutcome {
  status: Extract<BatchStatus, 'invalid' | 'ready' | 'queued' | 'scheduled'>;
  problem: string | null;
  warnings: string | null;
  confirmed: boolean;
}

export async function finishCheck(db: Kysely<Schema>, batchId: string, owner: string, outcome: CheckOutcome, now: number): Promise<Batch | undefined> {
  return db
    .updateTable('batches')
    .set({
      status: outcome.status,
      problem: outcome.problem,
      warnings: outcome.warnings,
      checked_at: now,
      confirmed_at: outcome.confirmed ? now : null,
      lease_owner: null,
      lease_until: null,
      file_path: null,
      updated_at: now,
    })
    .where('id', '=', batchId)
    .where('status', '=', 'checking')
    .where('lease_owner', '=', owner)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Batches still `checking` long after their upload whose file no process has taken: their file
 * is gone (a wiped disk, a machine replaced). They become `invalid` with a problem that says to
 * upload again, rather than wait for ever.
 */
export async function giveUpLostUploads(db: Kysely<Schema>, now: number, olderThanMs: number, fileIsHere: (b: Batch) => boolean): Promise<number> {
  const stale = await db
    .selectFrom('batches')
    .selectAll()
    .where('status', '=', 'checking')
    .where('created_at', '<', now - olderThanMs)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .limit(20)
    .execute();
  let n = 0;
  for (const b of stale.filter((x) => !fileIsHere(x))) {
    const r = await db
      .updateTable('batches')
      .set({ status: 'invalid', problem: 'the uploaded file is no longer on the server: upload it again', checked_at: now, file_path: null, updated_at: now })
      .where('id', '=', b.id)
      .where('status', '=', 'checking')
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .executeTakeFirst();
    n += Number(r.numUpdatedRows);
  }
  return n;
}
