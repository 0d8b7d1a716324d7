/**
 * Storing a batch's check as it goes: rows and errors in chunks, each chunk in one transaction
 * with the counts and the cursor (`checked_row`), so a restart resumes after the last chunk and
 * never stores a row twice. A checker holds the batch under a lease; a chunk written by one
 * that lost its lease is refused.
 */
import type { Kysely } from 'kysely';
import type { BatchErrorTable, BatchRowTable, BatchStatus, BatchTable, Schema } from '../schema.ts';
import type { Batch } from './create.ts';

export type CheckCounts = Pick<BatchTable, 'total_rows' | 'valid_rows' | 'invalid_rows' | 'empty_rows' | 'duplicate_rows' | 'error_count'>;

export type NewBatchError = Omit<BatchErrorTable, 'id'>;

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

/** SQLite takes at most 32 766 parameters a statement: a row has 5, an error 7. */
const SLICE = 2000;

export async function saveCheckedChunk(
  db: Kysely<Schema>,
  batchId: string,
  owner: string,
  chunk: { rows: BatchRowTable[]; errors: NewBatchError[]; counts: CheckCounts; lastRow: number; info?: { encoding: string | null; delimiter: string | null } },
  now: number,
  leaseMs: number,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const kept = await trx
      .updateTable('batches')
      .set({ ...chunk.counts, ...(chunk.info ?? {}), checked_row: chunk.lastRow, lease_until: now + leaseMs, updated_at: now })
      .where('id', '=', batchId)
      .where('status', '=', 'checking')
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    if (Number(kept.numUpdatedRows) !== 1) return false;
    for (let i = 0; i < chunk.rows.length; i += SLICE) await trx.insertInto('batch_rows').values(chunk.rows.slice(i, i + SLICE)).execute();
    for (let i = 0; i < chunk.errors.length; i += SLICE) await trx.insertInto('batch_errors').values(chunk.errors.slice(i, i + SLICE)).execute();
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
