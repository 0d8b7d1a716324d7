import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LocalIdp } from './provider.ts';

type MountedRequest = FastifyRequest['raw'] & { originalUrl?: string };

/** `/idp/auth?x` → `/auth?x`; `/idp?x` → `/?x`. */
function stripPrefix(url: string, prefix: string): string {
  const rest = url.slice(prefix.length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/**
 * Hands the raw request to oidc-provider, which writes the response itself. The URL is rewritten
 * the way express mounting does it: oidc-provider derives its endpoints' mount path from
 * `originalUrl` minus `url`, so discovery advertises `<prefix>/auth`, `<prefix>/token`, …
 */
function forward(idp: LocalIdp, prefix: string) {
  return (request: FastifyRequest, reply: FastifyReply): void => {
    const req = request.raw as MountedRequest;
    const fullUrl = req.url ?? prefix;
    reply.hijack();
    req.originalUrl = fullUrl;
    req.url = stripPrefix(fullUrl, prefix);
    // Put the URL back once done, for fastify's onResponse hooks and logs.
    reply.raw.once('close', () => {
      req.url = fullUrl;
      delete req.originalUrl;
    });
    idp.callback(req, reply.raw);
  };
}

/**
 * Mounts the local IdP under `prefix` of an existing fastify 5 instance (same port). Every method
 * and path under the prefix goes to oidc-provider. Routes are added in an encapsulated context
 * whose content-type parsers leave the body unread: oidc-provider reads the raw stream itself,
 * and GeNIO's own parsers (e.g. form bodies) stay in force everywhere else.
 * Must be called before the instance is ready; the prefix must equal the issuer's path.
 */
export function mountLocalIdp(app: FastifyInstance, idp: LocalIdp, prefix = '/idp'): void {
  if (prefix !== idp.mountPath) {
    throw new TypeError(`local IdP: mount prefix '${prefix}' differs from the issuer's path '${idp.mountPath}' (${idp.issuer})`);
  }
  const handler = forward(idp, prefix);
  void app.register(
    async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
      scope.all('/', handler);
      scope.all('/*', handler);
    },
    { prefix },
  );
}
