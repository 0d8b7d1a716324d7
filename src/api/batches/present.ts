/** A batch as the API shows it: counts, progress, an estimated finish, and a preview of its first messages. */
import { maskFiscalCode } from '../../domain/fiscal-code.ts';
import { FINAL_STATUSES } from '../../domain/statuses.ts';
import { compileTemplate } from '../../domain/render-template.ts';
import type { Batch } from '../../store/batches/create.ts';
import { batchMessageCounts, firstValidRows } from '../../store/batches/read.ts';
import { decodeRowPayload } from '../../store/batches/row-payload.ts';
import { getTemplate } from '../../store/templates.ts';
import type { Service } from '../../store/services.ts';
import type { ApiDeps } from '../deps.ts';
import type { BatchView } from './schemas.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const PREVIEW_ROWS = 3;

/** Gone to IO or settled: what counts as progress. */
const PAST_SENDING = new Set<string>([...FINAL_STATUSES, 'sent']);

export async function presentBatch(deps: ApiDeps, batch: Batch, service: Service, now = Date.now()): Promise<BatchView> {
  const db = deps.database.db;
  const messages = batch.fed_row > 0 ? await batchMessageCounts(db, batch.id) : {};
  const settled = Object.entries(messages).reduce((n, [status, count]) => n + (PAST_SENDING.has(status) ? count : 0), 0);
  const progress = batch.valid_rows ? Math.min(1, settled / batch.valid_rows) : 0;
  return {
    id: batch.id,
    service: service.code,
    status: batch.status,
    template: batch.template_id && batch.template_version ? { id: batch.template_id, version: batch.template_version } : null,
    file: { name: batch.file_name, format: batch.source, size: batch.file_size, sha256: batch.file_sha256, encoding: batch.encoding, delimiter: batch.delimiter },
    scheduled_at: iso(batch.scheduled_at),
    check_only: batch.check_only === 1,
    send_valid_only: batch.send_valid_only === 1,
    rows: { total: batch.total_rows, valid: batch.valid_rows, invalid: batch.invalid_rows, empty: batch.empty_rows, duplicate: batch.duplicate_rows },
    error_count: batch.error_count,
    problem: batch.problem,
    warnings: batch.warnings ? JSON.parse(batch.warnings) : [],
    messages,
    progress,
    estimated_finish_at: estimateFinish(deps, batch, service, settled, now),
    ...(['ready', 'invalid', 'queued', 'scheduled'].includes(batch.status) ? { preview: await preview(deps, batch) } : {}),
    created_at: iso(batch.created_at)!,
    checked_at: iso(batch.checked_at),
    confirmed_at: iso(batch.confirmed_at),
    finished_at: iso(batch.finished_at),
    cancelled_at: iso(batch.cancelled_at),
  };
}

/**
 * Each message spends a profile check (if the service has it on), a submit and a status poll of
 * the account's budget. An estimate as if the batch had the account to itself: other enti on the
 * same account make it later.
 */
function estimateFinish(deps: ApiDeps, batch: Batch, service: Service, settled: number, now: number): string | null {
  if (!['ready', 'queued', 'scheduled', 'sending'].includes(batch.status)) return null;
  const budget = deps.budgetOf(service.io_account);
  if (!budget) return null;
  const remaining = Math.max(0, batch.valid_rows - settled);
  const calls = remaining * (service.profile_check ? 3 : 2);
  const start = batch.status === 'scheduled' && batch.scheduled_at ? Math.max(now, batch.scheduled_at) : now;
  return new Date(start + Math.ceil((calls * budget.windowMs) / budget.calls)).toISOString();
}

async function preview(deps: ApiDeps, batch: Batch): Promise<NonNullable<BatchView['preview']>> {
  const rows = await firstValidRows(deps.database.db, batch.id, PREVIEW_ROWS);
  if (!rows.length) return [];
  const t = batch.template_id && batch.template_version ? await getTemplate(deps.database.db, batch.ente_id, batch.template_id, batch.template_version) : undefined;
  const compiled = t ? compileTemplate(t.definition) : null;
  const render = (data: Record<string, string>) => {
    const r = compiled?.render(data);
    return r?.ok ? r : { subject: '', markdown: '' };
  };
  return rows.map((r) => {
    const m = decodeRowPayload(r.payload, render);
    return {
      row: r.row_number,
      fiscal_code_masked: maskFiscalCode(m.fiscalCode),
      subject: m.subject,
      markdown: m.markdown,
      due_date: iso(m.dueDate?.getTime() ?? null),
      amount: m.payment?.amount ?? null,
      notice_number: m.payment?.noticeNumber ?? null,
    };
  });
}
