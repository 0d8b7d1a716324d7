/**
 * `/`: the landing page for someone not logged in; otherwise straight to their ente (or a choice
 * among several). `/ente?ente=…` is the ente switcher's target.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebDeps } from '../deps.ts';
import { entiOf } from '../ente-scope.ts';
import { entePath, levelLabel, sendPage } from '../render.ts';
import { viewerOf } from '../session.ts';

export function registerHome(app: FastifyInstance, deps: WebDeps) {
  app.get('/', async (request, reply) => {
    const session = request.webSession;
    if (!session) return sendPage(reply, { viewer: null, ente: null, enti: [] }, 'landing', { title: 'Accedi a GeNIO' }, { loginConfigured: deps.config.oidc !== null });
    const viewer = viewerOf(session);
    const enti = await entiOf(deps, session.fiscal_code);
    if (enti.length === 1) return reply.redirect(entePath(enti[0], '/'), 303);
    if (!enti.length) {
      return sendPage(reply, { viewer, ente: null, enti }, 'no-role', { title: 'Non hai ancora accesso a GeNIO', status: 403 }, {
        name: viewer.name, fiscalCode: viewer.fiscalCode, level: levelLabel(viewer.level), contact: deps.config.supportContact, providerLogout: null,
      });
    }
    return sendPage(reply, { viewer, ente: null, enti }, 'choose-ente', { title: 'Scegli l\'ente' }, { enti });
  });

  app.get('/ente', async (request: FastifyRequest<{ Querystring: { ente?: string } }>, reply) => {
    const code = typeof request.query.ente === 'string' && /^\d{11}$/.test(request.query.ente) ? request.query.ente : null;
    return reply.redirect(code ? `/ente/${code}/` : '/', 303);
  });
}
