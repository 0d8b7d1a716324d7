/**
 * Every page of an ente lives under /ente/<its fiscal code>/. This hook decides, once per request,
 * whether the person may see that ente: a role on it, or aggregator admin. Anyone else gets the
 * same 404 as for an ente that does not exist, so URLs reveal nothing across enti. Pages then ask
 * `requireAction` for what they do, and pass `request.enteScope.ente.id` to every store call.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { can, type Action, type UserRole } from '../domain/permissions.ts';
import { findEnte, findEnteByFiscalCode, listEnti, type Ente } from '../store/enti.ts';
import { ALL_ENTI, rolesOf } from '../store/users.ts';
import type { WebDeps } from './deps.ts';
import { sendPage, type EnteChoice, type PageContext } from './render.ts';
import { viewerOf } from './session.ts';

export interface EnteScope {
  ente: Ente;
  role: UserRole;
  /** Layout context for pages of this ente. */
  page: PageContext;
}

declare module 'fastify' {
  interface FastifyRequest {
    enteScope: EnteScope;
  }
}

/** Every ente this person may open, with their role on it; an admin may open them all. */
export async function entiOf(deps: WebDeps, fiscalCode: string): Promise<EnteChoice[]> {
  const roles = await rolesOf(deps.database.db, fiscalCode);
  if (roles.some((r) => r.enteId === ALL_ENTI)) {
    return (await listEnti(deps.database.db)).map((e) => ({ fiscalCode: e.fiscal_code, name: e.name, role: 'admin' as const }));
  }
  const out: EnteChoice[] = [];
  for (const r of roles) {
    const e = await findEnte(deps.database.db, r.enteId);
    if (e) out.push({ fiscalCode: e.fiscal_code, name: e.name, role: r.role });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name, 'it'));
}

export function sendNotFound(reply: FastifyReply, page: PageContext): FastifyReply {
  return sendPage(reply, page, 'not-found', { title: 'Pagina non trovata', status: 404 });
}

/** Sends the person to log in, coming back here afterwards. */
export function askToLogin(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const back = request.method === 'GET' ? request.url : '/';
  return reply.redirect(`/accedi?dopo=${encodeURIComponent(back)}`, 303);
}

export function enteScopeHook(deps: WebDeps) {
  return async function scope(request: FastifyRequest, reply: FastifyReply) {
    const session = request.webSession;
    if (!session) return askToLogin(request, reply);
    const viewer = viewerOf(session);
    const enti = await entiOf(deps, session.fiscal_code);
    const code = (request.params as { enteCode?: string }).enteCode ?? '';
    const choice = enti.find((e) => e.fiscalCode === code);
    const ente = choice ? await findEnteByFiscalCode(deps.database.db, code) : undefined;
    if (!choice || !ente) return sendNotFound(reply, { viewer, ente: null, enti });
    request.enteScope = { ente, role: choice.role, page: { viewer, ente: choice, enti } };
  };
}

/** False (and a 403 page sent) when the person's role on this ente does not allow `action`. */
export function requireAction(request: FastifyRequest, reply: FastifyReply, action: Action): boolean {
  if (can(request.enteScope.role, action)) return true;
  sendPage(reply, request.enteScope.page, 'forbidden', { title: 'Operazione non consentita', status: 403 }, { action });
  return false;
}
