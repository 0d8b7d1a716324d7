/**
 * Server-rendered pages: eta templates in src/web/views, every page inside layout.eta (Bootstrap
 * Italia header, skip link, navigation for the person's role on the current ente). `<%= %>`
 * escapes; `<%~ %>` is for HTML GeNIO built itself (the layout body, the markdown preview).
 */
import path from 'node:path';
import { Eta } from 'eta';
import type { FastifyReply } from 'fastify';
import { can, ROLE_LABELS, type Action, type UserRole } from '../domain/permissions.ts';
import type { FieldError } from '../domain/field-error.ts';
import { PACKAGE_ROOT } from '../package-root.ts';

const VIEWS = path.join(PACKAGE_ROOT, 'src/web/views');

/** Templates are read once per process; during development set GENIO_WEB_DEV=on to re-read them. */
export const eta = new Eta({ views: VIEWS, cache: process.env.GENIO_WEB_DEV !== 'on', autoTrim: false });

export interface Viewer {
  name: string | null;
  fiscalCode: string;
  level: number;
  csrfToken: string;
}

export interface EnteChoice {
  fiscalCode: string;
  name: string;
  role: UserRole;
}

/** What every page's layout needs: who is looking, at which ente, with which role. */
export interface PageContext {
  viewer: Viewer | null;
  ente: EnteChoice | null;
  /** Every ente the person may switch to (more than one shows the switcher). */
  enti: EnteChoice[];
}

export interface PageOptions {
  title: string;
  /** Which navigation entry is current. */
  active?: string;
  status?: number;
  /** A line shown above the content: a result of the last action. */
  notice?: { kind: 'success' | 'info' | 'warning' | 'danger'; text: string } | null;
}

/** Base path of the ente's pages. */
export function entePath(ente: { fiscalCode: string }, rest = ''): string {
  return `/ente/${ente.fiscalCode}${rest}`;
}

export function levelLabel(level: number): string {
  return level ? `SPID/CIE livello ${level}` : 'livello non indicato';
}

function navFor(ente: EnteChoice | null): Array<{ key: string; href: string; label: string }> {
  if (!ente) return [];
  const items: Array<{ key: string; rest: string; label: string; action: Action }> = [
    { key: 'dashboard', rest: '/', label: 'Cruscotto', action: 'view' },
    { key: 'send', rest: '/invio', label: 'Invio singolo', action: 'send' },
    { key: 'batches', rest: '/massivo', label: 'Invio massivo', action: 'send' },
    { key: 'messages', rest: '/messaggi', label: 'Messaggi', action: 'view' },
    { key: 'keys', rest: '/chiavi', label: 'Chiavi API', action: 'manage_keys' },
    { key: 'templates', rest: '/modelli', label: 'Modelli', action: 'manage_templates' },
  ];
  return items.filter((i) => can(ente.role, i.action)).map((i) => ({ key: i.key, href: entePath(ente, i.rest), label: i.label }));
}

/** Renders `view` inside the layout and sends it. */
export function sendPage(reply: FastifyReply, ctx: PageContext, view: string, opts: PageOptions, data: Record<string, unknown> = {}): FastifyReply {
  const page = {
    ...opts,
    viewer: ctx.viewer,
    ente: ctx.ente,
    enti: ctx.enti,
    nav: navFor(ctx.ente),
    roleLabel: ctx.ente ? ROLE_LABELS[ctx.ente.role] : null,
    levelLabel: ctx.viewer ? levelLabel(ctx.viewer.level) : null,
    csrfToken: ctx.viewer?.csrfToken ?? '',
  };
  const html = eta.render(`./${view}`, { ...data, page });
  return reply.code(opts.status ?? 200).type('text/html; charset=utf-8').send(html);
}

/** Renders a fragment (no layout), for htmx updates. */
export function sendFragment(reply: FastifyReply, view: string, data: Record<string, unknown>): FastifyReply {
  return reply.type('text/html; charset=utf-8').send(eta.render(`./${view}`, data));
}

/** Field errors by field name, for a form that comes back with each error next to its field. */
export function errorsByField(errors: FieldError[], italian: (e: FieldError) => string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of errors) (out[e.field || '_form'] ??= []).push(italian(e));
  return out;
}
