/**
 * The job that checks uploaded batches, one at a time per process, under a lease: a batch whose
 * checker died is taken up again when its lease runs out, and resumes where its last chunk ended.
 * A process takes only batches whose file it can read (the upload landed on its disk).
 */
import fs from 'node:fs';
import type { Kysely } from 'kysely';
import type { Logger } from '../log.ts';
import type { Schema } from '../store/schema.ts';
import type { Batch } from '../store/batches/create.ts';
import { claimBatchToCheck, finishCheck, giveUpLostUploads } from '../store/batches/check.ts';
import { getService } from '../store/services.ts';
import { getTemplate } from '../store/templates.ts';
import { checkBatch, CheckCrashed, removeFile } from './check-batch.ts';

export interface BatchCheckerDeps {
  db: Kysely<Schema>;
  owner: string;
  leaseMs: number;
  maxRows: number;
  log: Logger;
  clock: () => number;
  /** A batch finished its check: wake the feeder if it is queued. */
  onChecked: (batch: Batch) => void;
}

/** A batch still unchecked this long after its upload, with its file nowhere here, is given up. */
export const LOST_AFTER_MS = 3_600_000;

export class BatchChecker {
  constructor(private readonly deps: BatchCheckerDeps) {}

  async run(now: number): Promise<boolean> {
    const { deps } = this;
    const here = (b: Batch) => b.file_path !== null && fs.existsSync(b.file_path);
    const batch = await claimBatchToCheck(deps.db, deps.owner, now, deps.leaseMs, here);
    if (!batch) {
      const lost = await giveUpLostUploads(deps.db, now, LOST_AFTER_MS, here);
      if (lost) deps.log.warn({ batches: lost }, 'uploads whose file is gone marked invalid');
      return false;
    }
    const started = deps.clock();
    const service = await getService(deps.db, batch.service_id);
    const template = batch.template_id && batch.template_version ? await getTemplate(deps.db, batch.ente_id, batch.template_id, batch.template_version) : null;
    let checked: Batch | undefined;
    try {
      checked = await checkBatch(
        { db: deps.db, owner: deps.owner, leaseMs: deps.leaseMs, maxRows: deps.maxRows, now: deps.clock },
        batch,
        template?.definition ?? null,
        service?.max_payment_amount ?? 0,
      );
    } catch (err) {
      if (!(err instanceof CheckCrashed)) throw err; // a database error: the lease runs out and the check resumes
      deps.log.error({ batchId: batch.id, err: err.message, stack: err.stack }, 'batch check crashed');
      removeFile(batch);
      checked = await finishCheck(
        deps.db,
        batch.id,
        deps.owner,
        { status: 'invalid', problem: 'GeNIO could not read this file to the end: save it again as CSV (UTF-8) or XLSX and upload it again', warnings: null, confirmed: false },
        deps.clock(),
      );
    }
    if (checked) {
      deps.log.info(
        { batchId: checked.id, status: checked.status, rows: checked.total_rows, valid: checked.valid_rows, invalid: checked.invalid_rows, ms: deps.clock() - started },
        'batch checked',
      );
      deps.onChecked(checked);
    }
    return true;
  }
}
