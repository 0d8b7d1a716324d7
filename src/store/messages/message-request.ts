/**
 * One message request checked the same way whoever sends it (POST /api/v1/messages, the web's
 * Invio singolo): the service by its code, `{template, data}` rendered from the template's current
 * version, then every rule of `validateMessageInput`. All errors come back together.
 */
import type { Kysely } from 'kysely';
import type { FieldError } from '../../domain/field-error.ts';
import { AMOUNT_MAX } from '../../domain/limits.ts';
import { validateMessageInput, type ValidMessage } from '../../domain/message-input.ts';
import { renderTemplate } from '../../domain/render-template.ts';
import type { Schema } from '../schema.ts';
import { findServiceByCode, type Service } from '../services.ts';
import { getTemplate } from '../templates.ts';

export interface RequestScope {
  enteId: string;
  /** Services the sender may use (an API key restricted to some); absent: all of the ente's. */
  mayUseService?: (serviceId: string) => boolean;
  /** Who is sending, in error messages: "this API key has no service …". */
  holder?: string;
}

export type CheckedRequest =
  | { ok: true; service: Service; message: ValidMessage; template: { id: string; version: number } | undefined }
  | { ok: false; errors: FieldError[] };

/**
 * `{template, data}` instead of `subject` and `markdown`: renders the template's current version.
 * Returns the body with the rendered text, or undefined when no template was asked for (or it
 * could not be rendered: the errors are added).
 */
async function renderFromTemplate(
  db: Kysely<Schema>,
  scope: Required<RequestScope>,
  body: Record<string, unknown>,
  service: Service | undefined,
  errors: FieldError[],
): Promise<{ input: Record<string, unknown>; template: { id: string; version: number } } | undefined> {
  if (body.template === undefined) {
    if (body.data !== undefined) errors.push({ field: 'data', code: 'template_required', message: 'data fills a template: give `template` too' });
    return undefined;
  }
  for (const field of ['subject', 'markdown'] as const) {
    if (body[field] !== undefined) errors.push({ field, code: 'not_with_template', message: `give either template and data, or ${field}: the template renders it` });
  }
  const found = typeof body.template === 'string' ? await getTemplate(db, scope.enteId, body.template) : undefined;
  const t = found && scope.mayUseService(found.serviceId) ? found : undefined;
  if (!t) {
    errors.push({ field: 'template', code: 'unknown_template', message: `${scope.holder} has no template "${String(body.template)}"` });
    return undefined;
  }
  if (service && t.serviceId !== service.id) {
    errors.push({ field: 'template', code: 'other_service', message: `template ${t.id} belongs to another service` });
    return undefined;
  }
  const data = body.data ?? {};
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    errors.push({ field: 'data', code: 'type', message: 'data must be an object of placeholder values' });
    return undefined;
  }
  const rendered = renderTemplate(t.definition, data as Record<string, unknown>);
  if (!rendered.ok) {
    errors.push(...rendered.errors);
    return undefined;
  }
  return { input: { ...body, subject: rendered.subject, markdown: rendered.markdown }, template: { id: t.id, version: t.version } };
}

/**
 * Checks a message request with the API's JSON field names (`service` is the service's code).
 * `now` decides whether `scheduled_at` is in the past.
 */
export async function checkMessageRequest(db: Kysely<Schema>, scopeIn: RequestScope, body: Record<string, unknown>, now: number): Promise<CheckedRequest> {
  const scope: Required<RequestScope> = { mayUseService: () => true, holder: 'this ente', ...scopeIn };
  const errors: FieldError[] = [];
  let service: Service | undefined;
  if (typeof body.service !== 'string' || !body.service.trim()) {
    errors.push({ field: 'service', code: body.service === undefined ? 'required' : 'type', message: "service is required: the service's code" });
  } else {
    service = await findServiceByCode(db, scope.enteId, body.service.trim());
    if (service && !scope.mayUseService(service.id)) service = undefined;
    if (!service) errors.push({ field: 'service', code: 'unknown_service', message: `${scope.holder} has no service "${body.service}"` });
  }
  const templated = await renderFromTemplate(db, scope, body, service, errors);
  const checked = validateMessageInput(templated?.input ?? body, { now: new Date(now), maxPaymentAmount: service?.max_payment_amount ?? AMOUNT_MAX });
  // A template that could not be rendered already said why: no "subject is required" on top.
  if (!checked.ok) errors.push(...checked.errors.filter((e) => templated || body.template === undefined || (e.field !== 'subject' && e.field !== 'markdown')));
  if (errors.length || !checked.ok || !service) return { ok: false, errors };
  return { ok: true, service, message: checked.value, template: templated?.template };
}
