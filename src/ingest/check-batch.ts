/**
 * Checking a batch: streams its file row by row, checks each row exactly as a single message,
 * finds duplicates, and stores rows and errors in chunks under the batch's lease. Resumable: a
 * restart re-reads the rows already stored (to know their duplicates again) and writes only
 * after `checked_row`. The outcome decides the batch's next status.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { MessageRules, ValidMessage } from '../domain/message-input.ts';
import type { CompiledTemplate } from '../domain/render-template.ts';
import type { BatchRowTable, Schema } from '../store/schema.ts';
import type { Batch } from '../store/batches/create.ts';
import { finishCheck, saveCheckedChunk, type CheckCounts, type NewBatchError } from '../store/batches/check.ts';
import { encodeRowPayload } from '../store/batches/row-payload.ts';
import { openTable, TableError } from './read-table.ts';
import { planColumns, type HeaderProblem } from './columns.ts';
import { checkMessage, CsvRowChecker, type RowResult } from './row-check.ts';

export interface CheckDeps {
  db: Kysely<Schema>;
  owner: string;
  leaseMs: number;
  maxRows: number;
  now: () => number;
}

interface SourceRow {
  row: number;
  check: () => RowResult;
}

interface Source {
  info: { encoding: string | null; delimiter: string | null };
  headerErrors: HeaderProblem[];
  warnings: HeaderProblem[];
  rows: AsyncIterable<SourceRow> | Iterable<SourceRow>;
}

const CHUNK = 5000;

/** A 53-bit digest of what makes two rows the same message for the same citizen. */
function duplicateKey(m: ValidMessage): number {
  const h = crypto
    .createHash('sha1')
    .update(`${m.fiscalCode}\u0000${m.subject}\u0000${m.markdown}\u0000${m.payment?.amount ?? ''}\u0000${m.payment?.noticeNumber ?? ''}\u0000${m.dueDate?.getTime() ?? ''}`)
    .digest();
  return h.readUIntBE(0, 6) * 32 + (h[6] >> 3);
}

async function openSource(batch: Batch, template: CompiledTemplate | null, rules: MessageRules): Promise<Source> {
  if (batch.source === 'json') {
    const { messages } = JSON.parse(await fs.promises.readFile(batch.file_path!, 'utf8')) as { messages: unknown[] };
    const rows = messages.map((item, i): SourceRow => ({ row: i + 1, check: () => checkJsonItem(item, template, rules) }));
    return { info: { encoding: null, delimiter: null }, headerErrors: [], warnings: [], rows };
  }
  const table = await openTable(batch.file_path!, { format: batch.source });
  const { plan, errors, warnings } = planColumns(table.header, template?.definition ?? null);
  const checker = new CsvRowChecker(plan, template, rules);
  async function* rows(): AsyncIterable<SourceRow> {
    for await (const r of table.rows) yield { row: r.row, check: () => checker.check(r.cells) };
  }
  return { info: { encoding: table.info.encoding, delimiter: table.info.delimiter }, headerErrors: errors, warnings, rows: rows() };
}

function checkJsonItem(item: unknown, template: CompiledTemplate | null, rules: MessageRules): RowResult {
  if (!item || typeof item !== 'object' || Array.isArray(item)) {
    return { kind: 'invalid', fiscalCode: null, errors: [{ column: null, code: 'type', message: 'each message must be a JSON object', value: null }] };
  }
  const { data, ...input } = item as Record<string, unknown>;
  const unknown = Object.keys(input).filter((k) => !['fiscal_code', 'subject', 'markdown', 'due_date', 'payment_data', 'scheduled_at', 'reference'].includes(k));
  const cellErrors = unknown.map((k) => ({ field: k, code: 'unknown_field', message: `${k} is not a known field` }));
  if (!template && data !== undefined) cellErrors.push({ field: 'data', code: 'template_required', message: 'data fills a template: the batch has none' });
  const values = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  return checkMessage(input, values, template, rules, {
    columnFor: (f) => f,
    valueOf: (f) => {
      const v = f.startsWith('data.') ? values[f.slice(5)] : f.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), input);
      return v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v);
    },
  }, cellErrors);
}

/** Checks (or goes on checking) a batch this process holds; returns it in its new status. */
export async function checkBatch(deps: CheckDeps, batch: Batch, template: CompiledTemplate | null, maxPaymentAmount: number): Promise<Batch | undefined> {
  // Rules as of the upload: a resumed check, and the feeder later, reach the same verdicts.
  const rules: MessageRules = { now: new Date(batch.created_at), maxPaymentAmount };
  const counts: CheckCounts = {
    total_rows: batch.total_rows,
    valid_rows: batch.valid_rows,
    invalid_rows: batch.invalid_rows,
    empty_rows: batch.empty_rows,
    duplicate_rows: batch.duplicate_rows,
    error_count: batch.error_count,
  };
  let rows: BatchRowTable[] = [];
  let errors: NewBatchError[] = [];
  let lastRow = batch.checked_row;
  const flush = async (info?: Source['info']) => {
    const ok = await saveCheckedChunk(deps.db, batch.id, deps.owner, { rows, errors, counts, lastRow, info }, deps.now(), deps.leaseMs);
    rows = [];
    errors = [];
    return ok;
  };
  const addError = (row: number, e: { column: string | null; code: string; message: string; value: string | null }) => {
    errors.push({ batch_id: batch.id, row_number: row, column_name: e.column, code: e.code, message: e.message, value: e.value });
    if (row > batch.checked_row) counts.error_count++;
  };

  let problem: string | null = null;
  let source: Source;
  try {
    source = await openSource(batch, template, rules);
  } catch (err) {
    return finishWithProblem(deps, batch, counts, err);
  }
  if (source.headerErrors.length) {
    if (batch.checked_row === 0) for (const e of source.headerErrors) addError(1, { ...e, value: null });
    problem = `the header has ${source.headerErrors.length} problem(s): ${source.headerErrors.map((e) => e.message).join('; ')}`;
  } else {
    const seen = new Map<number, number>();
    let sinceFlush = 0;
    try {
      for await (const r of source.rows) {
        const fresh = r.row > batch.checked_row;
        if (fresh) counts.total_rows++;
        if (counts.total_rows > deps.maxRows) {
          addError(r.row, { column: null, code: 'too_many_rows', message: `the file has more than ${deps.maxRows} rows: split it`, value: null });
          problem = `more than ${deps.maxRows} rows`;
          counts.total_rows--;
          break;
        }
        const result = r.check();
        if (result.kind === 'empty') {
          if (fresh) counts.empty_rows++;
        } else if (result.kind === 'valid') {
          const key = duplicateKey(result.message);
          const first = seen.get(key);
          if (first === undefined) {
            seen.set(key, r.row);
            if (fresh) {
              counts.valid_rows++;
              rows.push({ batch_id: batch.id, row_number: r.row, fiscal_code: result.message.fiscalCode, payload: encodeRowPayload(result.message, result.data), error: null });
            }
          } else if (fresh) {
            const message = `the same message for the same fiscal code as row ${first}`;
            counts.invalid_rows++;
            counts.duplicate_rows++;
            addError(r.row, { column: null, code: 'duplicate_row', message, value: null });
            rows.push({ batch_id: batch.id, row_number: r.row, fiscal_code: result.message.fiscalCode, payload: null, error: message });
          }
        } else if (fresh) {
          counts.invalid_rows++;
          for (const e of result.errors) addError(r.row, e);
          rows.push({ batch_id: batch.id, row_number: r.row, fiscal_code: result.fiscalCode?.slice(0, 32) ?? null, payload: null, error: `${result.errors[0].column ?? ''}: ${result.errors[0].message}` });
        }
        if (fresh) lastRow = r.row;
        if (++sinceFlush >= CHUNK) {
          sinceFlush = 0;
          if (!(await flush(source.info))) return undefined; // cancelled, or the lease went to another checker
          await yieldToLoop(); // let the API and the dispatcher breathe between chunks
        }
      }
    } catch (err) {
      if (!(err instanceof TableError)) throw err;
      addError(err.row ?? lastRow + 1, { column: err.column ?? null, code: err.code, message: err.message, value: null });
      problem = err.message;
    }
  }
  if (!(await flush(source.info))) return undefined;
  return finishCheck(deps.db, batch.id, deps.owner, outcome(batch, counts, problem, source.warnings, deps.now()), deps.now()).finally(() => removeFile(batch));
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

async function finishWithProblem(deps: CheckDeps, batch: Batch, counts: CheckCounts, err: unknown): Promise<Batch | undefined> {
  if (!(err instanceof TableError)) throw err;
  const error: NewBatchError = { batch_id: batch.id, row_number: err.row ?? 1, column_name: err.column ?? null, code: err.code, message: err.message, value: null };
  counts.error_count++;
  const ok = await saveCheckedChunk(deps.db, batch.id, deps.owner, { rows: [], errors: [error], counts, lastRow: batch.checked_row }, deps.now(), deps.leaseMs);
  if (!ok) return undefined;
  return finishCheck(deps.db, batch.id, deps.owner, { status: 'invalid', problem: err.message, warnings: null, confirmed: false }, deps.now()).finally(() => removeFile(batch));
}

function removeFile(batch: Batch): void {
  if (batch.file_path) fs.rm(batch.file_path, { force: true }, () => {});
}
