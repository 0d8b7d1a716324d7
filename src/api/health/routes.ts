/** /healthz (the process answers), /readyz (database reachable and migrated), /metrics (Prometheus). */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { isUpToDate } from '../../store/migrate.ts';
import { MESSAGE_STATUSES } from '../../domain/statuses.ts';
import type { ApiDeps } from '../deps.ts';
import { Gauge } from 'prom-client';

export function registerHealth(app: FastifyInstance, deps: ApiDeps) {
  app.get('/healthz', { schema: { summary: 'Liveness', tags: ['operations'] } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { summary: 'Readiness: database reachable, migrations applied', tags: ['operations'] } }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(deps.database.db);
      if (!(await isUpToDate(deps.database))) return reply.code(503).send({ status: 'not ready', reason: 'database migrations pending' });
      return { status: 'ready' };
    } catch (err) {
      return reply.code(503).send({ status: 'not ready', reason: `database unreachable: ${(err as Error).message}` });
    }
  });

  // Messages by status and queue depth come from the database at scrape time: they describe the
  // shared queue, not this process.
  new Gauge({
    name: 'genio_messages',
    help: 'Messages by status (whole database)',
    labelNames: ['status'],
    registers: [deps.metrics.registry],
    async collect() {
      const rows = await deps.database.db.selectFrom('messages').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
      const counts = new Map(rows.map((r) => [r.status, Number(r.n)]));
      for (const s of MESSAGE_STATUSES) this.set({ status: s }, counts.get(s) ?? 0);
    },
  });
  new Gauge({
    name: 'genio_queue_depth',
    help: 'Messages waiting to be sent (queued, due now or later)',
    registers: [deps.metrics.registry],
    async collect() {
      const row = await deps.database.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'queued').executeTakeFirst();
      this.set(Number(row?.n ?? 0));
    },
  });

  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['operations'] } }, async (_request, reply) => {
    reply.type(deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}
