/**
 * What the pages of Invio massivo show about one batch, read from the store: its phase (being
 * checked, checked, on its way, finished), the check's outcome in plain Italian, and the live
 * part the page refreshes by itself (the check's progress, then the sending's counts, progress
 * bar and estimated finish).
 */
import type { Kysely } from 'kysely';
import type { MessageStatus } from '../../domain/statuses.ts';
import type { Batch } from '../../store/batches/create.ts';
import { countAlreadySent } from '../../store/batches/cancel.ts';
import { batchErrorPage, countBatchErrorKinds } from '../../store/batches/errors.ts';
import { previewBatchRows } from '../../store/batches/preview.ts';
import { batchProgress, type BudgetOf } from '../../store/batches/progress.ts';
import type { Schema } from '../../store/schema.ts';
import type { Service } from '../../store/services.ts';
import { formatItalianDate } from '../../domain/italian-format.ts';
import { BATCH_STATUS_LABELS, formatCount, formatDateTime } from '../labels.ts';
import { previewMessage, type MessagePreview } from '../message-preview.ts';
import { errorText, problemText, summarizeErrors, summarySentence, type SummaryPart } from './batches-summary.ts';

/** Where a batch is, as the page sees it: each phase is a different page, and polls for the next. */
export type BatchPhase = 'checking' | 'checked' | 'sending' | 'finished';

export function phaseOf(batch: Pick<Batch, 'status'>): BatchPhase {
  switch (batch.status) {
    case 'checking':
      return 'checking';
    case 'invalid':
    case 'ready':
      return 'checked';
    case 'queued':
    case 'scheduled':
    case 'sending':
      return 'sending';
    default:
      return 'finished';
  }
}

/** A batch that can still be stopped (cancelBatch's own condition). */
export const CANCELLABLE = new Set<Batch['status']>(['checking', 'invalid', 'ready', 'queued', 'scheduled', 'sending']);

export const ERRORS_PER_PAGE = 100;

/** Badge colour of a batch status. */
export function statusKind(status: Batch['status']): string {
  if (status === 'invalid') return 'danger';
  if (status === 'done') return 'success';
  if (status === 'cancelled') return 'secondary';
  if (status === 'ready') return 'warning';
  return 'primary';
}

export interface LiveCounts {
  label: string;
  value: number;
  text: string;
  testId: string;
}

/** The part of the page that updates by itself; `signature` tells the poller whether anything changed. */
export interface LiveData {
  phase: BatchPhase;
  status: string;
  statusKind: string;
  checkedRows: string;
  counts: LiveCounts[];
  percent: number;
  estimate: string | null;
  /** Messages gone to IO whose outcome is not known yet. */
  outcomesPending: number;
  alreadySent: number;
  notSent: number;
  confirmed: boolean;
  signature: string;
}

export async function liveData(db: Kysely<Schema>, batch: Batch, service: Service, budgetOf: BudgetOf, now: number): Promise<LiveData> {
  const phase = phaseOf(batch);
  const p = await batchProgress(db, batch, service, budgetOf, now);
  const m = p.messages;
  const n = (s: MessageStatus) => m[s] ?? 0;
  const fed = Object.values(m).reduce((a, b) => a + (b ?? 0), 0);
  const unfed = batch.confirmed_at !== null ? Math.max(0, batch.valid_rows - fed) : 0;
  const cancelled = batch.status === 'cancelled';
  const row = (label: string, value: number, testId: string): LiveCounts => ({ label, value, text: formatCount(value), testId });
  const counts = [
    row('In coda', n('queued') + n('scheduled') + (cancelled ? 0 : unfed), 'in-coda'),
    row('Inviati a IO, in attesa di esito', n('sending') + n('sent'), 'inviati'),
    row('Consegnati', n('delivered'), 'consegnati'),
    row('Rifiutati da IO', n('rejected'), 'rifiutati'),
    row('Non riusciti', n('failed'), 'non-riusciti'),
    row('Annullati', n('cancelled') + (cancelled ? unfed : 0), 'annullati'),
  ];
  const alreadySent = countAlreadySent(m);
  const percent = Math.round(p.progress * 100);
  const estimate = p.estimatedFinishAt === null ? null : formatDateTime(p.estimatedFinishAt);
  return {
    phase,
    status: BATCH_STATUS_LABELS[batch.status],
    statusKind: statusKind(batch.status),
    checkedRows: formatCount(batch.total_rows),
    counts,
    percent,
    estimate,
    outcomesPending: n('sent') + n('sending'),
    alreadySent,
    notSent: Math.max(0, batch.valid_rows - alreadySent),
    confirmed: batch.confirmed_at !== null,
    signature: [batch.status, batch.total_rows, ...counts.map((c) => c.value), percent, estimate ?? ''].join('.'),
  };
}

/** Whether the page should keep polling: while checking or sending, and after while IO's outcomes are still coming. */
export function keepsPolling(live: LiveData): boolean {
  return live.phase === 'checking' || live.phase === 'sending' || (live.phase === 'finished' && live.confirmed && live.outcomesPending > 0);
}

export interface CheckData {
  rows: Array<{ label: string; value: string; testId: string }>;
  summary: SummaryPart[];
  sentence: string;
  problem: string | null;
  warnings: string[];
  errors: Array<{ row: number; column: string; value: string; text: string }>;
  errorsFrom: number;
  errorsTo: number;
  errorTotal: string;
  page: number;
  pages: number;
  preview: MessagePreview | null;
  previewRow: number | null;
}

/** The check's outcome: counts, the plain summary, one page of errors, the first message as IO will show it. */
export async function checkData(db: Kysely<Schema>, batch: Batch, pageNumber: number): Promise<CheckData> {
  const pages = Math.max(1, Math.ceil(batch.error_count / ERRORS_PER_PAGE));
  const page = Math.min(Math.max(1, pageNumber), pages);
  const offset = (page - 1) * ERRORS_PER_PAGE;
  const [kinds, errors, preview] = await Promise.all([
    batch.error_count ? countBatchErrorKinds(db, batch.id) : Promise.resolve([]),
    batch.error_count ? batchErrorPage(db, batch.id, offset, ERRORS_PER_PAGE) : Promise.resolve([]),
    previewBatchRows(db, batch, 1),
  ]);
  const summary = summarizeErrors(kinds);
  const first = preview[0];
  const warnings: Array<{ column?: string | null; code: string }> = batch.warnings ? JSON.parse(batch.warnings) : [];
  return {
    rows: [
      { label: 'Righe totali', value: formatCount(batch.total_rows), testId: 'righe-totali' },
      { label: 'Righe valide', value: formatCount(batch.valid_rows), testId: 'righe-valide' },
      { label: 'Righe con errori', value: formatCount(batch.invalid_rows), testId: 'righe-errori' },
      { label: 'Righe vuote (saltate)', value: formatCount(batch.empty_rows), testId: 'righe-vuote' },
      { label: 'Righe ripetute', value: formatCount(batch.duplicate_rows), testId: 'righe-ripetute' },
    ],
    summary,
    sentence: summarySentence(summary),
    problem: batch.problem ? problemText(batch.problem) : null,
    warnings: warnings.filter((w) => w.code === 'unknown_column' && w.column).map((w) => w.column!),
    errors: errors.map((e) => ({ row: e.row_number, column: e.column_name ?? '—', value: e.value ?? '', text: errorText(e) })),
    errorsFrom: errors.length ? offset + 1 : 0,
    errorsTo: offset + errors.length,
    errorTotal: formatCount(batch.error_count),
    page,
    pages,
    preview: first
      ? previewMessage({
          subject: first.message.subject,
          markdown: first.message.markdown,
          dueDate: first.message.dueDate ? formatItalianDate(first.message.dueDate) : null,
          amountCents: first.message.payment?.amount ?? null,
          noticeNumber: first.message.payment?.noticeNumber ?? null,
        })
      : null,
    previewRow: first?.row ?? null,
  };
}
