/** A batch as the API shows it: counts, progress, an estimated finish, and a preview of its first messages. */
import { maskFiscalCode } from '../../domain/fiscal-code.ts';
import type { Batch } from '../../store/batches/create.ts';
import { batchProgress } from '../../store/batches/progress.ts';
import { previewBatchRows } from '../../store/batches/preview.ts';
import type { Service } from '../../store/services.ts';
import type { ApiDeps } from '../deps.ts';
import type { BatchView } from './schemas.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const PREVIEW_ROWS = 3;

export async function presentBatch(deps: ApiDeps, batch: Batch, service: Service, now = Date.now()): Promise<BatchView> {
  const { messages, progress, estimatedFinishAt } = await batchProgress(deps.database.db, batch, service, deps.budgetOf, now);
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
    estimated_finish_at: iso(estimatedFinishAt),
    ...(['ready', 'invalid', 'queued', 'scheduled'].includes(batch.status) ? { preview: await preview(deps, batch) } : {}),
    created_at: iso(batch.created_at)!,
    checked_at: iso(batch.checked_at),
    confirmed_at: iso(batch.confirmed_at),
    finished_at: iso(batch.finished_at),
    cancelled_at: iso(batch.cancelled_at),
  };
}

async function preview(deps: ApiDeps, batch: Batch): Promise<NonNullable<BatchView['preview']>> {
  const rows = await previewBatchRows(deps.database.db, batch, PREVIEW_ROWS);
  return rows.map(({ row, message: m }) => ({
    row,
    fiscal_code_masked: maskFiscalCode(m.fiscalCode),
    subject: m.subject,
    markdown: m.markdown,
    due_date: iso(m.dueDate?.getTime() ?? null),
    amount: m.payment?.amount ?? null,
    notice_number: m.payment?.noticeNumber ?? null,
  }));
}
