/**
 * Invio massivo: upload a CSV or XLSX file, see every problem before anything is sent, confirm
 * (every row, the valid ones only, or at a given time), watch the sending until done, download
 * the results report. The upload, the same-file check, confirming, cancelling and the report are
 * the API's own code (src/ingest/batch-upload.ts, src/store/batches/*, src/ingest/report-csv.ts);
 * this file reads forms and shows pages. Under /ente/<code>/:
 *
 *   GET  /massivo                    the upload form and the ente's recent batches
 *   POST /massivo                    the upload (multipart) → 303 /massivo/<id>
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
import { discardUpload, fileTypeProblem, readBatchForm, storeBatchUpload } from '../../ingest/batch-upload.ts';
import { batchReportCsv, reportFileName } from '../../ingest/report-csv.ts';
import { sampleCsv } from '../../ingest/sample-csv.ts';
import type { Batch } from '../../store/batches/create.ts';
import { stopBatch } from '../../store/batches/cancel.ts';
import { confirmCheckedBatch } from '../../store/batches/confirm.ts';
import { getBatch, listBatches } from '../../store/batches/read.ts';
import { newId } from '../../store/ids.ts';
import { findServiceByCode, getService, listServices, type Service } from '../../store/services.ts';
import { getTemplate, listTemplates } from '../../store/templates.ts';
import type { WebDeps } from '../deps.ts';
import { requireAction, sendNotFound } from '../ente-scope.ts';
import { italianError } from '../italian-errors.ts';
import { BATCH_STATUS_LABELS, formatCount, formatDateTime } from '../labels.ts';
import { entePath, errorsByField, sendFragment, sendPage, type PageOptions } from '../render.ts';
import { hasCsrfToken } from '../session.ts';
import { CANCELLABLE, checkData, keepsPolling, liveData, phaseOf, statusKind, type BatchPhase } from './batches-view.ts';

/** Batches and templates have ULIDs: anything else is not one of them. */
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const UPLOAD_FIELDS = ['_csrf', 'service', 'template', 'scheduled_at', 'allow_duplicate'] as const;
const RECENT_BATCHES = 20;

/** Inputs of the upload form, for the summary's links and labels. */
const UPLOAD_INPUTS: Record<string, { id: string; label: string }> = {
  service: { id: 'servizio', label: 'Servizio' },
  template: { id: 'modello', label: 'Modello' },
  file: { id: 'file', label: 'File' },
  scheduled_at: { id: 'invio-programmato', label: 'Programma l’invio' },
};

const TITLES: Record<BatchPhase, string> = {
  checking: 'Controllo del file in corso',
  checked: 'Controllo del file',
  sending: 'Avanzamento dell’invio',
  finished: 'Invio completato',
};

function titleOf(batch: Batch): string {
  return batch.status === 'cancelled' ? 'Invio annullato' : TITLES[phaseOf(batch)];
}

interface UploadValues {
  service: string;
  template: string;
  scheduled_at: string;
  allow_duplicate: boolean;
}

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/** `512 MB`: the size limit as people read it. */
function formatSize(bytes: number): string {
  const mb = bytes / 1_048_576;
  const unit = mb >= 1 ? { n: mb, name: 'MB' } : { n: bytes / 1024, name: 'kB' };
  return `${unit.n.toLocaleString('it-IT', { maximumFractionDigits: 1 })} ${unit.name}`;
}

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

/** A multipart form without this session's token: refused like any other form (the guard cannot read a stream). */
function refuseForm(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendPage(reply, request.enteScope.page, 'error', { title: 'Operazione non consentita', status: 403 }, {
    text: 'Il modulo è scaduto o non è valido: ricarica la pagina e riprova.',
    requestId: request.id,
  });
}

interface UploadPageOptions {
  values?: UploadValues;
  errors?: FieldError[];
  status?: number;
  duplicate?: Batch;
}

async function sendUploadPage(deps: WebDeps, request: FastifyRequest, reply: FastifyReply, opts: UploadPageOptions = {}): Promise<FastifyReply> {
  const { ente, page, role } = request.enteScope;
  const db = deps.database.db;
  const [services, templates, batches] = await Promise.all([
    listServices(db, ente.id),
    listTemplates(db, ente.id, null),
    listBatches(db, ente.id, { serviceIds: null, limit: RECENT_BATCHES }),
  ]);
  const names = new Map(services.map((s) => [s.id, s.name]));
  const query = request.query as Record<string, unknown>;
  const values: UploadValues = opts.values ?? {
    service: text(query.servizio) || (services.length === 1 ? services[0].code : ''),
    template: text(query.modello),
    scheduled_at: '',
    allow_duplicate: false,
  };
  const errors = opts.errors ?? [];
  const size = formatSize(deps.batches.maxBytes);
  const italian = (e: FieldError) => (e.field === 'file' && e.code === 'too_large' ? `Il file è più grande del limite di ${size}: dividilo in più file.` : italianError(e));
  const duplicate = opts.duplicate;
  return sendPage(reply, page, 'batches-upload', { title: 'Invio massivo', active: 'batches', status: opts.status ?? 200 }, {
    action: entePath(page.ente!, '/massivo'),
    canSend: can(role, 'send'),
    values,
    errors: errorsByField(errors, italian),
    summary: errors.map((e) => {
      const input = UPLOAD_INPUTS[e.field] ?? { id: 'file', label: 'Modulo' };
      return { href: `#${input.id}`, text: `${input.label}: ${italian(e)}` };
    }),
    maxSize: size,
    services: services.map((s) => ({ code: s.code, name: s.name })),
    templateGroups: services
      .map((s) => ({
        service: s.name,
        templates: templates.filter((t) => t.serviceId === s.id).map((t) => ({
          id: t.id,
          name: t.name,
          columns: ['codice_fiscale', ...t.definition.placeholders.map((p) => p.name)].join(', '),
          sampleHref: entePath(page.ente!, `/modelli/${t.id}/esempio.csv`),
        })),
      }))
      .filter((g) => g.templates.length),
    duplicate: duplicate && {
      href: entePath(page.ente!, `/massivo/${duplicate.id}`),
      name: duplicate.file_name ?? `invio massivo ${duplicate.id}`,
      created: formatDateTime(duplicate.created_at),
      status: BATCH_STATUS_LABELS[duplicate.status],
    },
    batches: batches.map((b) => ({
      href: entePath(page.ente!, `/massivo/${b.id}`),
      name: b.file_name ?? `Invio ${b.id}`,
      service: names.get(b.service_id) ?? '',
      status: BATCH_STATUS_LABELS[b.status],
      statusKind: statusKind(b.status),
      rows: formatCount(b.total_rows),
      valid: formatCount(b.valid_rows),
      created: formatDateTime(b.created_at),
    })),
  });
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

  app.get('/massivo', async (request, reply) => {
    if (!requireAction(request, reply, 'view')) return reply;
    return sendUploadPage(deps, request, reply);
  });

  app.post('/massivo', async (request, reply) => {
    if (!requireAction(request, reply, 'send')) return reply;
    if (!request.isMultipart()) {
      if (!hasCsrfToken(request)) return refuseForm(request, reply);
      return sendUploadPage(deps, request, reply, { status: 400, errors: [{ field: 'file', code: 'required', message: 'no file' }] });
    }
    const { ente } = request.enteScope;
    const id = newId();
    const form = await readBatchForm(request.parts(), {
      dir: deps.batches.dir,
      maxBytes: deps.batches.maxBytes,
      name: `${id}.upload`,
      fields: UPLOAD_FIELDS,
      // The token comes first in the form: without it the file is not even written to disk.
      mayStore: (fields) => hasCsrfToken(request, fields._csrf),
    });
    if (form.refused || !hasCsrfToken(request, form.fields._csrf)) {
      if (form.saved) await discardUpload(form.saved);
      return refuseForm(request, reply);
    }
    const now = deps.clock();
    const f = form.fields;
    const values: UploadValues = { service: text(f.service), template: text(f.template), scheduled_at: text(f.scheduled_at), allow_duplicate: f.allow_duplicate === 'on' };
    const errors = form.errors.filter((e) => e.code !== 'unknown_field' && e.code !== 'unexpected_file');

    const service = values.service ? await findServiceByCode(db, ente.id, values.service) : undefined;
    if (!values.service) errors.push({ field: 'service', code: 'required', message: 'service is required' });
    else if (!service) errors.push({ field: 'service', code: 'unknown_service', message: `no service "${values.service}"` });
    const template = values.template ? await getTemplate(db, ente.id, values.template) : undefined;
    if (values.template && !template) errors.push({ field: 'template', code: 'unknown_template', message: `no template "${values.template}"` });
    else if (template && service && template.serviceId !== service.id) errors.push({ field: 'template', code: 'other_service', message: 'template of another service' });
    let scheduledAt: number | null = null;
    if (values.scheduled_at) {
      const at = checkScheduledAt(values.scheduled_at, now);
      if (at.ok) scheduledAt = at.value;
      else errors.push({ field: 'scheduled_at', code: at.code, message: at.message });
    }
    const wrongType = form.saved && form.saved.size > 0 ? fileTypeProblem(form.fileName, form.saved) : null;
    if (wrongType) errors.push(wrongType);
    if (errors.length || !service || !form.saved) {
      if (form.saved) await discardUpload(form.saved);
      return sendUploadPage(deps, request, reply, { values, errors, status: form.tooLarge ? 413 : 400 });
    }

    const stored = await storeBatchUpload(db, deps.batches.dir, { saved: form.saved, source: form.source, fileName: form.fileName }, {
      id,
      ente_id: ente.id,
      service_id: service.id,
      api_key_id: null,
      user_id: request.webSession!.user_id,
      template_id: template?.id ?? null,
      template_version: template?.version ?? null,
      scheduled_at: scheduledAt,
      // A person confirms after seeing the check, whatever it finds.
      check_only: 1,
      send_valid_only: 0,
      idempotency_key: null,
      request_hash: null,
    }, { allowDuplicate: values.allow_duplicate, now });
    if (stored.kind === 'same_file') {
      return sendUploadPage(deps, request, reply, { values: { ...values, allow_duplicate: false }, status: 409, duplicate: stored.earlier });
    }
    request.log.info({ batchId: id, service: service.code, source: form.source, bytes: form.saved.size }, 'batch uploaded from the web');
    deps.onBatchUploaded();
    return reply.redirect(entePath(request.enteScope.page.ente!, `/massivo/${id}`), 303);
  });

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
