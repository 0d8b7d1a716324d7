/**
 * The web UI for enti's operators, on the same fastify instance as the API: static assets
 * (Bootstrap Italia, htmx, GeNIO's own), login, and the pages of each ente under /ente/<code>/.
 * Every route here is either public (WEB_PUBLIC_ROUTES) or behind the session and ente checks
 * (test/web/auth-coverage.test.ts walks the route table).
 */
import path from 'node:path';
import { createRequire } from 'node:module';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import type { WebDeps } from './deps.ts';
import { cookieJar } from './cookies.ts';
import { csrfGuard, loadSession, viewerOf } from './session.ts';
import { registerLogin } from './login.ts';
import { enteScopeHook, sendNotFound } from './ente-scope.ts';
import { sendPage, type PageContext } from './render.ts';
import { registerHome } from './pages/home.ts';
import { registerDashboard } from './pages/dashboard.ts';
import { ENTE_PAGES } from './pages/index.ts';
import { CALLBACK_PATH, LOGGED_OUT_PATH } from './login.ts';
import { LOCAL_IDP_CLIENT } from '../config.ts';
import { PACKAGE_ROOT } from '../package-root.ts';

/** Web routes anyone may open: the landing page, login and logout, assets. */
export const WEB_PUBLIC_ROUTES = ['/', '/ente', '/accedi', '/auth/callback', '/esci', '/uscita', '/static/*'];

const require = createRequire(import.meta.url);
const STATIC = path.join(PACKAGE_ROOT, 'src/web/static');

function contextOf(request: FastifyRequest): PageContext {
  if (request.enteScope) return request.enteScope.page;
  return { viewer: request.webSession ? viewerOf(request.webSession) : null, ente: null, enti: [] };
}

export function sendWebError(request: FastifyRequest, reply: FastifyReply, status: number, text: string): FastifyReply {
  return sendPage(reply, contextOf(request), 'error', { title: status === 403 ? 'Operazione non consentita' : 'Si è verificato un problema', status }, { text, requestId: request.id });
}

export async function registerWeb(app: FastifyInstance, deps: WebDeps): Promise<void> {
  const jar = cookieJar(deps.config.publicUrl, deps.masterKey);
  await app.register(cookie);

  // Assets, cached by browsers for a day; GeNIO's own change with releases.
  const assets: Array<[string, string]> = [
    ['/static/bootstrap-italia/', path.join(path.dirname(require.resolve('bootstrap-italia/package.json')), 'dist')],
    ['/static/htmx/', path.join(path.dirname(require.resolve('htmx.org/package.json')), 'dist')],
    ['/static/genio/', STATIC],
  ];
  for (const [prefix, root] of assets) {
    await app.register(fastifyStatic, { root, prefix, decorateReply: false, maxAge: '1d', index: false, wildcard: true });
  }

  if (deps.config.localIdp) {
    // Loaded only when used: a production process never loads the test provider (nor oidc-provider).
    const { createLocalIdp } = await import('../local-idp/provider.ts');
    const { mountLocalIdp } = await import('../local-idp/mount.ts');
    const { publicUrl } = deps.config;
    const idp = await createLocalIdp({
      issuer: `${publicUrl}/idp`,
      clients: [{ ...LOCAL_IDP_CLIENT, redirectUris: [`${publicUrl}${CALLBACK_PATH}`], postLogoutRedirectUris: [`${publicUrl}${LOGGED_OUT_PATH}`] }],
    });
    idp.provider.on('server_error', (_ctx: unknown, err: Error) => deps.log.error({ err }, 'local identity provider failed'));
    mountLocalIdp(app, idp, '/idp');
  }

  await app.register(async (web) => {
    await web.register(formbody);
    web.decorateRequest('webSession', null);
    web.decorateRequest('enteScope', null as never);
    web.addHook('onRequest', loadSession(deps));
    web.addHook('preHandler', csrfGuard(deps, (request, reply, why) =>
      sendWebError(request, reply, 403, why === 'origin'
        ? 'La richiesta proviene da un altro sito ed è stata bloccata.'
        : 'Il modulo è scaduto o non è valido: ricarica la pagina e riprova.')));
    web.setErrorHandler((err: FastifyError, request, reply) => {
      if (err.statusCode && err.statusCode < 500) return sendWebError(request, reply, err.statusCode, 'La richiesta non è valida.');
      request.log.error({ err }, 'web request failed');
      return sendWebError(request, reply, 500, 'Si è verificato un errore imprevisto. Riprova; se il problema continua, comunica il codice della richiesta.');
    });
    registerLogin(web, deps, jar);
    registerHome(web, deps);

    await web.register(async (ente) => {
      ente.addHook('preHandler', enteScopeHook(deps));
      registerDashboard(ente, deps);
      for (const register of ENTE_PAGES) await register(ente, deps);
      ente.setNotFoundHandler(async (request, reply) => {
        await loadSession(deps)(request);
        return sendNotFound(reply, contextOf(request));
      });
    }, { prefix: '/ente/:enteCode' });
  });
}

/** For requests no route matched: an HTML page for browsers. */
export function isBrowserRequest(request: FastifyRequest): boolean {
  return !request.url.startsWith('/api/') && (request.headers.accept ?? '').includes('text/html');
}

export function sendWebNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendNotFound(reply, contextOf(request));
}
