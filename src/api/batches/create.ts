/**
 * POST /api/v1/batches: a CSV or XLSX file (multipart) or a JSON list of messages becomes a batch
 * in `checking`. The file is streamed to disk (hashed on the way); checking runs in the
 * background and the answer comes at once with the batch's URL to follow. The same file for the
 * same service within 24 hours is refused (409, naming the earlier batch) unless the request
 * says it is intended; the same Idempotency-Key returns the batch it first created. Reading the
 * form and making the batch are ingest/batch-upload.ts, which the web UI's upload shares.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldError } from '../../domain/field-error.ts';
import { checkScheduledAt } from '../../domain/scheduled-at.ts';
import { findBatchByIdempotencyKey, type Batch } from '../../store/batches/create.ts';
import { findServiceByCode, type Service } from '../../store/services.ts';
import { newId } from '../../store/ids.ts';
import { saveUpload, type SavedUpload } from '../../ingest/upload.ts';
import { readBatchForm, storeBatchUpload } from '../../ingest/batch-upload.ts';
import { isUniqueViolation } from '../../store/messages/accept.ts';
import { mayUseService } from '../auth.ts';
import { fieldErrorsFromValidation, ProblemSchema, sendProblem } from '../problems.ts';
import type { ApiDeps } from '../deps.ts';
import { canonicalJson } from '../messages/create.ts';
import { findVisibleTemplate } from '../templates/find.ts';
import { BatchSchema, MultipartBatchSchema, NewJsonBatchSchema } from './schemas.ts';
import { presentBatch } from './present.ts';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const FIELDS = ['service', 'template', 'scheduled_at', 'check_only', 'send_valid_only', 'allow_duplicate'];

/** Form fields arrive as text: `true`/`false`, `1`/`0`, `on`. */
function flag(v: unknown, field: string, errors: FieldError[]): boolean {
  if (v === undefined || v === '' || v === false || v === 'false' || v === '0') return false;
  if (v === true || v === 'true' || v === '1' || v === 'on') return true;
  errors.push({ field, code: 'type', message: `${field} must be true or false` });
  return false;
}

interface Upload {
  fields: Record<string, unknown>;
  saved: SavedUpload | null;
  fileName: string | null;
  source: Batch['source'];
  errors: FieldError[];
  tooLarge: boolean;
}

function readMultipart(request: FastifyRequest, deps: ApiDeps, id: string): Promise<Upload> {
  return readBatchForm(request.parts(), { dir: deps.batches.dir, maxBytes: deps.batches.maxBytes, name: `${id}.upload`, fields: FIELDS });
}

async function writeJson(request: FastifyRequest, deps: ApiDeps, id: string): Promise<Upload> {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const errors = fieldErrorsFromValidation(request.validationError?.validation);
  const fields = Object.fromEntries(FIELDS.filter((f) => body[f] !== undefined).map((f) => [f, body[f]]));
  if (!Array.isArray(body.messages) || errors.length) return { fields, saved: null, fileName: null, source: 'json', errors, tooLarge: false };
  const text = JSON.stringify({ messages: body.messages });
  const saved = await saveUpload(Readable.from([Buffer.from(text)]), deps.batches.dir, `${id}.json`, Number.MAX_SAFE_INTEGER);
  // The content decides sameness, not the key order its sender happened to use.
  saved.sha256 = crypto.createHash('sha256').update(canonicalJson(body.messages)).digest('hex');
  return { fields, saved, fileName: null, source: 'json', errors, tooLarge: false };
}

export function registerCreateBatch(app: FastifyInstance, deps: ApiDeps) {
  const db = deps.database.db;
  app.post(
    '/api/v1/batches',
    {
      attachValidation: true,
      bodyLimit: deps.batches.jsonLimitBytes,
      schema: {
        summary: 'Upload a batch: a CSV or XLSX file, or a JSON list of messages',
        description:
          'Multipart: `file` (CSV or XLSX), `service`, and optionally `template`, `scheduled_at`, `check_only`, `send_valid_only`, `allow_duplicate`. ' +
          'Or JSON with the same fields and `messages`. Every row is checked before anything is sent: follow the batch at its URL. ' +
          'Without `check_only`, a batch with no errors is sent as soon as it is checked.',
        tags: ['batches'],
        // Only the JSON form has a schema: a multipart upload is read as a stream.
        body: { content: { 'application/json': { schema: NewJsonBatchSchema }, 'multipart/form-data': { schema: MultipartBatchSchema } } },
        response: { 202: BatchSchema, 400: ProblemSchema, 401: ProblemSchema, 409: ProblemSchema, 413: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { auth } = request;
      const id = newId();
      const upload = request.isMultipart() ? await readMultipart(request, deps, id) : await writeJson(request, deps, id);
      if (upload.tooLarge) return sendProblem(reply, 'payload_too_large', `The file is larger than the limit of ${deps.batches.maxBytes} bytes`);
      const discard = () => upload.saved && fs.rm(upload.saved.path, { force: true }, () => {});
      const { fields, errors } = upload;
      const now = Date.now();

      let service: Service | undefined;
      if (typeof fields.service !== 'string' || !fields.service.trim()) {
        errors.push({ field: 'service', code: 'required', message: "service is required: the service's code" });
      } else {
        service = await findServiceByCode(db, auth.enteId, fields.service.trim());
        if (service && !mayUseService(auth, service.id)) service = undefined;
        if (!service) errors.push({ field: 'service', code: 'unknown_service', message: `this API key has no service "${fields.service}"` });
      }
      let template: { id: string; version: number } | null = null;
      if (fields.template !== undefined && fields.template !== '') {
        const t = typeof fields.template === 'string' ? await findVisibleTemplate(deps, auth, fields.template.trim()) : undefined;
        if (!t) errors.push({ field: 'template', code: 'unknown_template', message: `this API key has no template "${String(fields.template)}"` });
        else if (service && t.serviceId !== service.id) errors.push({ field: 'template', code: 'other_service', message: `template ${t.id} belongs to another service` });
        else template = { id: t.id, version: t.version };
      }
      let scheduledAt: number | null = null;
      if (typeof fields.scheduled_at === 'string' && fields.scheduled_at.trim()) {
        const at = checkScheduledAt(fields.scheduled_at.trim(), now);
        if (!at.ok) errors.push({ field: 'scheduled_at', code: at.code, message: at.message });
        else scheduledAt = at.value;
      }
      const checkOnly = flag(fields.check_only, 'check_only', errors);
      const sendValidOnly = flag(fields.send_valid_only, 'send_valid_only', errors);
      const allowDuplicate = flag(fields.allow_duplicate, 'allow_duplicate', errors);
      const idemHeader = request.headers['idempotency-key'];
      const idemKey = Array.isArray(idemHeader) ? idemHeader[0] : idemHeader;
      if (idemKey !== undefined && !IDEMPOTENCY_KEY.test(idemKey)) {
        errors.push({ field: 'Idempotency-Key', code: 'invalid_value', message: 'Idempotency-Key must be 1 to 255 visible ASCII characters' });
      }
      if (errors.length || !service || !upload.saved) {
        discard();
        return sendProblem(reply, 'validation_failed', `${errors.length} field(s) are invalid`, errors);
      }
      const saved = upload.saved;
      const requestHash = crypto
        .createHash('sha256')
        .update(canonicalJson({ sha: saved.sha256, service: service.id, template, scheduledAt, checkOnly, sendValidOnly }))
        .digest('hex');

      if (idemKey) {
        const prior = await findBatchByIdempotencyKey(db, auth.enteId, idemKey);
        if (prior) return replay(deps, reply, prior, requestHash, idemKey, service, discard);
      }
      let batch: Batch;
      try {
        const stored = await storeBatchUpload(db, deps.batches.dir, { saved, source: upload.source, fileName: upload.fileName }, {
          id,
          ente_id: auth.enteId,
          service_id: service.id,
          api_key_id: auth.apiKey.id,
          template_id: template?.id ?? null,
          template_version: template?.version ?? null,
          scheduled_at: scheduledAt,
          check_only: checkOnly ? 1 : 0,
          send_valid_only: sendValidOnly ? 1 : 0,
          idempotency_key: idemKey ?? null,
          request_hash: idemKey ? requestHash : null,
        }, { allowDuplicate, now });
        if (stored.kind === 'same_file') {
          const same = stored.earlier;
          return sendProblem(
            reply,
            'duplicate_file',
            `This file was already uploaded for service "${service.code}" at ${new Date(same.created_at).toISOString()} as batch ${same.id}. Send allow_duplicate=true if sending it again is intended.`,
            undefined,
            { batch_id: same.id },
          );
        }
        batch = stored.batch;
      } catch (err) {
        // Two uploads raced with one new Idempotency-Key: the winner's batch is the answer.
        const prior = idemKey && isUniqueViolation(err) ? await findBatchByIdempotencyKey(db, auth.enteId, idemKey) : undefined;
        if (prior) return replay(deps, reply, prior, requestHash, idemKey!, service, () => {});
        throw err;
      }
      request.log.info({ batchId: id, service: service.code, source: upload.source, bytes: saved.size }, 'batch uploaded');
      deps.onBatchUploaded();
      return reply.code(202).header('location', `/api/v1/batches/${id}`).send(await presentBatch(deps, batch, service, now));
    },
  );
}

async function replay(deps: ApiDeps, reply: FastifyReply, prior: Batch, requestHash: string, key: string, service: Service, discard: () => void) {
  discard();
  if (prior.request_hash !== requestHash) {
    return sendProblem(reply, 'idempotency_conflict', `Idempotency-Key "${key}" was first used for batch ${prior.id} with a different request`, undefined, { batch_id: prior.id });
  }
  return reply.code(202).header('location', `/api/v1/batches/${prior.id}`).header('idempotent-replayed', 'true').send(await presentBatch(deps, prior, service));
}
