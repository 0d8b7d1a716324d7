/**
 * Chiavi API (manager): the ente's API keys, live and revoked; a new key, shown once on the page
 * that answers the POST (never in a URL, never cached); revocation; a key's callback URL and the
 * rotation of its signing secret, also shown once. Every lookup is by the ente first, so another
 * ente's key id is a 404 like an unknown one.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkCallbackUrl } from '../../domain/callback-url.ts';
import type { FieldError } from '../../domain/field-error.ts';
import { apiKeyServiceIds, createApiKey, findEnteApiKey, listApiKeys, revokeEnteApiKey, setApiKeyCallback, type ApiKey } from '../../store/api-keys.ts';
import { listServices, type Service } from '../../store/services.ts';
import type { WebDeps } from '../deps.ts';
import { requireAction, sendNotFound } from '../ente-scope.ts';
import { italianError } from '../italian-errors.ts';
import { formatDateTime } from '../labels.ts';
import { entePath, errorsByField, sendPage } from '../render.ts';

type Form = Record<string, unknown>;
type Errors = Record<string, string[]>;

/** A form field as one string (a repeated field: its first value). */
function field(body: Form, name: string): string {
  const v = body[name];
  if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : '';
  return typeof v === 'string' ? v : '';
}

/** A field that may repeat (checkboxes of one name). */
function fields(body: Form, name: string): string[] {
  const v = body[name];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}

const CONFIRM_REVOKE = 'Spunta la casella per confermare la revoca.';
const CONFIRM_ROTATE = 'Spunta la casella per confermare il nuovo segreto.';

function keyRow(k: ApiKey, names: Map<string, string>, ente: { fiscalCode: string }) {
  const ids = apiKeyServiceIds(k);
  return {
    id: k.id,
    href: entePath(ente, `/chiavi/${k.id}`),
    prefix: k.prefix,
    sandbox: k.sandbox === 1,
    services: ids ? ids.map((id) => names.get(id) ?? id).join(', ') : 'Tutti i servizi',
    callbackUrl: k.callback_url,
    created: formatDateTime(k.created_at),
    lastUsed: k.last_used_at ? formatDateTime(k.last_used_at) : 'Mai',
    revoked: k.revoked_at ? formatDateTime(k.revoked_at) : null,
  };
}

export function registerApiKeyPages(app: FastifyInstance, deps: WebDeps): void {
  const db = deps.database.db;

  async function sendList(request: FastifyRequest, reply: FastifyReply, form: { services: string[]; sandbox: boolean; callbackUrl: string }, errors: Errors = {}, notice: string | null = null) {
    const { ente, page } = request.enteScope;
    const [keys, services] = await Promise.all([listApiKeys(db, ente.id), listServices(db, ente.id)]);
    const names = new Map(services.map((s) => [s.id, s.name]));
    const rows = keys.map((k) => keyRow(k, names, page.ente!)).reverse();
    const status = Object.keys(errors).length ? 400 : 200;
    return sendPage(reply, page, 'api-keys', { title: 'Chiavi API', active: 'keys', status, notice: notice ? { kind: 'success', text: notice } : null }, {
      live: rows.filter((r) => !r.revoked),
      revoked: rows.filter((r) => r.revoked),
      services: services.map((s) => ({ code: s.code, name: s.name, checked: form.services.includes(s.code) })),
      form,
      errors,
      action: entePath(page.ente!, '/chiavi'),
    });
  }

  async function sendDetail(request: FastifyRequest, reply: FastifyReply, key: ApiKey, opts: { callbackUrl?: string; errors?: Errors; notice?: string | null } = {}) {
    const { ente, page } = request.enteScope;
    const services = await listServices(db, ente.id);
    const row = keyRow(key, new Map(services.map((s) => [s.id, s.name])), page.ente!);
    const errors = opts.errors ?? {};
    const base = entePath(page.ente!, `/chiavi/${key.id}`);
    return sendPage(reply, page, 'api-keys-detail', {
      title: `Chiave ${key.prefix}`,
      active: 'keys',
      status: Object.keys(errors).length ? 400 : 200,
      notice: opts.notice ? { kind: 'success', text: opts.notice } : null,
    }, {
      key: row,
      hasSecret: key.callback_secret_enc !== null,
      callbackUrl: opts.callbackUrl ?? key.callback_url ?? '',
      errors,
      listHref: entePath(page.ente!, '/chiavi'),
      actions: { callback: `${base}/callback`, rotate: `${base}/segreto`, revoke: `${base}/revoca` },
    });
  }

  /** The page that shows a secret once: never stored by the browser or a proxy. */
  function sendSecretPage(request: FastifyRequest, reply: FastifyReply, title: string, data: { key: string | null; apiKey: ApiKey; callbackSecret: string | null }) {
    const { page } = request.enteScope;
    reply.header('cache-control', 'no-store');
    return sendPage(reply, page, 'api-keys-created', { title, active: 'keys' }, {
      key: data.key,
      prefix: data.apiKey.prefix,
      sandbox: data.apiKey.sandbox === 1,
      callbackUrl: data.apiKey.callback_url,
      callbackSecret: data.callbackSecret,
      listHref: entePath(page.ente!, '/chiavi'),
      detailHref: entePath(page.ente!, `/chiavi/${data.apiKey.id}`),
    });
  }

  /** The key of the URL, of this ente; sends the 404 page and returns undefined otherwise. */
  async function keyOf(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): Promise<ApiKey | undefined> {
    const key = await findEnteApiKey(db, request.enteScope.ente.id, request.params.id);
    if (!key) sendNotFound(reply, request.enteScope.page);
    return key;
  }

  app.get('/chiavi', async (request: FastifyRequest<{ Querystring: { revocata?: string } }>, reply) => {
    if (!requireAction(request, reply, 'manage_keys')) return;
    const revoked = typeof request.query.revocata === 'string' ? await findEnteApiKey(db, request.enteScope.ente.id, request.query.revocata) : undefined;
    const notice = revoked?.revoked_at ? `La chiave ${revoked.prefix} è stata revocata: le richieste che la usano vengono rifiutate.` : null;
    return sendList(request, reply, { services: [], sandbox: false, callbackUrl: '' }, {}, notice);
  });

  app.post('/chiavi', async (request, reply) => {
    if (!requireAction(request, reply, 'manage_keys')) return;
    const { ente } = request.enteScope;
    const body = (request.body ?? {}) as Form;
    const form = { services: fields(body, 'services'), sandbox: field(body, 'sandbox') === 'on', callbackUrl: field(body, 'callback_url').trim() };
    const errors: FieldError[] = [];
    const all = await listServices(db, ente.id);
    const chosen: Service[] = [];
    for (const code of new Set(form.services)) {
      const s = all.find((x) => x.code === code);
      if (s) chosen.push(s);
      else errors.push({ field: 'services', code: 'unknown_service', message: `no service ${code}` });
    }
    let callbackUrl: string | null = null;
    if (form.callbackUrl) {
      const check = checkCallbackUrl(form.callbackUrl);
      if (check.ok) callbackUrl = check.value;
      else errors.push({ field: 'callback_url', code: check.code, message: check.message });
    }
    if (errors.length) return sendList(request, reply, form, errorsByField(errors, italianError));
    const created = await createApiKey(db, deps.masterKey, { enteId: ente.id, serviceIds: chosen.map((s) => s.id), callbackUrl, sandbox: form.sandbox }, deps.clock());
    request.log.info({ apiKeyId: created.apiKey.id, prefix: created.apiKey.prefix, userId: request.webSession?.user_id }, 'API key created from the web UI');
    return sendSecretPage(request, reply, 'Chiave API creata', { key: created.key, apiKey: created.apiKey, callbackSecret: created.callbackSecret });
  });

  app.get('/chiavi/:id', async (request: FastifyRequest<{ Params: { id: string }; Querystring: { callback?: string } }>, reply) => {
    if (!requireAction(request, reply, 'manage_keys')) return;
    const key = await keyOf(request, reply);
    if (!key) return;
    const notice = request.query.callback === 'aggiornato'
      ? (key.callback_url ? 'Indirizzo di notifica aggiornato: il segreto di firma resta lo stesso.' : 'Indirizzo di notifica rimosso: questa chiave non riceve più notifiche.')
      : null;
    return sendDetail(request, reply, key, { notice });
  });

  app.post('/chiavi/:id/revoca', async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
    if (!requireAction(request, reply, 'manage_keys')) return;
    const key = await keyOf(request, reply);
    if (!key) return;
    const page = request.enteScope.page;
    if (key.revoked_at !== null) return reply.redirect(entePath(page.ente!, `/chiavi/${key.id}`), 303);
    if (field((request.body ?? {}) as Form, 'conferma') !== 'on') return sendDetail(request, reply, key, { errors: { revoke: [CONFIRM_REVOKE] } });
    await revokeEnteApiKey(db, request.enteScope.ente.id, key.id, deps.clock());
    request.log.info({ apiKeyId: key.id, prefix: key.prefix, userId: request.webSession?.user_id }, 'API key revoked from the web UI');
    return reply.redirect(entePath(page.ente!, `/chiavi?revocata=${key.id}`), 303);
  });

  app.post('/chiavi/:id/callback', async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
    if (!requireAction(request, reply, 'manage_keys')) return;
    const key = await keyOf(request, reply);
    if (!key) return;
    if (key.revoked_at !== null) return sendNotFound(reply, request.enteScope.page);
    const raw = field((request.body ?? {}) as Form, 'callback_url').trim();
    let callbackUrl: string | null = null;
    if (raw) {
      const check = checkCallbackUrl(raw);
      if (!check.ok) return sendDetail(request, reply, key, { callbackUrl: raw, errors: errorsByField([{ field: 'callback_url', code: check.code, message: check.message }], italianError) });
      callbackUrl = check.value;
    }
    const updated = await setApiKeyCallback(db, deps.masterKey, request.enteScope.ente.id, key.id, { callbackUrl });
    if (!updated) return sendNotFound(reply, request.enteScope.page);
    if (updated.callbackSecret) return sendSecretPage(request, reply, 'Notifiche attivate', { key: null, apiKey: updated.apiKey, callbackSecret: updated.callbackSecret });
    return reply.redirect(entePath(request.enteScope.page.ente!, `/chiavi/${key.id}?callback=aggiornato`), 303);
  });

  app.post('/chiavi/:id/segreto', async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
    if (!requireAction(request, reply, 'manage_keys')) return;
    const key = await keyOf(request, reply);
    if (!key) return;
    if (key.revoked_at !== null || !key.callback_url) return sendNotFound(reply, request.enteScope.page);
    if (field((request.body ?? {}) as Form, 'conferma') !== 'on') return sendDetail(request, reply, key, { errors: { rotate: [CONFIRM_ROTATE] } });
    const updated = await setApiKeyCallback(db, deps.masterKey, request.enteScope.ente.id, key.id, { callbackUrl: key.callback_url, newSecret: true });
    if (!updated) return sendNotFound(reply, request.enteScope.page);
    request.log.info({ apiKeyId: key.id, prefix: key.prefix, userId: request.webSession?.user_id }, 'callback secret rotated from the web UI');
    return sendSecretPage(request, reply, 'Nuovo segreto di firma', { key: null, apiKey: updated.apiKey, callbackSecret: updated.callbackSecret });
  });
}
