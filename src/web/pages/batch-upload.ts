/**
 * Invio massivo, the upload: the form (with the ente's recent batches) and the multipart post that
 * stores the file through the API's own code (src/ingest/batch-upload.ts) and sends the person to
 * the batch's check page (batches.ts). Under /ente/<code>/:
 *
 *   GET  /massivo   the upload form and the ente's recent batches
 *   POST /massivo   the upload (multipart) → 303 /massivo/<id>
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldError } from '../../domain/field-error.ts';
import { can } from '../../domain/permissions.ts';
import { checkScheduledAt } from '../../domain/scheduled-at.ts';
import { discardUpload, fileTypeProblem, readBatchForm, storeBatchUpload } from '../../ingest/batch-upload.ts';
import type { Batch } from '../../store/batches/create.ts';
import { listBatches } from '../../store/batches/read.ts';
import { newId } from '../../store/ids.ts';
import { findServiceByCode, listServices } from '../../store/services.ts';
import { getTemplate, listTemplates } from '../../store/templates.ts';
import type { WebDeps } from '../deps.ts';
import { requireAction } from '../ente-scope.ts';
import { italianError } from '../italian-errors.ts';
import { BATCH_STATUS_LABELS, formatCount, formatDateTime } from '../labels.ts';
import { entePath, errorsByField, sendPage } from '../render.ts';
import { hasCsrfToken } from '../session.ts';
import { statusKind } from './batches-view.ts';

const UPLOAD_FIELDS = ['_csrf', 'service', 'template', 'scheduled_at', 'allow_duplicate'] as const;
const RECENT_BATCHES = 20;

/** Inputs of the upload form, for the summary's links and labels. */
const UPLOAD_INPUTS: Record<string, { id: string; label: string }> = {
  service: { id: 'servizio', label: 'Servizio' },
  template: { id: 'modello', label: 'Modello' },
  file: { id: 'file', label: 'File' },
  scheduled_at: { id: 'invio-programmato', label: 'Programma l’invio' },
};

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

export function registerBatchUploadPage(app: FastifyInstance, deps: WebDeps): void {
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
}
