/**
 * The public API as a fastify instance: problem+json errors, API key auth on everything under
 * /api/v1, the OpenAPI document at /openapi.json and its browsable form at /docs.
 * The server (src/server.ts) composes it with the dispatcher; tests build it the same way.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import multipart from '@fastify/multipart';
import type { Logger } from '../log.ts';
import { apiKeyAuth } from './auth.ts';
import { errorHandler, sendProblem } from './problems.ts';
import type { ApiDeps } from './deps.ts';
import { registerCreateMessage } from './messages/create.ts';
import { registerReadMessages } from './messages/read.ts';
import { registerCancelMessage } from './messages/cancel.ts';
import { registerProfiles } from './profiles/routes.ts';
import { registerHealth } from './health/routes.ts';
import { registerTemplates } from './templates/routes.ts';
import { registerBatches } from './batches/routes.ts';

/** Routes anyone may call; every other route must be behind authentication (test/api/auth-coverage.test.ts). */
export const PUBLIC_ROUTES = ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs'];

declare module 'fastify' {
  interface FastifyInstance {
    routeList: ReadonlyArray<{ method: string; url: string }>;
  }
}

export interface ApiOptions {
  /** Answers an unknown path itself (the web UI's HTML page for browsers); returns false to leave it to the API. */
  notFound?: (request: FastifyRequest, reply: FastifyReply) => boolean;
  /** A worker-only process (`--role worker`) serves health, readiness and metrics, not the API. */
  operationsOnly?: boolean;
}

export async function buildApi(deps: ApiDeps, log: Logger, opts: ApiOptions = {}): Promise<FastifyInstance> {
  // pino's Logger and fastify's base logger differ only in types.

  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    bodyLimit: deps.bodyLimitBytes,
    // Request logs carry the path without its query: a query may hold a fiscal code.
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false } },
    genReqId: () => crypto.randomUUID(),
  });
  // Every route of the process, as registered (the auth-coverage tests walk it).
  const routes: Array<{ method: string; url: string }> = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url });
  });
  app.decorate('routeList', routes);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    if (opts.notFound?.(request, reply)) return reply;
    return sendProblem(reply, 'not_found', `No route ${request.method} ${request.url.split('?')[0]}`);
  });

  registerHealth(app, deps);
  if (opts.operationsOnly) return app;

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'GeNIO API',
        version: '1.0.0',
        description:
          'GeNIO (Gestore Notifiche IO) sends messages and pagoPA payment notices from public bodies to citizens\' IO app. ' +
          'Authenticate with `Authorization: Bearer <api key>`. Errors are RFC 9457 problem+json with a stable `code` and one entry per invalid field.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A GeNIO API key' } } },
      security: [{ apiKey: [] }],
      tags: [
        { name: 'messages', description: 'Send messages and follow their fate' },
        { name: 'profiles', description: 'Check whether a citizen can receive' },
        { name: 'templates', description: 'Message templates with typed placeholders, versioned' },
        { name: 'batches', description: 'Bulk sending from a CSV or XLSX file, checked before anything is sent' },
        { name: 'operations', description: 'Health, readiness, metrics (no key)' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  // Batch files stream to disk; the size limit is enforced there (ingest/upload.ts), one file a request.
  await app.register(multipart, { limits: { fileSize: deps.batches.maxBytes + 1, files: 2, fields: 20, fieldSize: 10_000 } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(async (api) => {
    api.addHook('onRequest', apiKeyAuth(deps.database));
    registerCreateMessage(api, deps);
    registerReadMessages(api, deps);
    registerCancelMessage(api, deps);
    registerProfiles(api, deps);
    registerTemplates(api, deps);
    registerBatches(api, deps);
  });
  return app;
}
