/**
 * The Invio singolo form: its fields as typed, turned into the API's request shape (so that
 * `checkMessageRequest` checks it exactly as it checks POST /api/v1/messages), and the live
 * preview of what the citizen will read while the form is still being filled.
 */
import crypto from 'node:crypto';
import { normalizeDateCell, parseEuroAmount } from '../../domain/cell-values.ts';
import { parseDueDate } from '../../domain/due-date.ts';
import type { FieldError } from '../../domain/field-error.ts';
import { formatItalianDate } from '../../domain/italian-format.ts';
import { renderTemplate } from '../../domain/render-template.ts';
import { splitPlaceholders, type PlaceholderType, type TemplateDefinition } from '../../domain/template.ts';
import type { Template } from '../../store/templates.ts';
import { previewMessage, type MessagePreview } from '../message-preview.ts';

/** The form's fields exactly as typed (strings), kept to show the form again. */
export interface SendFormValues {
  service: string;
  fiscal_code: string;
  template: string;
  subject: string;
  markdown: string;
  /** Placeholder values by placeholder name (inputs `data.<name>`). */
  data: Record<string, string>;
  due_date: string;
  amount: string;
  notice_number: string;
  reference: string;
  scheduled_at: string;
  /** One-time token of this form: the Idempotency-Key of what it sends. */
  token: string;
}

const FORM_TOKEN = /^[0-9a-f]{32}$/;

export function newFormToken(): string {
  return crypto.randomBytes(16).toString('hex');
}

export function emptySendForm(service = ''): SendFormValues {
  return { service, fiscal_code: '', template: '', subject: '', markdown: '', data: {}, due_date: '', amount: '', notice_number: '', reference: '', scheduled_at: '', token: newFormToken() };
}

function text(v: unknown): string {
  if (Array.isArray(v)) return text(v[0]);
  return typeof v === 'string' ? v : '';
}

/** Reads a posted form (urlencoded, already parsed); unknown fields are ignored. */
export function readSendForm(body: unknown): SendFormValues {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(b)) if (k.startsWith('data.')) data[k.slice(5)] = text(v);
  const token = text(b.token);
  return {
    service: text(b.service),
    fiscal_code: text(b.fiscal_code),
    template: text(b.template),
    subject: text(b.subject),
    // Browsers send CRLF line ends; IO counts characters, and the citizen's app shows LF.
    markdown: text(b.markdown).replace(/\r\n?/g, '\n'),
    data,
    due_date: text(b.due_date),
    amount: text(b.amount),
    notice_number: text(b.notice_number),
    reference: text(b.reference),
    scheduled_at: text(b.scheduled_at),
    token: FORM_TOKEN.test(token) ? token : newFormToken(),
  };
}

/** A notice number as printed on paper, in groups of digits: the spaces are not part of it. */
function noticeNumberOf(raw: string): string {
  return raw.replace(/\s+/g, '');
}

/**
 * The request the API would receive for this form: `{template, data}` when a template is chosen,
 * else `subject` and `markdown`; dates as typed in Italy (`31/12/2026`) or as date inputs send
 * them (`2026-12-31`); the amount in euro as typed, read into cents. `errors` holds what could
 * not be read (an amount like `12,345`): the request then lacks that value, and its own
 * "required" error for it is dropped in favour of the reading error by `mergeErrors`.
 */
export function toMessageRequest(v: SendFormValues, template: Template | undefined): { body: Record<string, unknown>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const body: Record<string, unknown> = { service: v.service, fiscal_code: v.fiscal_code };
  if (v.template) {
    body.template = v.template;
    body.data = Object.fromEntries((template?.definition.placeholders ?? []).map((p) => [p.name, v.data[p.name] ?? '']));
  } else {
    body.subject = v.subject;
    body.markdown = v.markdown;
  }
  if (v.due_date.trim()) body.due_date = normalizeDateCell(v.due_date);
  if (v.scheduled_at.trim()) body.scheduled_at = normalizeDateCell(v.scheduled_at);
  if (v.amount.trim() || v.notice_number.trim()) {
    const payment: Record<string, unknown> = {};
    if (v.amount.trim()) {
      const cents = parseEuroAmount(v.amount);
      if (cents.ok) payment.amount = cents.value;
      else errors.push({ field: 'payment_data.amount', code: cents.code, message: cents.message });
    }
    if (v.notice_number.trim()) payment.notice_number = noticeNumberOf(v.notice_number);
    body.payment_data = payment;
  }
  if (v.reference.trim()) body.reference = v.reference.trim();
  return { body, errors };
}

/** The form's own reading errors, then the request's, without a second error for the same field. */
export function mergeErrors(reading: FieldError[], checked: FieldError[]): FieldError[] {
  const read = new Set(reading.map((e) => e.field));
  return [...reading, ...checked.filter((e) => !read.has(e.field))];
}

/** The hash stored with the form's token: the same form sent twice is the same request. */
export function requestHash(body: Record<string, unknown>): string {
  return crypto.createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/** What to type in a placeholder's input, by its type. */
export const PLACEHOLDER_HINTS: Readonly<Record<PlaceholderType, string>> = {
  text: 'Testo.',
  date: 'Data, ad esempio 31/12/2026.',
  amount: 'Importo in euro, ad esempio 1.234,56.',
  fiscal_code: 'Codice fiscale di 16 caratteri.',
  notice_number: 'Codice avviso pagoPA di 18 cifre.',
  number: 'Numero, ad esempio 12 oppure 1.234,5.',
};

/**
 * The template's text with the values typed so far: a value still missing or not valid shows as
 * `[name]`, so the person sees where it will go. Lengths are not enforced here: the preview's
 * counters show them.
 */
export function draftFromTemplate(def: TemplateDefinition, data: Record<string, string>): { subject: string; markdown: string } {
  const first = renderTemplate(def, data);
  if (first.ok) return first;
  if (first.filled) return first.filled;
  const invalid = new Set(first.errors.filter((e) => e.field.startsWith('data.')).map((e) => e.field.slice(5)));
  const mark = (t: string): string => {
    const { literals, names } = splitPlaceholders(t);
    return literals.reduce((out, lit, i) => out + lit + (i < names.length ? (invalid.has(names[i]) ? `[${names[i]}]` : `{{${names[i]}}}`) : ''), '');
  };
  const rest = {
    subject: mark(def.subject),
    markdown: mark(def.markdown),
    placeholders: def.placeholders.filter((p) => !invalid.has(p.name)),
  };
  const second = renderTemplate(rest, Object.fromEntries(Object.entries(data).filter(([k]) => !invalid.has(k))));
  if (second.ok) return second;
  return second.filled ?? { subject: rest.subject, markdown: rest.markdown };
}

/** The preview of the form as it is now (a template rendered with the values typed so far). */
export function previewOfForm(v: SendFormValues, template: Template | undefined): MessagePreview {
  const text = template
    ? draftFromTemplate(template.definition, Object.fromEntries(template.definition.placeholders.map((p) => [p.name, v.data[p.name] ?? ''])))
    : { subject: v.subject, markdown: v.markdown };
  const due = v.due_date.trim() ? parseDueDate(normalizeDateCell(v.due_date)) : null;
  const cents = v.amount.trim() ? parseEuroAmount(v.amount) : null;
  return previewMessage({
    subject: text.subject,
    markdown: text.markdown,
    dueDate: due?.ok ? formatItalianDate(due.value) : null,
    amountCents: cents?.ok ? cents.value : null,
    noticeNumber: v.notice_number.trim() ? noticeNumberOf(v.notice_number) : null,
  });
}
