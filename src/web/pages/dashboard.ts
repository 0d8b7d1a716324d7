/** Cruscotto: the ente's messages by status over 7 and 30 days, batches in progress, services with a flagged key. */
import type { FastifyInstance } from 'fastify';
import { MESSAGE_STATUSES } from '../../domain/statuses.ts';
import { countMessagesByStatus } from '../../store/messages/stats.ts';
import { listBatches } from '../../store/batches/read.ts';
import { listServices } from '../../store/services.ts';
import type { WebDeps } from '../deps.ts';
import { BATCH_STATUS_LABELS, BATCHES_IN_PROGRESS, formatCount, formatDateTime, MESSAGE_STATUS_LABELS } from '../labels.ts';
import { entePath, sendPage } from '../render.ts';

const DAY_MS = 86_400_000;

export function registerDashboard(app: FastifyInstance, deps: WebDeps) {
  app.get('/', async (request, reply) => {
    const { ente, page } = request.enteScope;
    const now = deps.clock();
    const db = deps.database.db;
    const [week, month, batches, services] = await Promise.all([
      countMessagesByStatus(db, ente.id, now - 7 * DAY_MS),
      countMessagesByStatus(db, ente.id, now - 30 * DAY_MS),
      listBatches(db, ente.id, { serviceIds: null, limit: 20, statuses: BATCHES_IN_PROGRESS }),
      listServices(db, ente.id),
    ]);
    const names = new Map(services.map((s) => [s.id, s.name]));
    return sendPage(reply, page, 'dashboard', { title: 'Cruscotto', active: 'dashboard' }, {
      rows: MESSAGE_STATUSES.map((s) => ({ label: MESSAGE_STATUS_LABELS[s], week: formatCount(week[s] ?? 0), month: formatCount(month[s] ?? 0), href: entePath(page.ente!, `/messaggi?stato=${s}`) })),
      totals: { week: formatCount(Object.values(week).reduce((a, b) => a + b, 0)), month: formatCount(Object.values(month).reduce((a, b) => a + b, 0)) },
      batches: batches.map((b) => ({
        href: entePath(page.ente!, `/massivo/${b.id}`),
        name: b.file_name ?? `Lotto ${b.id}`,
        service: names.get(b.service_id) ?? '',
        status: BATCH_STATUS_LABELS[b.status],
        rows: formatCount(b.valid_rows),
        created: formatDateTime(b.created_at),
      })),
      flagged: services.filter((s) => s.flagged_at).map((s) => ({ name: s.name, code: s.code, reason: s.flagged_reason ?? '', at: formatDateTime(s.flagged_at), keyInUse: s.key_in_use === 'secondary' ? 'secondaria' : 'primaria' })),
    });
  });
}
