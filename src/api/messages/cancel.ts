/** POST /api/v1/messages/{id}/cancel: stops a message that has not gone to IO yet. */
import type { FastifyInstance } from 'fastify';
import { cancelMessageForEnte } from '../../store/messages/cancel.ts';
import { getMessage } from '../../store/messages/read.ts';
import { mayUseService } from '../auth.ts';
import { ProblemSchema, sendProblem } from '../problems.ts';
import type { ApiDeps } from '../deps.ts';
import { MessageIdParams, MessageSchema } from './schemas.ts';
import { presentMessage } from './present.ts';
import { serviceCodes } from './read.ts';

export function registerCancelMessage(app: FastifyInstance, deps: ApiDeps) {
  app.post(
    '/api/v1/messages/:id/cancel',
    {
      schema: {
        summary: 'Cancel a scheduled or queued message',
        description: 'Once the message has gone to IO it cannot be called back: the answer is 409 with its status.',
        tags: ['messages'],
        params: MessageIdParams,
        response: { 200: MessageSchema, 401: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { auth } = request;
      const current = await getMessage(deps.database.db, auth.enteId, id);
      if (!current || !mayUseService(auth, current.service_id)) return sendProblem(reply, 'not_found', `No message ${id}`);
      const result = await cancelMessageForEnte(deps.database.db, auth.enteId, current, Date.now());
      const codes = await serviceCodes(deps, auth.enteId);
      if (result.kind === 'not_found') return sendProblem(reply, 'not_found', `No message ${id}`);
      if (result.kind === 'too_late') return sendProblem(reply, 'not_cancellable', `The message is ${result.message.status}: it has gone to IO, or is already final`);
      return presentMessage(result.message, codes.get(result.message.service_id) ?? '');
    },
  );
}
