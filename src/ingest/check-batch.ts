/**
 * Checking a batch: the check (check-rows.ts) runs in a worker thread and this side stores its
 * chunks under the batch's lease, so reading and validating a big file uses the second core and
 * never holds up the API or the dispatcher for long. Each chunk is stored with the cursor
 * (`checked_row`): a restart resumes after it. The outcome decides the batch's next status.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import path from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { Kysely } from 'kysely';
import type { TemplateDefinition } from '../domain/template.ts';
import { COMPILED, PACKAGE_ROOT } from '../package-root.ts';
import type { Schema } from '../store/schema.ts';
import type { Batch } from '../store/batches/create.ts';
import { finishCheck, saveCheckedChunk, type CheckCounts } from '../store/batches/check.ts';
import type { HeaderProblem } from './columns.ts';
import { checkRows, type CheckChunk, type CheckEnd, type CheckedBatch } from './check-rows.ts';

export interface CheckDeps {
  db: Kysely<Schema>;
  owner: string;
  leaseMs: number;
  maxRows: number;
  now: () => number;
  /** Run the check in a worker thread (default); off runs it on this thread. */
  thread?: boolean;
}

/**
 * Built (dist/), the worker runs the compiled check-worker.js. Under tsx it starts from a tiny
 * bootstrap that registers tsx in its own thread (loader hooks of the main thread do not reach
 * workers), then imports check-worker.ts.
 */
const WORKER_BOOTSTRAP = `
  const { workerData } = require('node:worker_threads');
  import(workerData.tsx).then(({ register }) => { register(); return import(workerData.entry); });
`;
function startWorker(workerData: object, options: WorkerOptions): Worker {
  if (COMPILED) return new Worker(path.join(PACKAGE_ROOT, 'dist/ingest/check-worker.js'), { ...options, workerData });
  // The ESM build of tsx's API (its CommonJS twin sits beside it): resolved here, from GeNIO's
  // own install, since an eval'd worker resolves bare names from the working directory.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./check-worker.ts', import.meta.url).href;
  return new Worker(WORKER_BOOTSTRAP, { ...options, eval: true, workerData: { ...workerData, tsx, entry } });
}

/**
 * The check makes much short-lived garbage (cells, messages, payloads). A young generation of
 * 24 MiB (V8's default is smaller) lets most of it die there; 64 MiB was a little faster but cost
 * 40 MiB more peak RSS in a million-row check (bench/batch-check.ts).
 */
const WORKER_YOUNG_MB = 24;

/**
 * The check itself failed (the worker threw or died: a file that breaks a reader, memory run
 * out). Checking is deterministic, so trying again would fail again: the batch is given up.
 */
export class CheckCrashed extends Error {}

/** The worker's chunks as the same generator the in-thread check gives; each pull acknowledges one. */
async function* fromWorker(batch: CheckedBatch, definition: TemplateDefinition | null, maxPaymentAmount: number, maxRows: number): AsyncGenerator<CheckChunk, CheckEnd> {
  const worker = startWorker({ batch, definition, maxPaymentAmount, maxRows }, { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
  const inbox: Array<{ type: string; chunk?: CheckChunk; end?: CheckEnd; message?: string; stack?: string }> = [];
  let wake: (() => void) | null = null;
  let exited: Error | null = null;
  worker.on('message', (m) => {
    inbox.push(m);
    wake?.();
  });
  worker.on('error', (err) => {
    exited = new CheckCrashed(err.message);
    wake?.();
  });
  worker.on('exit', (code) => {
    exited ??= code ? new CheckCrashed(`the check stopped (worker exit code ${code})`) : null;
    wake?.();
  });
  try {
    for (;;) {
      const m = inbox.shift();
      if (!m) {
        if (exited) throw exited;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        continue;
      }
      if (m.type === 'error') throw Object.assign(new CheckCrashed(m.message), { stack: m.stack });
      if (m.type === 'end') return m.end!;
      yield m.chunk!;
      worker.postMessage('ack');
    }
  } finally {
    await worker.terminate();
  }
}

/** Checks (or goes on checking) a batch this process holds; returns it in its new status. */
export async function checkBatch(deps: CheckDeps, batch: Batch, definition: TemplateDefinition | null, maxPaymentAmount: number): Promise<Batch | undefined> {
  const chunks = deps.thread === false ? checkRows(batch, definition, maxPaymentAmount, deps.maxRows) : fromWorker(batch, definition, maxPaymentAmount, deps.maxRows);
  const save = (c: CheckChunk) => saveCheckedChunk(deps.db, batch.id, deps.owner, c, deps.now(), deps.leaseMs);
  for (;;) {
    const r = await chunks.next();
    // Not stored: the batch was cancelled, or its lease went to another checker. Stop reading.
    if (!(await save(r.value))) {
      await chunks.return(undefined as never);
      return undefined;
    }
    if (r.done) {
      return finishCheck(deps.db, batch.id, deps.owner, outcome(batch, r.value.counts, r.value.problem, r.value.warnings, deps.now()), deps.now()).finally(() => removeFile(batch));
    }
    await yieldToLoop(); // let the API and the dispatcher breathe between chunks
  }
}

function outcome(batch: Batch, counts: CheckCounts, problem: string | null, warnings: HeaderProblem[], now: number) {
  const warningsJson = warnings.length ? JSON.stringify(warnings) : null;
  if (!problem && counts.valid_rows === 0) problem = 'the file has no rows to send';
  const sendable = !problem && (counts.error_count === 0 || batch.send_valid_only === 1);
  if (!sendable) return { status: 'invalid' as const, problem, warnings: warningsJson, confirmed: false };
  if (batch.check_only) return { status: 'ready' as const, problem: null, warnings: warningsJson, confirmed: false };
  const later = batch.scheduled_at !== null && batch.scheduled_at > now;
  return { status: later ? ('scheduled' as const) : ('queued' as const), problem: null, warnings: warningsJson, confirmed: true };
}

/** The uploaded file is not needed once the check is over, whatever its end. */
export function removeFile(batch: Pick<Batch, 'file_path'>): void {
  if (batch.file_path) fs.rm(batch.file_path, { force: true }, () => {});
}
