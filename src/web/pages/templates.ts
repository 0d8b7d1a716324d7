/**
 * Modelli (manager): the ente's message templates; create, edit (each save is a new version) and
 * delete. The placeholder rows follow the text: one row per `{{name}}` found in the subject and
 * the markdown, refreshed by htmx while typing (or by the "Aggiorna" button without JavaScript),
 * keeping what was chosen for names still present. The rules are the API's (checkTemplateName,
 * checkTemplateDefinition), plus one the form adds: filled with the example values of the live
 * preview, the message must fit IO's limits.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldError } from '../../domain/field-error.ts';
import { MARKDOWN_MAX, MARKDOWN_MIN, SUBJECT_MAX, SUBJECT_MIN } from '../../domain/limits.ts';
import { checkTemplateDefinition, checkTemplateName, PLACEHOLDER_TYPES, placeholdersUsed, type PlaceholderType, type TemplateDefinition } from '../../domain/template.ts';
import { PLACEHOLDER_EXAMPLES, renderExample } from '../../domain/template-example.ts';
import { findServiceByCode, listServices } from '../../store/services.ts';
import { createTemplate, deleteTemplate, getTemplate, listTemplates, updateTemplate, type Template } from '../../store/templates.ts';
import type { WebDeps } from '../deps.ts';
import { requireAction, sendNotFound } from '../ente-scope.ts';
import { italianError } from '../italian-errors.ts';
import { formatDateTime, PLACEHOLDER_TYPE_LABELS } from '../labels.ts';
import { previewMessage, type MessagePreview } from '../message-preview.ts';
import { entePath, errorsByField, sendFragment, sendPage } from '../render.ts';

type Form = Record<string, unknown>;
type Errors = Record<string, string[]>;

/** One placeholder row of the form, as typed (a type may be anything a tampered form sends). */
interface PlaceholderRow {
  name: string;
  type: string;
  required: boolean;
  pattern: string;
  description: string;
}

interface TemplateForm {
  service: string;
  name: string;
  subject: string;
  markdown: string;
  rows: PlaceholderRow[];
}

function field(body: Form, name: string): string {
  const v = body[name];
  if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : '';
  return typeof v === 'string' ? v : '';
}

/** Placeholder names used in the subject, then the markdown, each once. */
function namesIn(subject: string, markdown: string): string[] {
  return [...new Set([...placeholdersUsed(subject), ...placeholdersUsed(markdown)])];
}

/**
 * The form as posted, with one row per placeholder the text uses now: a row's choices are kept
 * when its name is still used, a new name starts as required text. `posted` lists the names of
 * the rows the form carried, to tell whether they still match the text.
 */
function readForm(body: Form): { form: TemplateForm; posted: string[] } {
  const byName = new Map<string, PlaceholderRow>();
  const posted: string[] = [];
  const indexes = Object.keys(body).map((k) => /^ph_name_(\d{1,3})$/.exec(k)?.[1]).filter((i): i is string => i !== undefined).sort((a, b) => Number(a) - Number(b));
  for (const i of indexes) {
    const name = field(body, `ph_name_${i}`);
    posted.push(name);
    byName.set(name, {
      name,
      type: field(body, `ph_type_${i}`),
      required: field(body, `ph_required_${i}`) === 'on',
      pattern: field(body, `ph_pattern_${i}`),
      description: field(body, `ph_description_${i}`),
    });
  }
  const subject = field(body, 'subject');
  const markdown = field(body, 'markdown');
  const rows = namesIn(subject, markdown).map((name) => byName.get(name) ?? { name, type: 'text', required: true, pattern: '', description: '' });
  return { form: { service: field(body, 'service').trim(), name: field(body, 'name'), subject, markdown, rows }, posted };
}

function formOf(t: Template, serviceCode: string): TemplateForm {
  return {
    service: serviceCode,
    name: t.name,
    subject: t.definition.subject,
    markdown: t.definition.markdown,
    // In the order the text uses them, as rows are after any refresh (the API may have declared them in another).
    rows: namesIn(t.definition.subject, t.definition.markdown)
      .map((name) => t.definition.placeholders.find((p) => p.name === name))
      .filter((p) => p !== undefined)
      .map((p) => ({ name: p.name, type: p.type, required: p.required, pattern: p.pattern ?? '', description: p.description ?? '' })),
  };
}

/** Whether the rows a form carried are still those of its text (in any order). */
function sameNames(posted: string[], form: TemplateForm): boolean {
  const now = form.rows.map((r) => r.name);
  return posted.length === now.length && [...posted].sort().join('\n') === [...now].sort().join('\n');
}

function definitionInput(form: TemplateForm) {
  return {
    subject: form.subject,
    markdown: form.markdown,
    placeholders: form.rows.map((r) => ({ name: r.name, type: r.type, required: r.required, pattern: r.pattern, description: r.description })),
  };
}

const isType = (t: string): t is PlaceholderType => (PLACEHOLDER_TYPES as readonly string[]).includes(t);

/**
 * The message filled with example values, and what IO would refuse in it, in Italian, by field.
 * Lengths only: the examples are valid values of each type, and patterns are not applied.
 */
function example(form: TemplateForm): { preview: MessagePreview; problems: Errors } {
  const def: TemplateDefinition = {
    subject: form.subject,
    markdown: form.markdown,
    placeholders: form.rows.map((r) => ({ name: r.name, type: isType(r.type) ? r.type : 'text', required: false, pattern: null, description: null })),
  };
  const rendered = renderExample(def);
  const text = rendered.ok ? rendered : (rendered.filled ?? { subject: form.subject, markdown: form.markdown });
  const problems: Errors = {};
  if (!rendered.ok) {
    for (const e of rendered.errors) {
      const what = e.field === 'subject' ? { label: "l'oggetto", length: text.subject.length, min: SUBJECT_MIN, max: SUBJECT_MAX } : { label: 'il testo', length: text.markdown.length, min: MARKDOWN_MIN, max: MARKDOWN_MAX };
      if (e.code === 'too_short') (problems[e.field] ??= []).push(`Con i valori di esempio ${what.label} ha ${what.length} caratteri: IO ne richiede almeno ${what.min}.`);
      if (e.code === 'too_long') (problems[e.field] ??= []).push(`Con i valori di esempio ${what.label} ha ${what.length.toLocaleString('it-IT')} caratteri: IO ne accetta al massimo ${what.max.toLocaleString('it-IT')}.`);
    }
  }
  return { preview: previewMessage(text), problems };
}

/** Element ids of the form's fields, for error links and aria-describedby. */
function fieldId(f: string): string {
  const fixed: Record<string, string> = { service: 'modello-servizio', name: 'modello-nome', subject: 'modello-oggetto', markdown: 'modello-testo', placeholders: 'segnaposto', _form: 'modello-form', confirm: 'conferma-eliminazione' };
  if (fixed[f]) return fixed[f];
  const m = /^placeholders\[(\d+)\]\.(name|type|required|pattern|description)$/.exec(f);
  if (!m) return 'modello-form';
  const part = { name: 'nome', type: 'tipo', required: 'obbligatorio', pattern: 'schema', description: 'descrizione' }[m[2]];
  return `ph-${m[1]}-${part}`;
}

const FIELD_ORDER = ['_form', 'service', 'name', 'subject', 'markdown', 'placeholders'];

function summaryOf(errors: Errors): Array<{ href: string; text: string }> {
  const rank = (f: string) => (FIELD_ORDER.includes(f) ? FIELD_ORDER.indexOf(f) : FIELD_ORDER.length);
  return Object.keys(errors)
    .sort((a, b) => rank(a) - rank(b))
    .flatMap((f) => errors[f].map((text) => ({ href: `#${fieldId(f)}`, text })));
}

function rowsData(form: TemplateForm, errors: Errors) {
  return {
    rows: form.rows.map((r, i) => ({ ...r, i, example: isType(r.type) ? PLACEHOLDER_EXAMPLES[r.type] : PLACEHOLDER_EXAMPLES.text })),
    types: PLACEHOLDER_TYPES.map((t) => ({ value: t, label: PLACEHOLDER_TYPE_LABELS[t] })),
    errors,
  };
}

function previewData(form: TemplateForm) {
  const { preview, problems } = example(form);
  const written = form.subject.trim() !== '' || form.markdown.trim() !== '';
  return {
    preview,
    problems: written ? Object.values(problems).flat() : [],
    examples: form.rows.map((r) => ({ name: r.name, value: isType(r.type) ? PLACEHOLDER_EXAMPLES[r.type] : PLACEHOLDER_EXAMPLES.text })),
  };
}

export function registerTemplatePages(app: FastifyInstance, deps: WebDeps): void {
  const db = deps.database.db;

  async function sendForm(
    request: FastifyRequest,
    reply: FastifyReply,
    form: TemplateForm,
    opts: { template?: Template; errors?: Errors; notice?: { kind: 'success' | 'info'; text: string } | null; deleteError?: string } = {},
  ) {
    const { ente, page } = request.enteScope;
    const services = await listServices(db, ente.id);
    const t = opts.template;
    const errors = opts.errors ?? {};
    const deleteErrors: Errors = opts.deleteError ? { confirm: [opts.deleteError] } : {};
    const bad = Object.keys(errors).length > 0 || opts.deleteError !== undefined;
    const base = entePath(page.ente!, '/modelli');
    return sendPage(reply, page, 'templates-form', {
      title: t ? `Modello «${t.name}»` : 'Nuovo modello',
      active: 'templates',
      status: bad ? 400 : 200,
      notice: opts.notice ?? null,
    }, {
      form,
      deleteErrors,
      summary: summaryOf({ ...errors, ...deleteErrors }),
      ...rowsData(form, errors),
      ...previewData(form),
      services: services.map((s) => ({ code: s.code, name: s.name })),
      serviceName: t ? (services.find((s) => s.id === t.serviceId)?.name ?? '') : null,
      template: t ? { id: t.id, name: t.name, version: t.version, updated: formatDateTime(t.updatedAt), created: formatDateTime(t.createdAt) } : null,
      action: t ? `${base}/${t.id}` : `${base}/nuovo`,
      deleteAction: t ? `${base}/${t.id}/elimina` : null,
      sampleHref: t ? `${base}/${t.id}/esempio.csv` : null,
      rowsAction: `${base}/segnaposto`,
      previewAction: `${base}/anteprima`,
      listHref: base,
    });
  }

  /** Checks the form as the API checks a body, plus the example rendering; errors by field, in Italian. */
  function check(form: TemplateForm, posted: string[], errors: FieldError[]): { name?: string; definition?: TemplateDefinition; errors: Errors } {
    const name = checkTemplateName(errors, form.name);
    const def = checkTemplateDefinition(definitionInput(form));
    if (!def.ok) errors.push(...def.errors);
    const byField = errorsByField(errors, italianError);
    if (!sameNames(posted, form)) {
      (byField._form ??= []).push('I segnaposto sono cambiati con il testo: controlla tipo e obbligatorietà di quelli nuovi, poi salva di nuovo.');
    }
    // Lengths with example values are a warning in the preview, not a refusal: real values may be
    // longer or shorter, and IO's limits are checked on each message after rendering (as the API does).
    return { name, definition: def.ok ? def.value : undefined, errors: byField };
  }

  const updatedNotice = { kind: 'info' as const, text: 'Segnaposto e anteprima aggiornati. Il modello non è ancora salvato.' };

  async function templateOf(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): Promise<Template | undefined> {
    const t = await getTemplate(db, request.enteScope.ente.id, request.params.id);
    if (!t) sendNotFound(reply, request.enteScope.page);
    return t;
  }

  app.get('/modelli', async (request: FastifyRequest<{ Querystring: { eliminato?: string } }>, reply) => {
    if (!requireAction(request, reply, 'manage_templates')) return;
    const { ente, page } = request.enteScope;
    const [templates, services] = await Promise.all([listTemplates(db, ente.id, null), listServices(db, ente.id)]);
    const names = new Map(services.map((s) => [s.id, s.name]));
    const notice = request.query.eliminato !== undefined ? { kind: 'success' as const, text: 'Modello eliminato. I messaggi già inviati con questo modello ne conservano la versione.' } : null;
    return sendPage(reply, page, 'templates', { title: 'Modelli', active: 'templates', notice }, {
      templates: templates.map((t) => ({
        href: entePath(page.ente!, `/modelli/${t.id}`),
        name: t.name,
        service: names.get(t.serviceId) ?? '',
        version: t.version,
        placeholders: t.definition.placeholders.map((p) => p.name),
        updated: formatDateTime(t.updatedAt),
      })),
      newHref: entePath(page.ente!, '/modelli/nuovo'),
    });
  });

  app.get('/modelli/nuovo', async (request, reply) => {
    if (!requireAction(request, reply, 'manage_templates')) return;
    return sendForm(request, reply, { service: '', name: '', subject: '', markdown: '', rows: [] });
  });

  app.post('/modelli/nuovo', async (request, reply) => {
    if (!requireAction(request, reply, 'manage_templates')) return;
    const { ente, page } = request.enteScope;
    const body = (request.body ?? {}) as Form;
    const { form, posted } = readForm(body);
    if (field(body, 'azione') === 'aggiorna') return sendForm(request, reply, form, { notice: updatedNotice });
    const errors: FieldError[] = [];
    const service = form.service ? await findServiceByCode(db, ente.id, form.service) : undefined;
    if (!service) errors.push({ field: 'service', code: form.service ? 'unknown_service' : 'required', message: 'choose a service of the ente' });
    const checked = check(form, posted, errors);
    if (!service || !checked.name || !checked.definition || Object.keys(checked.errors).length) return sendForm(request, reply, form, { errors: checked.errors });
    const t = await createTemplate(db, { enteId: ente.id, serviceId: service.id, name: checked.name, definition: checked.definition }, deps.clock());
    request.log.info({ templateId: t.id, userId: request.webSession?.user_id }, 'template created from the web UI');
    return reply.redirect(entePath(page.ente!, `/modelli/${t.id}?salvata=${t.version}`), 303);
  });

  // htmx: the placeholder rows for the text as it is now; 204 (nothing to swap) when the names did not change.
  app.post('/modelli/segnaposto', async (request, reply) => {
    if (!requireAction(request, reply, 'manage_templates')) return;
    const { form, posted } = readForm((request.body ?? {}) as Form);
    if (sameNames(posted, form)) return reply.code(204).send();
    return sendFragment(reply, 'templates-rows', { ...rowsData(form, {}), oob: true });
  });

  // htmx: the live preview.
  app.post('/modelli/anteprima', async (request, reply) => {
    if (!requireAction(request, reply, 'manage_templates')) return;
    const { form } = readForm((request.body ?? {}) as Form);
    return sendFragment(reply, 'templates-preview', previewData(form));
  });

  app.get('/modelli/:id', async (request: FastifyRequest<{ Params: { id: string }; Querystring: { salvata?: string } }>, reply) => {
    if (!requireAction(request, reply, 'manage_templates')) return;
    const t = await templateOf(request, reply);
    if (!t) return;
    const services = await listServices(db, request.enteScope.ente.id);
    const saved = Number(request.query.salvata);
    const notice = Number.isInteger(saved) && saved >= 1 && saved <= t.version ? { kind: 'success' as const, text: `Versione ${saved} salvata.` } : null;
    return sendForm(request, reply, formOf(t, services.find((s) => s.id === t.serviceId)?.code ?? ''), { template: t, notice });
  });

  app.post('/modelli/:id', async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
    if (!requireAction(request, reply, 'manage_templates')) return;
    const t = await templateOf(request, reply);
    if (!t) return;
    const { ente, page } = request.enteScope;
    const { form, posted } = readForm((request.body ?? {}) as Form);
    form.service = '';
    if (field((request.body ?? {}) as Form, 'azione') === 'aggiorna') return sendForm(request, reply, form, { template: t, notice: updatedNotice });
    const checked = check(form, posted, []);
    if (!checked.name || !checked.definition || Object.keys(checked.errors).length) return sendForm(request, reply, form, { template: t, errors: checked.errors });
    const updated = await updateTemplate(db, ente.id, t.id, { name: checked.name, definition: checked.definition }, deps.clock());
    if (!updated) return sendNotFound(reply, page);
    request.log.info({ templateId: t.id, version: updated.version, userId: request.webSession?.user_id }, 'template edited from the web UI');
    return reply.redirect(entePath(page.ente!, `/modelli/${t.id}?salvata=${updated.version}`), 303);
  });

  app.post('/modelli/:id/elimina', async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
    if (!requireAction(request, reply, 'manage_templates')) return;
    const t = await templateOf(request, reply);
    if (!t) return;
    const { ente, page } = request.enteScope;
    if (field((request.body ?? {}) as Form, 'conferma') !== 'on') {
      const services = await listServices(db, ente.id);
      return sendForm(request, reply, formOf(t, services.find((s) => s.id === t.serviceId)?.code ?? ''), { template: t, deleteError: 'Spunta la casella per confermare l\'eliminazione.' });
    }
    if (!(await deleteTemplate(db, ente.id, t.id, deps.clock()))) return sendNotFound(reply, page);
    request.log.info({ templateId: t.id, userId: request.webSession?.user_id }, 'template deleted from the web UI');
    return reply.redirect(entePath(page.ente!, '/modelli?eliminato=1'), 303);
  });
}
