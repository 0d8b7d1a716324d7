/** Confirming a checked batch, and cancelling one. */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { FieldError } from '../../domain/field-error.ts';
import { checkScheduledAt } from '../../domain/scheduled-at.ts';
import { confirmCheckedBatch } from '../../store/batches/confirm.ts';
import { stopBatch } from '../../store/batches/cancel.ts';
import { fieldErrorsFromValidation, ProblemSchema, sendProblem } from '../problems.ts';
import type { ApiDeps } from '../deps.ts';
import { BatchIdParams, BatchSchema, ConfirmSchema } from './schemas.ts';
import { presentBatch } from './present.ts';
import { findVisibleBatch } from './read.ts';

export function registerBatchActions(app: FastifyInstance, deps: ApiDeps) {
  const db = deps.database.db;

  app.post(
    '/api/v1/batches/:id/confirm',
    {
      attachValidation: true,
      schema: {
        summary: 'Send a checked batch, now or at `scheduled_at`',
        description: 'A batch with errors is sent only with `send_valid_only: true`: its valid rows go, the others are reported as invalid.',
        tags: ['batches'],
        params: BatchIdParams,
        body: Type.Optional(ConfirmSchema),
        response: { 200: BatchSchema, 400: ProblemSchema, 401: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const found = await findVisibleBatch(deps, request.auth, id);
      if (!found) return sendProblem(reply, 'not_found', `No batch ${id}`);
      const body = (request.body ?? {}) as { scheduled_at?: string; send_valid_only?: boolean };
      const errors: FieldError[] = fieldErrorsFromValidation(request.validationError?.validation);
      const now = Date.now();
      let scheduledAt: number | undefined;
      if (body.scheduled_at !== undefined) {
        const at = checkScheduledAt(body.scheduled_at, now);
        if (!at.ok) errors.push({ field: 'scheduled_at', code: at.code, message: at.message });
        else scheduledAt = at.value;
      }
      if (errors.length) return sendProblem(reply, 'validation_failed', `${errors.length} field(s) are invalid`, errors);
      const outcome = await confirmCheckedBatch(db, found.batch, { scheduledAt, sendValidOnly: body.send_valid_only === true }, now);
      if (outcome.kind === 'not_confirmable') return sendProblem(reply, 'batch_not_confirmable', `Batch ${id} cannot be confirmed: ${outcome.why}`);
      if (outcome.kind === 'changed') return sendProblem(reply, 'batch_not_confirmable', `Batch ${id} changed meanwhile: read it again`);
      const confirmed = outcome.batch;
      request.log.info({ batchId: id, status: confirmed.status }, 'batch confirmed');
      deps.onBatchConfirmed();
      return presentBatch(deps, confirmed, found.service, now);
    },
  );

  app.post(
    '/api/v1/batches/:id/cancel',
    {
      schema: {
        summary: 'Cancel a batch: the rows not yet sent stop',
        description: 'Messages already on their way to IO cannot be called back: `already_sent` counts them.',
        tags: ['batches'],
        params: BatchIdParams,
        response: {
          200: Type.Object({ batch: BatchSchema, cancelled_messages: Type.Integer(), already_sent: Type.Integer(), rows_not_sent: Type.Integer() }),
          401: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const found = await findVisibleBatch(deps, request.auth, id);
      if (!found) return sendProblem(reply, 'not_found', `No batch ${id}`);
      const now = Date.now();
      const result = await stopBatch(db, found.batch, found.service.code, now);
      if (result.kind === 'too_late') return sendProblem(reply, 'batch_not_cancellable', `Batch ${id} is ${found.batch.status}`);
      const { alreadySent } = result;
      request.log.info({ batchId: id, cancelledMessages: result.cancelledMessages, alreadySent }, 'batch cancelled');
      return {
        batch: await presentBatch(deps, result.batch, found.service, now),
        cancelled_messages: result.cancelledMessages,
        already_sent: alreadySent,
        rows_not_sent: result.rowsNotSent,
      };
    },
  );
}
