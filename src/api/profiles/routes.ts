/** POST /api/v1/profiles: can this citizen receive messages from this service on IO? */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { FieldError } from '../../domain/field-error.ts';
import { checkFiscalCode } from '../../domain/fiscal-code.ts';
import { findServiceByCode } from '../../store/services.ts';
import { mayUseService } from '../auth.ts';
import { ProblemSchema, sendProblem } from '../problems.ts';
import type { ApiDeps } from '../deps.ts';

const ProfileRequestSchema = Type.Object(
  { service: Type.String({ description: "The service's code" }), fiscal_code: Type.String() },
  { additionalProperties: false },
);
const ProfileSchema = Type.Object({
  sender_allowed: Type.Boolean({ description: 'true: a message from this service will reach the citizen' }),
  on_io: Type.Boolean({ description: 'false: the citizen is not on IO, or has turned their inbox off' }),
});

export function registerProfiles(app: FastifyInstance, deps: ApiDeps) {
  app.post(
    '/api/v1/profiles',
    {
      attachValidation: true,
      schema: {
        summary: 'Check whether a citizen can receive from a service',
        description: 'Asks IO now (one call from the IO account budget; a recent answer is reused). 503 when IO cannot be asked in time.',
        tags: ['profiles'],
        body: ProfileRequestSchema,
        response: { 200: ProfileSchema, 400: ProblemSchema, 401: ProblemSchema, 503: ProblemSchema },
      },
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as Partial<Static<typeof ProfileRequestSchema>>;
      const errors: FieldError[] = [];
      const fc = typeof body.fiscal_code === 'string' ? checkFiscalCode(body.fiscal_code) : null;
      if (!fc) errors.push({ field: 'fiscal_code', code: 'required', message: 'fiscal_code is required' });
      else if (!fc.ok) errors.push({ field: 'fiscal_code', code: fc.code, message: fc.message });
      const service = typeof body.service === 'string' ? await findServiceByCode(deps.database.db, request.auth.enteId, body.service) : undefined;
      if (!service || !mayUseService(request.auth, service.id)) {
        errors.push({ field: 'service', code: body.service === undefined ? 'required' : 'unknown_service', message: `this API key has no service "${body.service ?? ''}"` });
      }
      if (errors.length || !fc?.ok || !service) return sendProblem(reply, 'validation_failed', `${errors.length} field(s) are invalid`, errors);
      const result = await deps.checkProfile(service, fc.value, request.auth.apiKey.sandbox === 1);
      if (result.kind === 'unavailable') {
        reply.header('retry-after', '5');
        return sendProblem(reply, 'io_unavailable', result.reason);
      }
      if (result.kind === 'failed') return sendProblem(reply, 'io_unavailable', result.reason);
      return { sender_allowed: result.senderAllowed, on_io: result.onIo };
    },
  );
}
