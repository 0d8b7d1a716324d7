/**
 * Invio singolo: one message to one citizen, typed or from a template, with a live preview. The
 * form is checked by the same code as POST /api/v1/messages (`checkMessageRequest`) and stored
 * with `acceptMessage`; its one-time token is the Idempotency-Key, so a double click or a form
 * sent again gives the first message, never a second one.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkFiscalCode } from '../../domain/fiscal-code.ts';
import type { FieldError } from '../../domain/field-error.ts';
import { acceptMessage } from '../../store/messages/accept.ts';
import { checkMessageRequest } from '../../store/messages/message-request.ts';
import { listServices, type Service } from '../../store/services.ts';
import { listTemplates, type Template } from '../../store/templates.ts';
import type { WebDeps } from '../deps.ts';
import { requireAction } from '../ente-scope.ts';
import { italianError } from '../italian-errors.ts';
import { entePath, errorsByField, sendFragment, sendPage, type PageOptions } from '../render.ts';
import {
  emptySendForm, mergeErrors, newFormToken, PLACEHOLDER_HINTS, previewOfForm, readSendForm, requestHash, toMessageRequest, type SendFormValues,
} from './send-form.ts';

/** Labels of the fields, for the error summary at the top of the form (and its links). */
const FIELDS: Record<string, { id: string; label: string }> = {
  service: { id: 'servizio', label: 'Servizio' },
  fiscal_code: { id: 'codice-fiscale', label: 'Codice fiscale del destinatario' },
  template: { id: 'modello', label: 'Modello' },
  subject: { id: 'oggetto', label: 'Oggetto' },
  markdown: { id: 'testo', label: 'Testo' },
  due_date: { id: 'scadenza', label: 'Scadenza' },
  'payment_data.amount': { id: 'importo', label: 'Importo' },
  'payment_data.notice_number': { id: 'codice-avviso', label: 'Codice avviso' },
  reference: { id: 'riferimento', label: 'Riferimento' },
  scheduled_at: { id: 'invio-programmato', label: 'Invio programmato' },
};

/** Id of a placeholder's input. */
const dataId = (name: string): string => `dato-${name}`;

interface FormContext {
  services: Service[];
  templates: Template[];
}

async function formContext(deps: WebDeps, enteId: string): Promise<FormContext> {
  const db = deps.database.db;
  const [services, templates] = await Promise.all([listServices(db, enteId), listTemplates(db, enteId, null)]);
  return { services, templates };
}

function chosenTemplate(ctx: FormContext, v: SendFormValues): Template | undefined {
  return v.template ? ctx.templates.find((t) => t.id === v.template) : undefined;
}

/** What the content part of the form (typed text, or a template's fields) needs. */
function contentData(ctx: FormContext, v: SendFormValues, errors: Record<string, string[]>) {
  const template = chosenTemplate(ctx, v);
  return {
    values: v,
    errors,
    template: template && {
      name: template.name,
      version: template.version,
      placeholders: template.definition.placeholders.map((p) => ({
        name: p.name,
        field: `data.${p.name}`,
        id: dataId(p.name),
        required: p.required,
        description: p.description,
        hint: PLACEHOLDER_HINTS[p.type] ?? '',
        type: p.type,
        value: v.data[p.name] ?? '',
      })),
    },
  };
}

function summaryOf(errors: FieldError[], templated: boolean): Array<{ href: string; text: string }> {
  return errors.map((e) => {
    // With a template, the subject and text are its rendering: their errors point at the template.
    const known = templated && (e.field === 'subject' || e.field === 'markdown') ? FIELDS.template : FIELDS[e.field];
    const id = known?.id ?? (e.field.startsWith('data.') ? dataId(e.field.slice(5)) : 'modulo-invio');
    const label = known?.label ?? (e.field.startsWith('data.') ? e.field.slice(5) : 'Modulo');
    return { href: `#${id}`, text: `${label}: ${italianError(e)}` };
  });
}

function sendForm(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: FormContext,
  v: SendFormValues,
  errors: FieldError[],
  opts: Partial<PageOptions> = {},
  firstMessage?: string,
): FastifyReply {
  const { page } = request.enteScope;
  const byField = errorsByField(errors, italianError);
  const names = new Map(ctx.services.map((s) => [s.id, s.name]));
  return sendPage(reply, page, 'send', { title: 'Invio singolo', active: 'send', status: errors.length ? 400 : 200, ...opts }, {
    action: entePath(page.ente!, '/invio'),
    values: v,
    errors: byField,
    summary: summaryOf(errors, !!v.template),
    services: ctx.services.map((s) => ({ code: s.code, name: s.name })),
    templateGroups: ctx.services
      .map((s) => ({ service: names.get(s.id) ?? s.code, templates: ctx.templates.filter((t) => t.serviceId === s.id).map((t) => ({ id: t.id, name: t.name })) }))
      .filter((g) => g.templates.length),
    content: contentData(ctx, v, byField),
    preview: previewOfForm(v, chosenTemplate(ctx, v)),
    firstMessage: firstMessage && entePath(page.ente!, `/messaggi/${firstMessage}`),
  });
}

export function registerSendPage(app: FastifyInstance, deps: WebDeps): void {
  app.get('/invio', async (request, reply) => {
    if (!requireAction(request, reply, 'send')) return reply;
    const ctx = await formContext(deps, request.enteScope.ente.id);
    return sendForm(request, reply, ctx, emptySendForm(ctx.services.length === 1 ? ctx.services[0].code : ''), []);
  });

  app.post('/invio', async (request, reply) => {
    if (!requireAction(request, reply, 'send')) return reply;
    const { ente } = request.enteScope;
    const db = deps.database.db;
    const ctx = await formContext(deps, ente.id);
    const v = readSendForm(request.body);
    const action = (request.body as Record<string, unknown> | undefined)?.azione;
    // "Usa questo modello" and "Aggiorna anteprima" without JavaScript: the form again, nothing sent.
    if (action === 'modello' || action === 'anteprima') return sendForm(request, reply, ctx, v, []);

    const template = chosenTemplate(ctx, v);
    const { body, errors: reading } = toMessageRequest(v, template);
    const now = deps.clock();
    const checked = await checkMessageRequest(db, { enteId: ente.id }, body, now);
    const errors = mergeErrors(reading, checked.ok ? [] : checked.errors);
    if (errors.length || !checked.ok) return sendForm(request, reply, ctx, v, errors);

    const result = await acceptMessage(db, {
      enteId: ente.id,
      service: checked.service,
      apiKey: null,
      userId: request.webSession!.user_id,
      message: checked.message,
      // A person is waiting at the desk: ahead of API traffic and bulk rows.
      priority: 0,
      template: checked.template,
      idempotency: { key: `web-${v.token}`, requestHash: requestHash(body) },
    }, now);
    if (result.kind === 'conflict') {
      // The same form was sent before with other values (back button, edited, sent again).
      return sendForm(request, reply, ctx, { ...v, token: newFormToken() }, [], {
        status: 409,
        notice: { kind: 'warning', text: 'Questo modulo era già stato usato per inviare un messaggio. Controlla i dati e premi di nuovo «Invia il messaggio» per inviarne un altro.' },
      }, result.messageId);
    }
    if (result.kind === 'created') {
      deps.onAccepted();
      request.log.info({ messageId: result.message.id, service: checked.service.code, status: result.message.status }, 'message accepted from the web');
    }
    return reply.redirect(entePath(request.enteScope.page.ente!, `/messaggi/${result.message.id}?esito=${result.kind === 'created' ? 'inviato' : 'gia-inviato'}`), 303);
  });

  // htmx: the preview as the form is now.
  app.post('/invio/anteprima', async (request, reply) => {
    if (!requireAction(request, reply, 'send')) return reply;
    const ctx = await formContext(deps, request.enteScope.ente.id);
    const v = readSendForm(request.body);
    return sendFragment(reply, 'partials/message-preview', { preview: previewOfForm(v, chosenTemplate(ctx, v)) });
  });

  // htmx: the content fields for the template chosen (or subject and text for none).
  app.post('/invio/modello', async (request, reply) => {
    if (!requireAction(request, reply, 'send')) return reply;
    const ctx = await formContext(deps, request.enteScope.ente.id);
    return sendFragment(reply, 'send-content', contentData(ctx, readSendForm(request.body), {}));
  });

  // htmx: the fiscal code checked as soon as the field is left.
  app.post('/invio/codice-fiscale', async (request, reply) => {
    if (!requireAction(request, reply, 'send')) return reply;
    const raw = readSendForm(request.body).fiscal_code;
    if (!raw.trim()) return sendFragment(reply, 'send-fiscal-code', { ok: false, message: '' });
    const checked = checkFiscalCode(raw);
    return sendFragment(reply, 'send-fiscal-code', checked.ok
      ? { ok: true, message: 'Codice fiscale corretto.' }
      : { ok: false, message: italianError({ field: 'fiscal_code', code: checked.code, message: checked.message }) });
  });
}
