/**
 * The API's error catalogue. Every error is RFC 9457 problem+json with a stable `code` (and a
 * `type` built from it), a human title, and for bad input one entry per field in `errors`.
 * Anything unexpected becomes a bland `internal_error` and a log line with the request id.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { FieldError } from '../domain/field-error.ts';

export const FieldErrorSchema = Type.Object({
  field: Type.String({ description: 'The field, dotted for nested ones: `payment_data.amount`' }),
  code: Type.String({ description: 'Stable machine-readable code, e.g. `too_short`, `check_character`' }),
  message: Type.String(),
});

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: '`urn:genio:problem:<code>`' }),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(FieldErrorSchema)),
    batch_id: Type.Optional(Type.String({ description: 'The batch a 409 is about (an earlier upload of the same file)' })),
  },
  { $id: 'Problem', description: 'An error, as RFC 9457 problem details' },
);
export type Problem = Static<typeof ProblemSchema>;

const TITLES: Record<string, [number, string]> = {
  validation_failed: [400, 'The request has invalid fields'],
  malformed_json: [400, 'The body is not valid JSON'],
  unauthorized: [401, 'A valid API key is required'],
  not_found: [404, 'Not found'],
  idempotency_conflict: [409, 'This Idempotency-Key was used with a different request'],
  not_cancellable: [409, 'The message can no longer be cancelled'],
  duplicate_file: [409, 'This file was already uploaded for this service in the last 24 hours'],
  batch_not_confirmable: [409, 'The batch cannot be confirmed in its current status'],
  batch_not_cancellable: [409, 'The batch has finished: nothing is left to cancel'],
  payload_too_large: [413, 'The body is too large'],
  unsupported_media_type: [415, 'The body must be application/json'],
  io_unavailable: [503, 'IO could not be reached in time'],
  internal_error: [500, 'Something went wrong on our side'],
};
export type ProblemCode = keyof typeof TITLES;

export function problem(code: ProblemCode, detail?: string, errors?: FieldError[], extra?: { batch_id?: string }): Problem {
  const [status, title] = TITLES[code];
  return { type: `urn:genio:problem:${code}`, title, status, code, ...(detail ? { detail } : {}), ...(errors?.length ? { errors } : {}), ...extra };
}

export function sendProblem(reply: FastifyReply, code: ProblemCode, detail?: string, errors?: FieldError[], extra?: { batch_id?: string }): FastifyReply {
  const p = problem(code, detail, errors, extra);
  return reply.code(p.status).type('application/problem+json').send(p);
}

/** ajv's errors (from a TypeBox schema) as our field errors: one per field. */
export function fieldErrorsFromValidation(validation: FastifyError['validation'], prefix = ''): FieldError[] {
  const all = (validation ?? []).map((v): FieldError => {
    const params = v.params as Record<string, unknown>;
    const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const base = prefix ? prefix : '';
    const join = (a: string, b: string) => [a, b].filter(Boolean).join('.');
    switch (v.keyword) {
      case 'required':
        return { field: join(join(base, path), String(params.missingProperty)), code: 'required', message: `${params.missingProperty} is required` };
      case 'additionalProperties':
        return { field: join(join(base, path), String(params.additionalProperty)), code: 'unknown_field', message: `${params.additionalProperty} is not a known field` };
      case 'minLength':
        return { field: join(base, path), code: 'too_short', message: `must be at least ${params.limit} characters` };
      case 'maxLength':
        return { field: join(base, path), code: 'too_long', message: `must be at most ${params.limit} characters` };
      case 'type':
        return { field: join(base, path), code: 'type', message: `must be ${params.type}` };
      case 'enum':
      case 'anyOf':
        return { field: join(base, path), code: 'invalid_value', message: v.message ?? 'is not an allowed value' };
      default:
        return { field: join(base, path), code: v.keyword, message: v.message ?? 'is invalid' };
    }
  });
  const byField = new Map<string, FieldError>();
  for (const e of all) if (!byField.has(e.field)) byField.set(e.field, e);
  return [...byField.values()];
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error.validation) {
    const where = error.validationContext ?? 'body';
    return sendProblem(reply, 'validation_failed', `Invalid ${where}`, fieldErrorsFromValidation(error.validation, where === 'body' ? '' : ''));
  }
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (error.statusCode === 400 && error instanceof SyntaxError)) {
    return sendProblem(reply, 'malformed_json', error.message);
  }
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return sendProblem(reply, 'malformed_json', 'The body is empty');
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendProblem(reply, 'payload_too_large', error.message);
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendProblem(reply, 'unsupported_media_type', error.message);
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return reply.code(error.statusCode).type('application/problem+json').send({ ...problem('validation_failed', error.message), status: error.statusCode });
  }
  request.log.error({ err: error.message, stack: error.stack }, 'unexpected error');
  return sendProblem(reply, 'internal_error', `Request ${request.id}`);
}
