/** GET /api/v1/messages/{id} and GET /api/v1/messages: an ente reads only its own messages. */
import type { FastifyInstance } from 'fastify';
import type { FieldError } from '../../domain/field-error.ts';
import { parseDateBound } from '../../domain/date-range.ts';
import { normalizeFiscalCode } from '../../domain/fiscal-code.ts';
import { getMessage, getMessageHistory } from '../../store/messages/read.ts';
import { listMessages } from '../../store/messages/list.ts';
import { listServices } from '../../store/services.ts';
import { mayUseService } from '../auth.ts';
import { ProblemSchema, sendProblem } from '../problems.ts';
import type { ApiDeps } from '../deps.ts';
import { ListQuerySchema, MessageIdParams, MessagePageSchema, MessageSchema, type ListQuery } from './schemas.ts';
import { presentMessage } from './present.ts';

/** Service id → code for an ente (a handful of rows). */
export async function serviceCodes(deps: ApiDeps, enteId: string): Promise<Map<string, string>> {
  return new Map((await listServices(deps.database.db, enteId)).map((s) => [s.id, s.code]));
}

export function registerReadMessages(app: FastifyInstance, deps: ApiDeps) {
  app.get(
    '/api/v1/messages/:id',
    {
      schema: {
        summary: 'A message, with its history',
        tags: ['messages'],
        params: MessageIdParams,
        response: { 200: MessageSchema, 401: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { auth } = request;
      const m = await getMessage(deps.database.db, auth.enteId, id);
      if (!m || !mayUseService(auth, m.service_id)) return sendProblem(reply, 'not_found', `No message ${id}`);
      const [history, codes] = await Promise.all([getMessageHistory(deps.database.db, auth.enteId, id), serviceCodes(deps, auth.enteId)]);
      return presentMessage(m, codes.get(m.service_id) ?? '', history);
    },
  );

  app.get(
    '/api/v1/messages',
    {
      schema: {
        summary: 'Search messages, newest first',
        description: 'Filters combine with AND. Pages with `next_cursor`; `limit` up to 200.',
        tags: ['messages'],
        querystring: ListQuerySchema,
        response: { 200: MessagePageSchema, 400: ProblemSchema, 401: ProblemSchema },
      },
    },
    async (request, reply) => {
      const q = request.query as ListQuery;
      const { auth } = request;
      const errors: FieldError[] = [];
      const codes = await serviceCodes(deps, auth.enteId);
      let serviceId: string | undefined;
      if (q.service) {
        serviceId = [...codes].find(([, code]) => code === q.service)?.[0];
        if (!serviceId || !mayUseService(auth, serviceId)) errors.push({ field: 'service', code: 'unknown_service', message: `this API key has no service "${q.service}"` });
      }
      const createdFrom = q.created_from ? parseDateBound(q.created_from, false) : undefined;
      const createdTo = q.created_to ? parseDateBound(q.created_to, true) : undefined;
      if (createdFrom === null) errors.push({ field: 'created_from', code: 'format', message: 'must be a date (YYYY-MM-DD) or an ISO instant' });
      if (createdTo === null) errors.push({ field: 'created_to', code: 'format', message: 'must be a date (YYYY-MM-DD) or an ISO instant' });
      let before: string | undefined;
      if (q.cursor) {
        before = Buffer.from(q.cursor, 'base64url').toString('utf8');
        if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(before)) errors.push({ field: 'cursor', code: 'invalid_value', message: 'is not a cursor this API gave' });
      }
      if (errors.length) return sendProblem(reply, 'validation_failed', 'Invalid query', errors);
      const page = await listMessages(deps.database.db, auth.enteId, {
        serviceId,
        serviceIds: auth.serviceIds,
        status: q.status,
        reference: q.reference,
        fiscalCode: q.fiscal_code ? normalizeFiscalCode(q.fiscal_code) : undefined,
        createdFrom: createdFrom ?? undefined,
        createdTo: createdTo ?? undefined,
        before,
        limit: q.limit ?? 50,
      });
      return {
        items: page.items.map((m) => presentMessage(m, codes.get(m.service_id) ?? '')),
        next_cursor: page.nextBefore ? Buffer.from(page.nextBefore, 'utf8').toString('base64url') : null,
      };
    },
  );
}
