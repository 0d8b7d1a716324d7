/**
 * POST /api/v1/messages: validate everything at once, store the message (the outbox row) with its
 * idempotency record, answer 202. Sending happens later, in the dispatcher.
 */
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { FieldError } from '../../domain/field-error.ts';
import { AcceptBatcher } from '../../store/messages/accept-batcher.ts';
import { checkMessageRequest } from '../../store/messages/message-request.ts';
import { fieldErrorsFromValidation, ProblemSchema, sendProblem } from '../problems.ts';
import { mayUseService } from '../auth.ts';
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
      const checked = await checkMessageRequest(
        deps.database.db,
        { enteId: auth.enteId, mayUseService: (id) => mayUseService(auth, id), holder: 'this API key' },
        body,
        Date.now(),
      );
      const errors: FieldError[] = checked.ok ? [] : [...checked.errors];
      // Structure errors the domain rules do not cover: unknown fields.
      const structural = fieldErrorsFromValidation(request.validationError?.validation).filter((e) => e.code === 'unknown_field');
      errors.push(...structural);

      const idemHeader = request.headers['idempotency-key'];
      const idemKey = Array.isArray(idemHeader) ? idemHeader[0] : idemHeader;
      if (idemKey !== undefined && !IDEMPOTENCY_KEY.test(idemKey)) {
        errors.push({ field: 'Idempotency-Key', code: 'invalid_value', message: 'Idempotency-Key must be 1 to 255 visible ASCII characters' });
      }
      if (errors.length || !checked.ok) return sendProblem(reply, 'validation_failed', `${errors.length} field(s) are invalid`, errors);
      const { service } = checked;

      const result = await batcher.accept({
        enteId: auth.enteId,
        service,
        apiKey: auth.apiKey,
        message: checked.message,
        priority: checked.message.payment ? 0 : 1,
        template: checked.template,
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
