/**
 * Who is asking: the session behind the cookie (if any), loaded once per request, and the CSRF
 * check every form post passes. A form carries the session's token in `_csrf`; htmx requests send
 * it as `x-csrf-token` (layout.eta sets it for the whole page). Cross-origin posts are refused
 * on their Origin header before anything else.
 */
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { findWebSession, type WebSession } from '../store/web-sessions.ts';
import { SESSION_COOKIE } from './cookies.ts';
import type { WebDeps } from './deps.ts';
import type { Viewer } from './render.ts';

declare module 'fastify' {
  interface FastifyRequest {
    webSession: WebSession | null;
  }
}

export function viewerOf(s: WebSession): Viewer {
  return { name: s.user_name, fiscalCode: s.fiscal_code, level: s.level, csrfToken: s.csrf_token };
}

export function loadSession(deps: WebDeps) {
  return async function load(request: FastifyRequest) {
    const token = request.cookies[SESSION_COOKIE];
    request.webSession = token ? (await findWebSession(deps.database.db, token, deps.config.sessionIdleMs, deps.clock())) ?? null : null;
  };
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** True when the request carries this session's CSRF token (form field or header). */
export function hasCsrfToken(request: FastifyRequest, fromForm?: unknown): boolean {
  const session = request.webSession;
  if (!session) return false;
  const body = request.body as Record<string, unknown> | undefined;
  const header = request.headers['x-csrf-token'];
  const given = fromForm ?? (body && typeof body === 'object' ? body._csrf : undefined) ?? header;
  return typeof given === 'string' && sameToken(given, session.csrf_token);
}

/** A post from another site (the browser names it in Origin) is refused whatever it carries. */
export function isCrossOrigin(request: FastifyRequest, publicUrl: string): boolean {
  const origin = request.headers.origin;
  if (!origin || origin === 'null') return origin === 'null';
  return origin !== new URL(publicUrl).origin && origin !== `${request.protocol}://${request.host}`;
}

/**
 * preHandler for every state-changing request of the web UI. Multipart uploads are checked by
 * their route once the `_csrf` field has been read (the body is a stream until then).
 */
export function csrfGuard(deps: WebDeps, refuse: (request: FastifyRequest, reply: FastifyReply, why: 'origin' | 'token') => FastifyReply) {
  return async function guard(request: FastifyRequest, reply: FastifyReply) {
    if (request.method === 'GET' || request.method === 'HEAD') return;
    if (isCrossOrigin(request, deps.config.publicUrl)) return refuse(request, reply, 'origin');
    // Without a session nothing can be changed: the page asks to log in (or /esci just clears).
    if (!request.webSession || request.isMultipart()) return;
    if (!hasCsrfToken(request)) return refuse(request, reply, 'token');
  };
}
