/**
 * POST /api/v1/messages: validate everything at once, store the message (the outbox row) with its
 * idempotency record, answer 202. Sending happens later, in the dispatcher.
 */
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { FieldError } from '../../domain/field-error.ts';
import { validateMessageInput } from '../../domain/message-input.ts';
import { AMOUNT_MAX } from '../../domain/limits.ts';
import { findServiceByCode } from '../../store/services.ts';
import { AcceptBatcher } from '../../store/messages/accept-batcher.ts';
import { fieldErrorsFromValidation, ProblemSchema, sendProblem } from '../problems.ts';
import { mayUseService, type ApiAuth } from '../auth.ts';
import { renderTemplate } from '../../domain/render-template.ts';
import type { Service } from '../../store/services.ts';
import { findVisibleTemplate } from '../templates/find.ts';
import type { ApiDeps } from '../deps.ts';
import { MessageSchema, NewMessageSchema } from './schemas.ts';
import { presentMessage } from './present.ts';

/** JSON with sorted keys: the same request always hashes the same, whatever its key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj).sort().filter((k) => obj[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * `{template, data}` instead of `subject` and `markdown`: renders the template's current version.
 * Returns the body with the rendered text, or undefined when no template was asked for (or it
 * could not be rendered: the errors are added).
 */
async function renderFromTemplate(
  deps: ApiDeps,
  auth: ApiAuth,
  body: Record<string, unknown>,
  service: Service | undefined,
  errors: FieldError[],
): Promise<{ input: Record<string, unknown>; template: { id: string; version: number } } | undefined> {
  if (body.template === undefined) {
    if (body.data !== undefined) errors.push({ field: 'data', code: 'template_required', message: 'data fills a template: give `template` too' });
    return undefined;
  }
  for (const field of ['subject', 'markdown'] as const) {
    if (body[field] !== undefined) errors.push({ field, code: 'not_with_template', message: `give either template and data, or ${field}: the template renders it` });
  }
  const t = typeof body.template === 'string' ? await findVisibleTemplate(deps, auth, body.template) : undefined;
  if (!t) {
    errors.push({ field: 'template', code: 'unknown_template', message: `this API key has no template "${String(body.template)}"` });
    return undefined;
  }
  if (service && t.serviceId !== service.id) {
    errors.push({ field: 'template', code: 'other_service', message: `template ${t.id} belongs to another service` });
    return undefined;
  }
  const data = body.data ?? {};
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    errors.push({ field: 'data', code: 'type', message: 'data must be an object of placeholder values' });
    return undefined;
  }
  const rendered = renderTemplate(t.definition, data as Record<string, unknown>);
  if (!rendered.ok) {
    errors.push(...rendered.errors);
    return undefined;
  }
  return { input: { ...body, subject: rendered.subject, markdown: rendered.markdown }, template: { id: t.id, version: t.version } };
}

export function registerCreateMessage(app: FastifyInstance, deps: ApiDeps) {
  const batcher = new AcceptBatcher(deps.database.db);
  app.post(
    '/api/v1/messages',
    {
      attachValidation: true,
      schema: {
        summary: 'Send a message to a citizen',
        description:
          'Validates the message (every error at once), stores it and answers 202: GeNIO then sends it to IO within the account budget. ' +
          'With an `Idempotency-Key` header, repeating the same request returns the same message; the same key with another body is a 409.',
        tags: ['messages'],
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', maxLength: 255 } } },
        body: NewMessageSchema,
        response: { 202: MessageSchema, 400: ProblemSchema, 401: ProblemSchema, 409: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { auth } = request;
      const body = request.body as Record<string, unknown> | null;
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        return sendProblem(reply, 'validation_failed', 'The body must be a JSON object', [{ field: '', code: 'type', message: 'must be an object' }]);
      }
      const errors: FieldError[] = [];
      let service;
      if (typeof body.service !== 'string' || !body.service.trim()) {
        errors.push({ field: 'service', code: body.service === undefined ? 'required' : 'type', message: "service is required: the service's code" });
      } else {
        service = await findServiceByCode(deps.database.db, auth.enteId, body.service.trim());
        if (service && !mayUseService(auth, service.id)) service = undefined;
        if (!service) errors.push({ field: 'service', code: 'unknown_service', message: `this API key has no service "${body.service}"` });
      }
      const templated = await renderFromTemplate(deps, auth, body, service, errors);
      const now = Date.now();
      const checked = validateMessageInput(templated?.input ?? body, { now: new Date(now), maxPaymentAmount: service?.max_payment_amount ?? AMOUNT_MAX });
      // A template that could not be rendered already said why: no "subject is required" on top.
      if (!checked.ok) errors.push(...checked.errors.filter((e) => templated || body.template === undefined || (e.field !== 'subject' && e.field !== 'markdown')));
      // Structure errors the domain rules do not cover: unknown fields.
      const structural = fieldErrorsFromValidation(request.validationError?.validation).filter((e) => e.code === 'unknown_field');
      errors.push(...structural);

      const idemHeader = request.headers['idempotency-key'];
      const idemKey = Array.isArray(idemHeader) ? idemHeader[0] : idemHeader;
      if (idemKey !== undefined && !IDEMPOTENCY_KEY.test(idemKey)) {
        errors.push({ field: 'Idempotency-Key', code: 'invalid_value', message: 'Idempotency-Key must be 1 to 255 visible ASCII characters' });
      }
      if (errors.length || !checked.ok || !service) return sendProblem(reply, 'validation_failed', `${errors.length} field(s) are invalid`, errors);

      const result = await batcher.accept({
        enteId: auth.enteId,
        service,
        apiKey: auth.apiKey,
        message: checked.value,
        priority: checked.value.payment ? 0 : 1,
        template: templated?.template,
        idempotency: idemKey ? { key: idemKey, requestHash: crypto.createHash('sha256').update(canonicalJson(body)).digest('hex') } : undefined,
      });
      if (result.kind === 'conflict') {
        return sendProblem(reply, 'idempotency_conflict', `Idempotency-Key "${idemKey}" was first used for message ${result.messageId} with a different body`);
      }
      if (result.kind === 'created') {
        deps.onAccepted();
        request.log.info({ messageId: result.message.id, service: service.code, status: result.message.status }, 'message accepted');
      } else {
        reply.header('idempotent-replayed', 'true');
      }
      return reply
        .code(202)
        .header('location', `/api/v1/messages/${result.message.id}`)
        .send(presentMessage(result.message, service.code));
    },
  );
}
