/**
 * Invio massivo, after the upload (batch-upload.ts): see every problem before anything is sent, confirm
 * (every row, the valid ones only, or at a given time), watch the sending until done, download
 * the results report. The upload, the same-file check, confirming, cancelling and the report are
 * the API's own code (src/ingest/batch-upload.ts, src/store/batches/*, src/ingest/report-csv.ts);
 * this file reads forms and shows pages. Under /ente/<code>/:
 *
 *   GET  /massivo/:id                the check page, then the progress page (`?pagina=` pages the errors)
 *   GET  /massivo/:id/stato          htmx: the part of that page that updates by itself
 *   POST /massivo/:id/conferma       send every row, the valid ones only, or at a time → 303
 *   POST /massivo/:id/annulla        cancel → 303
 *   GET  /massivo/:id/resoconto.csv  the results report (the API's report.csv)
 *   GET  /modelli/:id/esempio.csv    a template's sample CSV (the API's sample.csv)
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldError } from '../../domain/field-error.ts';
import { can } from '../../domain/permissions.ts';
import { checkScheduledAt } from '../../domain/scheduled-at.ts';
import { batchReportCsv, reportFileName } from '../../ingest/report-csv.ts';
import { sampleCsv } from '../../ingest/sample-csv.ts';
import type { Batch } from '../../store/batches/create.ts';
import { stopBatch } from '../../store/batches/cancel.ts';
import { confirmCheckedBatch } from '../../store/batches/confirm.ts';
import { getBatch } from '../../store/batches/read.ts';
import { getService, type Service } from '../../store/services.ts';
import { getTemplate } from '../../store/templates.ts';
import type { WebDeps } from '../deps.ts';
import { requireAction, sendNotFound } from '../ente-scope.ts';
import { italianError } from '../italian-errors.ts';
import { BATCH_STATUS_LABELS, formatCount, formatDateTime } from '../labels.ts';
import { entePath, errorsByField, sendFragment, sendPage, type PageOptions } from '../render.ts';
import { CANCELLABLE, checkData, keepsPolling, liveData, phaseOf, type BatchPhase } from './batches-view.ts';

/** Batches and templates have ULIDs: anything else is not one of them. */
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const TITLES: Record<BatchPhase, string> = {
  checking: 'Controllo del file in corso',
  checked: 'Controllo del file',
  sending: 'Avanzamento dell’invio',
  finished: 'Invio completato',
};

function titleOf(batch: Batch): string {
  return batch.status === 'cancelled' ? 'Invio annullato' : TITLES[phaseOf(batch)];
}

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/** The Italian wall time of an instant as a datetime-local input wants it: `2026-12-01T09:00`. */
function localInputValue(ms: number | null): string {
  if (ms === null) return '';
  const parts: Record<string, string> = {};
  for (const p of new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Rome', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(ms))) {
    parts[p.type] = p.value;
  }
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

async function findBatch(deps: WebDeps, request: FastifyRequest): Promise<{ batch: Batch; service: Service } | undefined> {
  const { id } = request.params as { id: string };
  if (!ULID.test(id)) return undefined;
  const batch = await getBatch(deps.database.db, request.enteScope.ente.id, id);
  const service = batch && (await getService(deps.database.db, batch.service_id));
  return batch && service ? { batch, service } : undefined;
}

interface BatchPageOptions extends Partial<PageOptions> {
  /** Errors of the confirmation form, and what was typed in it. */
  confirmErrors?: FieldError[];
  confirmValues?: { scheduled_at: string; send_valid_only: boolean };
}

async function sendBatchPage(deps: WebDeps, request: FastifyRequest, reply: FastifyReply, batch: Batch, service: Service, opts: BatchPageOptions = {}): Promise<FastifyReply> {
  const { page, role, ente } = request.enteScope;
  const db = deps.database.db;
  const base = entePath(page.ente!, `/massivo/${batch.id}`);
  const phase = phaseOf(batch);
  const query = request.query as Record<string, unknown>;
  const pageNumber = Number.parseInt(text(query.pagina), 10) || 1;
  const [live, check, template] = await Promise.all([
    liveData(db, batch, service, deps.budgetOf, deps.clock()),
    phase === 'checking' ? Promise.resolve(null) : checkData(db, batch, pageNumber),
    batch.template_id ? getTemplate(db, ente.id, batch.template_id, batch.template_version ?? undefined) : Promise.resolve(undefined),
  ]);
  const mayAct = can(role, 'send');
  const errorPage = (n: number) => `${base}?pagina=${n}#errori`;
  const { confirmErrors = [], confirmValues, ...pageOpts } = opts;
  const reupload = new URLSearchParams({ servizio: service.code, ...(batch.template_id ? { modello: batch.template_id } : {}) });
  return sendPage(reply, page, 'batches-show', { title: titleOf(batch), active: 'batches', ...pageOpts }, {
    base,
    phase,
    batch: {
      id: batch.id,
      fileName: batch.file_name ?? `Invio ${batch.id}`,
      service: `${service.name} (${service.code})`,
      template: template ? `${template.name} (versione ${template.version})` : null,
      created: formatDateTime(batch.created_at),
      scheduled: batch.scheduled_at ? formatDateTime(batch.scheduled_at) : null,
      confirmed: batch.confirmed_at ? formatDateTime(batch.confirmed_at) : null,
      finished: batch.finished_at ? formatDateTime(batch.finished_at) : null,
      status: batch.status,
      errorCount: batch.error_count,
      validRows: formatCount(batch.valid_rows),
      invalidRows: formatCount(batch.invalid_rows),
    },
    live,
    poll: keepsPolling(live) ? { url: `${base}/stato?fase=${phase}&v=${encodeURIComponent(live.signature)}`, every: phase === 'checking' ? '1s' : '2s' } : null,
    check,
    pager: check && check.pages > 1
      ? { prev: check.page > 1 ? errorPage(check.page - 1) : null, next: check.page < check.pages ? errorPage(check.page + 1) : null, page: check.page, pages: check.pages }
      : null,
    choices: {
      mayAct,
      reupload: `${entePath(page.ente!, '/massivo')}?${reupload}`,
      confirm: mayAct && batch.status === 'ready',
      validOnly: mayAct && batch.status === 'invalid' && batch.problem === null && batch.checked_at !== null && batch.valid_rows > 0,
      cancel: mayAct && CANCELLABLE.has(batch.status),
      report: batch.confirmed_at !== null && phase === 'finished',
    },
    confirmErrors: errorsByField(confirmErrors, italianError),
    confirmValues: confirmValues ?? { scheduled_at: localInputValue(batch.scheduled_at), send_valid_only: false },
    reportHref: `${base}/resoconto.csv`,
    messagesHref: entePath(page.ente!, `/messaggi?lotto=${batch.id}`),
  });
}

export function registerBatchPages(app: FastifyInstance, deps: WebDeps): void {
  const db = deps.database.db;

  app.get('/massivo/:id', async (request, reply) => {
    if (!requireAction(request, reply, 'view')) return reply;
    const found = await findBatch(deps, request);
    if (!found) return sendNotFound(reply, request.enteScope.page);
    return sendBatchPage(deps, request, reply, found.batch, found.service);
  });

  // htmx, every second or two: 204 while nothing changed; a whole new page when the phase changed.
  app.get('/massivo/:id/stato', async (request, reply) => {
    if (!requireAction(request, reply, 'view')) return reply;
    const found = await findBatch(deps, request);
    if (!found) return sendNotFound(reply, request.enteScope.page);
    const q = request.query as Record<string, unknown>;
    const { batch, service } = found;
    const phase = phaseOf(batch);
    if (q.fase !== phase) return reply.header('hx-refresh', 'true').code(200).type('text/html; charset=utf-8').send('');
    const live = await liveData(db, batch, service, deps.budgetOf, deps.clock());
    if (q.v === live.signature) return reply.code(204).send();
    const base = entePath(request.enteScope.page.ente!, `/massivo/${batch.id}`);
    return sendFragment(reply, 'batches-live', {
      live,
      poll: keepsPolling(live) ? { url: `${base}/stato?fase=${phase}&v=${encodeURIComponent(live.signature)}`, every: phase === 'checking' ? '1s' : '2s' } : null,
    });
  });

  app.post('/massivo/:id/conferma', async (request, reply) => {
    if (!requireAction(request, reply, 'send')) return reply;
    const found = await findBatch(deps, request);
    if (!found) return sendNotFound(reply, request.enteScope.page);
    const { batch, service } = found;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const now = deps.clock();
    const validOnly = batch.status === 'invalid';
    const values = { scheduled_at: text(body.scheduled_at), send_valid_only: body.send_valid_only === 'on' };
    const errors: FieldError[] = [];
    if (validOnly && !values.send_valid_only) errors.push({ field: 'send_valid_only', code: 'required', message: 'confirm sending the valid rows only' });
    let scheduledAt: number | undefined;
    if (body.azione === 'programma') {
      if (!values.scheduled_at) errors.push({ field: 'scheduled_at', code: 'required', message: 'scheduled_at is required' });
      else {
        const at = checkScheduledAt(values.scheduled_at, now);
        if (at.ok) scheduledAt = at.value;
        else errors.push({ field: 'scheduled_at', code: at.code, message: at.message });
      }
    }
    if (errors.length) return sendBatchPage(deps, request, reply, batch, service, { status: 400, confirmErrors: errors, confirmValues: values });
    const outcome = await confirmCheckedBatch(db, batch, { scheduledAt, sendValidOnly: validOnly }, now);
    if (outcome.kind !== 'confirmed') {
      const current = (await getBatch(db, request.enteScope.ente.id, batch.id)) ?? batch;
      return sendBatchPage(deps, request, reply, current, service, {
        status: 409,
        notice: { kind: 'warning', text: `Non è possibile confermare questo invio: il suo stato è «${BATCH_STATUS_LABELS[current.status]}».` },
      });
    }
    request.log.info({ batchId: batch.id, status: outcome.batch.status }, 'batch confirmed from the web');
    deps.onBatchConfirmed();
    return reply.redirect(entePath(request.enteScope.page.ente!, `/massivo/${batch.id}`), 303);
  });

  app.post('/massivo/:id/annulla', async (request, reply) => {
    if (!requireAction(request, reply, 'send')) return reply;
    const found = await findBatch(deps, request);
    if (!found) return sendNotFound(reply, request.enteScope.page);
    const { batch, service } = found;
    const result = await stopBatch(db, batch, service.code, deps.clock());
    if (result.kind === 'too_late') {
      return sendBatchPage(deps, request, reply, batch, service, {
        status: 409,
        notice: { kind: 'warning', text: `Non c’è più nulla da interrompere: l’invio è «${BATCH_STATUS_LABELS[batch.status]}».` },
      });
    }
    request.log.info({ batchId: batch.id, cancelledMessages: result.cancelledMessages, alreadySent: result.alreadySent }, 'batch cancelled from the web');
    return reply.redirect(entePath(request.enteScope.page.ente!, `/massivo/${batch.id}`), 303);
  });

  app.get('/massivo/:id/resoconto.csv', async (request, reply) => {
    if (!requireAction(request, reply, 'view')) return reply;
    const found = await findBatch(deps, request);
    if (!found) return sendNotFound(reply, request.enteScope.page);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${reportFileName(found.batch.id)}"`)
      .send(Readable.from(batchReportCsv(db, found.batch.id)));
  });

  app.get('/modelli/:id/esempio.csv', async (request, reply) => {
    if (!requireAction(request, reply, 'view')) return reply;
    const { id } = request.params as { id: string };
    const t = ULID.test(id) ? await getTemplate(db, request.enteScope.ente.id, id) : undefined;
    if (!t) return sendNotFound(reply, request.enteScope.page);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="modello-${t.id}.csv"`)
      .send(sampleCsv(t.definition));
  });
}
