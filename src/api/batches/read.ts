/** Reading batches: one, a list, its errors page by page, its rows with their fate, and the report CSV. */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import { maskFiscalCode } from '../../domain/fiscal-code.ts';
import type { Batch } from '../../store/batches/create.ts';
import { getBatch, listBatchErrors, listBatchRows, listBatches, type RowStatus } from '../../store/batches/read.ts';
import { getService, listServices, type Service } from '../../store/services.ts';
import { batchReportCsv, reportFileName } from '../../ingest/report-csv.ts';
import { mayUseService, type ApiAuth } from '../auth.ts';
import { ProblemSchema, sendProblem } from '../problems.ts';
import type { ApiDeps } from '../deps.ts';
import { BatchErrorPageSchema, BatchIdParams, BatchRowPageSchema, BatchSchema, PageQuery, RowsQuery } from './schemas.ts';
import { presentBatch } from './present.ts';

/** The batch and its service, if this key may see it. */
export async function findVisibleBatch(deps: ApiDeps, auth: ApiAuth, id: string): Promise<{ batch: Batch; service: Service } | undefined> {
  const batch = await getBatch(deps.database.db, auth.enteId, id);
  if (!batch || !mayUseService(auth, batch.service_id)) return undefined;
  const service = await getService(deps.database.db, batch.service_id);
  return service && { batch, service };
}

const cursorNumber = (c: string | undefined) => (c && /^\d{1,10}$/.test(c) ? Number(c) : 0);

export function registerReadBatches(app: FastifyInstance, deps: ApiDeps) {
  const db = deps.database.db;
  const notFound = (reply: FastifyReply, id: string) => sendProblem(reply, 'not_found', `No batch ${id}`);

  app.get(
    '/api/v1/batches/:id',
    { schema: { summary: 'A batch: status, counts, progress, estimated finish', tags: ['batches'], params: BatchIdParams, response: { 200: BatchSchema, 401: ProblemSchema, 404: ProblemSchema } } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const found = await findVisibleBatch(deps, request.auth, id);
      if (!found) return notFound(reply, id);
      return presentBatch(deps, found.batch, found.service);
    },
  );

  app.get(
    '/api/v1/batches',
    {
      schema: {
        summary: 'Batches, newest first',
        tags: ['batches'],
        querystring: PageQuery,
        response: { 200: Type.Object({ items: Type.Array(BatchSchema), next_cursor: Type.Union([Type.String(), Type.Null()]) }), 401: ProblemSchema },
      },
    },
    async (request) => {
      const { limit = 100, cursor } = request.query as { limit?: number; cursor?: string };
      const batches = await listBatches(db, request.auth.enteId, { serviceIds: request.auth.serviceIds, before: cursor, limit: Math.min(limit, 100) });
      const services = new Map((await listServices(db, request.auth.enteId)).map((x) => [x.id, x]));
      const items = [];
      for (const b of batches) {
        const service = services.get(b.service_id);
        if (service) items.push(await presentBatch(deps, b, service));
      }
      return { items, next_cursor: batches.length === Math.min(limit, 100) ? batches[batches.length - 1].id : null };
    },
  );

  app.get(
    '/api/v1/batches/:id/errors',
    {
      schema: {
        summary: "A batch's errors, with row and column as a spreadsheet shows them",
        tags: ['batches'],
        params: BatchIdParams,
        querystring: PageQuery,
        response: { 200: BatchErrorPageSchema, 401: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { limit = 100, cursor } = request.query as { limit?: number; cursor?: string };
      if (!(await findVisibleBatch(deps, request.auth, id))) return notFound(reply, id);
      const rows = await listBatchErrors(db, id, cursorNumber(cursor), limit);
      return {
        items: rows.map((e) => ({ row: e.row_number, column: e.column_name, code: e.code, message: e.message, value: e.value })),
        next_cursor: rows.length === limit ? String(rows[rows.length - 1].id) : null,
      };
    },
  );

  app.get(
    '/api/v1/batches/:id/rows',
    {
      schema: {
        summary: "A batch's rows with each row's fate",
        tags: ['batches'],
        params: BatchIdParams,
        querystring: RowsQuery,
        response: { 200: BatchRowPageSchema, 401: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { limit = 100, cursor, status } = request.query as { limit?: number; cursor?: string; status?: RowStatus };
      if (!(await findVisibleBatch(deps, request.auth, id))) return notFound(reply, id);
      const rows = await listBatchRows(db, id, { afterRow: cursorNumber(cursor), limit, status });
      return {
        items: rows.map((r) => ({
          row: r.row_number,
          fiscal_code_masked: r.fiscal_code ? maskFiscalCode(r.fiscal_code) : null,
          status: r.status,
          message_id: r.message_id,
          io_message_id: r.io_message_id,
          reason: r.reason,
        })),
        next_cursor: rows.length === limit ? String(rows[rows.length - 1].row_number) : null,
      };
    },
  );

  app.get(
    '/api/v1/batches/:id/report.csv',
    {
      schema: {
        summary: 'The results report: one line per row',
        description:
          '`riga;codice_fiscale;stato;id_messaggio_io;motivo`, UTF-8 with BOM, `;`-separated. `stato` is the message status, ' +
          '`invalid` for a row with errors (not sent) or `pending` for one not in the queue yet. The fiscal code is the one the ente uploaded.',
        tags: ['batches'],
        params: BatchIdParams,
        produces: ['text/csv'],
        response: { 200: Type.String(), 401: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!(await findVisibleBatch(deps, request.auth, id))) return notFound(reply, id);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${reportFileName(id)}"`)
        .send(Readable.from(batchReportCsv(db, id)));
    },
  );
}
