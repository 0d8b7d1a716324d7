/**
 * Messaggi: the ente's messages searched by status, service, fiscal code, dates, reference and
 * batch (a GET form, newest first, a page at a time), and a message's own page with its history,
 * updating by itself until the outcome is known, and "Annulla invio" while it has not gone to IO.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { normalizeDateCell } from '../../domain/cell-values.ts';
import { parseDateBound } from '../../domain/date-range.ts';
import { checkFiscalCode } from '../../domain/fiscal-code.ts';
import type { FieldError } from '../../domain/field-error.ts';
import { formatEuro, formatItalianDate } from '../../domain/italian-format.ts';
import { CANCELLABLE_STATUSES, FINAL_STATUSES, MESSAGE_STATUSES, type MessageStatus } from '../../domain/statuses.ts';
import { can } from '../../domain/permissions.ts';
import { getApiKey } from '../../store/api-keys.ts';
import type { Message } from '../../store/messages/accept.ts';
import { cancelMessageForEnte } from '../../store/messages/cancel.ts';
import { listMessages } from '../../store/messages/list.ts';
import { getMessage, getMessageHistory } from '../../store/messages/read.ts';
import { listServices } from '../../store/services.ts';
import { getTemplate } from '../../store/templates.ts';
import type { WebDeps } from '../deps.ts';
import { requireAction, sendNotFound } from '../ente-scope.ts';
import { italianError } from '../italian-errors.ts';
import { formatDateTime, MESSAGE_STATUS_LABELS } from '../labels.ts';
import { previewMessage } from '../message-preview.ts';
import { entePath, errorsByField, sendFragment, sendPage, type PageOptions } from '../render.ts';

const PAGE_SIZE = 50;
/** How often an open message page asks for news while the outcome is not known. */
export const POLL_SECONDS = 2;
const MESSAGE_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** The search form's fields, as in the query string (Italian names: people see them in the address). */
interface Search {
  stato: string;
  servizio: string;
  codice_fiscale: string;
  dal: string;
  al: string;
  riferimento: string;
  lotto: string;
}

const SEARCH_FIELDS: Array<keyof Search> = ['stato', 'servizio', 'codice_fiscale', 'dal', 'al', 'riferimento', 'lotto'];

function readSearch(query: unknown): Search & { dopo: string } {
  const q = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>;
  const s = (k: string): string => (typeof q[k] === 'string' ? (q[k] as string).trim() : '');
  return { stato: s('stato'), servizio: s('servizio'), codice_fiscale: s('codice_fiscale').toUpperCase(), dal: s('dal'), al: s('al'), riferimento: s('riferimento'), lotto: s('lotto'), dopo: s('dopo') };
}

function searchQuery(s: Search, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const k of SEARCH_FIELDS) if (s[k]) params.set(k, s[k]);
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  const text = params.toString();
  return text ? `?${text}` : '';
}

const dateTimeSeconds = new Intl.DateTimeFormat('it-IT', { timeZone: 'Europe/Rome', dateStyle: 'short', timeStyle: 'medium' });
/** `27/11/26, 21:30:05` in Italy: the steps of a message are seconds apart. */
function formatWithSeconds(ms: number | null): string {
  return ms ? dateTimeSeconds.format(new Date(ms)) : '—';
}

/** The dispatcher's reasons (English, for logs and the API) as the page says them. */
const REASONS: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/^accepted$/, () => 'Accettato da GeNIO'],
  [/^accepted, scheduled$/, () => 'Accettato da GeNIO, in attesa dell\'ora programmata'],
  [/^scheduled time reached$/, () => 'Arrivata l\'ora programmata'],
  [/^attempt (\d+)$/, (m) => `Tentativo n. ${m[1]}`],
  [/^accepted by IO as (.+)$/, (m) => `Accettato da IO con identificativo ${m[1]}`],
  [/^IO: PROCESSED\b/, () => 'Recapitato: il messaggio è nell\'app IO del cittadino'],
  [/^IO: REJECTED\b/, () => 'Rifiutato da IO: il cittadino non usa IO o ha disattivato i messaggi di questo servizio'],
  [/^IO: FAILED\b/, () => 'IO non è riuscito a elaborare il messaggio'],
  [/^cancelled by the ente$/, () => 'Annullato dall\'ente'],
  [/^batch cancelled by the ente$/, () => 'Annullato con l\'invio massivo'],
];

function reasonOf(reason: string | null): { text: string; lang: string | null } {
  if (!reason) return { text: '', lang: null };
  for (const [re, say] of REASONS) {
    const m = re.exec(reason);
    if (m) return { text: say(m), lang: null };
  }
  return { text: reason, lang: 'en' };
}

function statusKind(status: MessageStatus): string {
  if (status === 'delivered') return 'success';
  if (status === 'rejected' || status === 'failed') return 'danger';
  if (status === 'cancelled') return 'secondary';
  return 'primary';
}

/** The part of a message's page that changes while it travels: status, IO data, history, cancel. */
async function statusData(deps: WebDeps, request: FastifyRequest, m: Message) {
  const { ente, role, page } = request.enteScope;
  const history = await getMessageHistory(deps.database.db, ente.id, m.id);
  const final = FINAL_STATUSES.has(m.status);
  const path = entePath(page.ente!, `/messaggi/${m.id}`);
  return {
    status: m.status,
    label: MESSAGE_STATUS_LABELS[m.status],
    kind: statusKind(m.status),
    final,
    pollUrl: final ? null : `${path}/stato?stato=${m.status}&agg=${m.updated_at}`,
    pollSeconds: POLL_SECONDS,
    selfUrl: path,
    cancelUrl: CANCELLABLE_STATUSES.has(m.status) && can(role, 'cancel') ? `${path}/annulla` : null,
    ioMessageId: m.io_message_id,
    attempts: m.attempts,
    lastError: m.last_error,
    sentAt: m.sent_at ? formatWithSeconds(m.sent_at) : null,
    finalAt: m.final_at ? formatWithSeconds(m.final_at) : null,
    history: history.map((h) => ({ at: formatWithSeconds(h.at), label: MESSAGE_STATUS_LABELS[h.status], reason: reasonOf(h.reason) })),
    csrfToken: page.viewer?.csrfToken ?? '',
  };
}

async function sendMessagePage(deps: WebDeps, request: FastifyRequest, reply: FastifyReply, m: Message, opts: Partial<PageOptions> = {}): Promise<FastifyReply> {
  const { ente, page } = request.enteScope;
  const db = deps.database.db;
  const services = await listServices(db, ente.id);
  const service = services.find((s) => s.id === m.service_id);
  const template = m.template_id ? await getTemplate(db, ente.id, m.template_id, m.template_version ?? undefined) : undefined;
  const key = m.api_key_id ? await getApiKey(db, m.api_key_id) : undefined;
  const channel = m.batch_id
    ? { text: `Invio massivo, riga ${m.batch_row ?? '—'} del file`, href: entePath(page.ente!, `/massivo/${m.batch_id}`), linkText: 'Apri l\'invio massivo' }
    : key
      ? { text: `API, con la chiave ${key.prefix}…`, href: null, linkText: null }
      : { text: 'Invio singolo da GeNIO web', href: null, linkText: null };
  return sendPage(reply, page, 'messages-message', { title: 'Messaggio', active: 'messages', ...opts }, {
    id: m.id,
    backUrl: entePath(page.ente!, '/messaggi'),
    service: service ? `${service.name} (${service.code})` : '',
    fiscalCode: m.fiscal_code,
    subject: m.subject,
    reference: m.reference,
    dueDate: m.due_date ? formatItalianDate(new Date(m.due_date)) : null,
    amount: m.amount !== null ? formatEuro(m.amount) : null,
    noticeNumber: m.notice_number,
    scheduledAt: m.scheduled_at ? formatDateTime(m.scheduled_at) : null,
    createdAt: formatWithSeconds(m.created_at),
    channel,
    template: template ? `${template.name}, versione ${template.version}` : null,
    purgedAt: m.purged_at ? formatDateTime(m.purged_at) : null,
    preview: m.purged_at
      ? null
      : previewMessage({
        subject: m.subject,
        markdown: m.markdown,
        dueDate: m.due_date ? formatItalianDate(new Date(m.due_date)) : null,
        amountCents: m.amount,
        noticeNumber: m.notice_number,
      }),
    state: await statusData(deps, request, m),
  });
}

const OUTCOME_NOTICES: Record<string, PageOptions['notice']> = {
  inviato: { kind: 'success', text: 'Messaggio accettato: GeNIO lo invia a IO. Lo stato qui sotto si aggiorna da solo.' },
  'gia-inviato': { kind: 'info', text: 'Questo modulo era già stato inviato: ecco il messaggio di allora, non ne è stato inviato un secondo.' },
  annullato: { kind: 'success', text: 'Invio annullato: il messaggio non verrà inviato a IO.' },
};

export function registerMessagesPages(app: FastifyInstance, deps: WebDeps): void {
  app.get('/messaggi', async (request, reply) => {
    if (!requireAction(request, reply, 'view')) return reply;
    const { ente, page } = request.enteScope;
    const db = deps.database.db;
    const search = readSearch(request.query);
    const services = await listServices(db, ente.id);
    const errors: FieldError[] = [];

    const status = search.stato && (MESSAGE_STATUSES as readonly string[]).includes(search.stato) ? (search.stato as MessageStatus) : undefined;
    if (search.stato && !status) errors.push({ field: 'stato', code: 'invalid_value', message: 'unknown status' });
    const service = search.servizio ? services.find((s) => s.code === search.servizio) : undefined;
    if (search.servizio && !service) errors.push({ field: 'servizio', code: 'unknown_service', message: 'unknown service' });
    let fiscalCode: string | undefined;
    if (search.codice_fiscale) {
      const cf = checkFiscalCode(search.codice_fiscale);
      if (cf.ok) fiscalCode = cf.value;
      else errors.push({ field: 'codice_fiscale', code: cf.code, message: cf.message });
    }
    const bound = (field: 'dal' | 'al'): number | undefined => {
      if (!search[field]) return undefined;
      const at = parseDateBound(normalizeDateCell(search[field]), field === 'al');
      if (at === null) errors.push({ field, code: 'invalid_date', message: 'not a date' });
      return at ?? undefined;
    };
    const createdFrom = bound('dal');
    const createdTo = bound('al');

    const found = errors.length
      ? null
      : await listMessages(db, ente.id, {
        status,
        serviceId: service?.id,
        fiscalCode,
        createdFrom,
        createdTo,
        reference: search.riferimento || undefined,
        batchId: search.lotto || undefined,
        before: MESSAGE_ID.test(search.dopo) ? search.dopo : undefined,
        limit: PAGE_SIZE,
      });
    const names = new Map(services.map((s) => [s.id, s.name]));
    const base = entePath(page.ente!, '/messaggi');
    return sendPage(reply, page, 'messages-list', { title: 'Messaggi', active: 'messages', status: errors.length ? 400 : 200 }, {
      action: base,
      values: search,
      errors: errorsByField(errors, italianError),
      statuses: MESSAGE_STATUSES.map((s) => ({ value: s, label: MESSAGE_STATUS_LABELS[s] })),
      services: services.map((s) => ({ code: s.code, name: s.name })),
      filtered: SEARCH_FIELDS.some((k) => search[k]),
      laterPage: MESSAGE_ID.test(search.dopo),
      firstPageUrl: `${base}${searchQuery(search)}`,
      nextPageUrl: found?.nextBefore ? `${base}${searchQuery(search, { dopo: found.nextBefore })}` : null,
      rows: found?.items.map((m) => ({
        href: `${base}/${m.id}`,
        created: formatDateTime(m.created_at),
        service: names.get(m.service_id) ?? '',
        fiscalCode: m.fiscal_code,
        subject: m.subject,
        status: MESSAGE_STATUS_LABELS[m.status],
        kind: statusKind(m.status),
      })) ?? null,
    });
  });

  app.get('/messaggi/:id', async (request, reply) => {
    if (!requireAction(request, reply, 'view')) return reply;
    const { id } = request.params as { id: string };
    const m = MESSAGE_ID.test(id) ? await getMessage(deps.database.db, request.enteScope.ente.id, id) : undefined;
    if (!m) return sendNotFound(reply, request.enteScope.page);
    const esito = (request.query as Record<string, unknown>).esito;
    return sendMessagePage(deps, request, reply, m, { notice: typeof esito === 'string' ? OUTCOME_NOTICES[esito] ?? null : null });
  });

  // htmx, every few seconds while the outcome is not known: 204 (nothing to swap) until something changed.
  app.get('/messaggi/:id/stato', async (request, reply) => {
    if (!requireAction(request, reply, 'view')) return reply;
    const { id } = request.params as { id: string };
    const m = MESSAGE_ID.test(id) ? await getMessage(deps.database.db, request.enteScope.ente.id, id) : undefined;
    if (!m) return sendNotFound(reply, request.enteScope.page);
    const q = request.query as Record<string, unknown>;
    if (q.stato === m.status && q.agg === String(m.updated_at)) return reply.code(204).send();
    return sendFragment(reply, 'messages-status', { ...(await statusData(deps, request, m)), announce: q.stato !== m.status });
  });

  app.post('/messaggi/:id/annulla', async (request, reply) => {
    if (!requireAction(request, reply, 'cancel')) return reply;
    const { ente, page } = request.enteScope;
    const { id } = request.params as { id: string };
    const db = deps.database.db;
    const current = MESSAGE_ID.test(id) ? await getMessage(db, ente.id, id) : undefined;
    if (!current) return sendNotFound(reply, page);
    const result = await cancelMessageForEnte(db, ente.id, current, deps.clock());
    if (result.kind === 'not_found') return sendNotFound(reply, page);
    if (result.kind === 'too_late') {
      const m = result.message;
      const why = m.status === 'cancelled'
        ? 'Il messaggio era già stato annullato.'
        : `Non è più possibile annullare l'invio: il messaggio è «${MESSAGE_STATUS_LABELS[m.status]}». Una volta passato a IO un messaggio non può essere ritirato.`;
      return sendMessagePage(deps, request, reply, m, { status: 409, notice: { kind: 'warning', text: why } });
    }
    request.log.info({ messageId: id }, 'message cancelled from the web');
    return reply.redirect(entePath(page.ente!, `/messaggi/${id}?esito=annullato`), 303);
  });
}
