/** Confirming a checked batch, and cancelling one. */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { FieldError } from '../../domain/field-error.ts';
import { parseDateTime } from '../../domain/due-date.ts';
import { confirmBatch } from '../../store/batches/confirm.ts';
import { cancelBatch } from '../../store/batches/cancel.ts';
import { getApiKey } from '../../store/api-keys.ts';
import { callbackPayload } from '../../domain/callback-payload.ts';
import { batchMessageCounts } from '../../store/batches/read.ts';
import { fieldErrorsFromValidation, ProblemSchema, sendProblem } from '../problems.ts';
import type { ApiDeps } from '../deps.ts';
import { BatchIdParams, BatchSchema, ConfirmSchema } from './schemas.ts';
import { presentBatch } from './present.ts';
import { findVisibleBatch } from './read.ts';

/** Statuses whose messages have gone to IO (or are on their way): a cancel cannot call them back. */
const GONE = ['sending', 'sent', 'delivered', 'rejected', 'failed'];

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
      let scheduledAt = found.batch.scheduled_at;
      if (body.scheduled_at !== undefined) {
        const at = parseDateTime(body.scheduled_at);
        if (!at.ok) errors.push({ field: 'scheduled_at', code: at.code, message: at.message });
        else if (at.value.getTime() < now - 60_000) errors.push({ field: 'scheduled_at', code: 'in_the_past', message: 'scheduled_at must not be in the past' });
        else scheduledAt = at.value.getTime();
      }
      if (errors.length) return sendProblem(reply, 'validation_failed', `${errors.length} field(s) are invalid`, errors);
      const { batch } = found;
      const sendValidOnly = body.send_valid_only === true || batch.send_valid_only === 1;
      const confirmable =
        batch.status === 'ready' || (batch.status === 'invalid' && sendValidOnly && batch.valid_rows > 0 && batch.problem === null && batch.checked_at !== null);
      if (!confirmable) {
        const why =
          batch.status === 'invalid'
            ? batch.problem ?? `it has ${batch.error_count} error(s): fix the file and upload it again, or confirm with send_valid_only to send its ${batch.valid_rows} valid row(s) alone`
            : `it is ${batch.status}`;
        return sendProblem(reply, 'batch_not_confirmable', `Batch ${id} cannot be confirmed: ${why}`);
      }
      const confirmed = await confirmBatch(db, batch, { scheduledAt, sendValidOnly }, now);
      if (!confirmed) return sendProblem(reply, 'batch_not_confirmable', `Batch ${id} changed meanwhile: read it again`);
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
      // Each cancelled message is told to the callback URL of the key that sent the batch.
      const sender = found.batch.api_key_id ? await getApiKey(db, found.batch.api_key_id) : undefined;
      const result = await cancelBatch(db, found.batch, now, (m) =>
        sender?.callback_url
          ? { apiKeyId: sender.id, payload: callbackPayload(m, found.service.code, { status: 'cancelled', reason: 'batch cancelled by the ente', at: now }) }
          : undefined,
      );
      if (result.kind === 'too_late') return sendProblem(reply, 'batch_not_cancellable', `Batch ${id} is ${found.batch.status}`);
      const counts = await batchMessageCounts(db, id);
      const alreadySent = GONE.reduce((n, s) => n + (counts[s as keyof typeof counts] ?? 0), 0);
      request.log.info({ batchId: id, cancelledMessages: result.cancelledMessages, alreadySent }, 'batch cancelled');
      return {
        batch: await presentBatch(deps, result.batch, found.service, now),
        cancelled_messages: result.cancelledMessages,
        already_sent: alreadySent,
        rows_not_sent: Math.max(0, result.batch.valid_rows - alreadySent),
      };
    },
  );
}
