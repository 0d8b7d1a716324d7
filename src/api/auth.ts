/**
 * API key authentication for everything under /api/v1: `Authorization: Bearer <key>`. The key
 * decides the ente and, when restricted, the services it may use. Nothing else identifies a
 * tenant: route handlers read `request.auth` and pass its ente id to every store call.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../store/db.ts';
import { apiKeyServiceIds, findApiKeyByValue, touchApiKey, type ApiKey } from '../store/api-keys.ts';
import { sendProblem } from './problems.ts';

export interface ApiAuth {
  apiKey: ApiKey;
  enteId: string;
  /** Services this key may use; null: all of the ente's. */
  serviceIds: string[] | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: ApiAuth;
  }
}

/** last_used_at is written at most once a minute per key: a write per request would halve throughput. */
const TOUCH_EVERY_MS = 60_000;

export function apiKeyAuth(database: Database) {
  const touched = new Map<string, number>();
  return async function authenticate(request: FastifyRequest, reply: FastifyReply) {
    const header = request.headers.authorization;
    const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) {
      reply.header('www-authenticate', 'Bearer');
      return sendProblem(reply, 'unauthorized', 'Send your API key as "Authorization: Bearer <key>"');
    }
    const apiKey = await findApiKeyByValue(database.db, m[1]);
    if (!apiKey) {
      reply.header('www-authenticate', 'Bearer error="invalid_token"');
      return sendProblem(reply, 'unauthorized', 'The API key is unknown or revoked');
    }
    const now = Date.now();
    if ((touched.get(apiKey.id) ?? 0) < now - TOUCH_EVERY_MS) {
      touched.set(apiKey.id, now);
      await touchApiKey(database.db, apiKey.id, now);
    }
    request.auth = { apiKey, enteId: apiKey.ente_id, serviceIds: apiKeyServiceIds(apiKey) };
  };
}

export function mayUseService(auth: ApiAuth, serviceId: string): boolean {
  return auth.serviceIds === null || auth.serviceIds.includes(serviceId);
}
