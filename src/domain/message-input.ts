import { isAbsent, jsonType } from './json-value.ts';
import { parseDateTime, parseDueDate, toIoTimestamp } from './due-date.ts';
import type { Check, FieldError } from './field-error.ts';
import { checkFiscalCode } from './fiscal-code.ts';
import {
  AMOUNT_MAX,
  AMOUNT_MIN,
  MARKDOWN_MAX,
  MARKDOWN_MIN,
  REFERENCE_MAX,
  SUBJECT_MAX,
  SUBJECT_MIN,
} from './limits.ts';
import { checkNoticeNumber } from './notice-number.ts';
import { checkOrganizationFiscalCode } from './organization-fiscal-code.ts';

/**
 * A message request exactly as received, with the API's JSON field names. Every field is
 * `unknown` because the same validator serves JSON bodies, CSV rows and web forms, and none of
 * them can be trusted to carry the right types.
 * `payment_data` is expected as `{amount, notice_number, invalid_after_due_date?, payee_fiscal_code?}`.
 */
export interface MessageInput {
  fiscal_code?: unknown;
  subject?: unknown;
  markdown?: unknown;
  due_date?: unknown;
  payment_data?: unknown;
  scheduled_at?: unknown;
  reference?: unknown;
}

/** A message that IO will accept as far as GeNIO can tell, normalized for storage and sending. */
export interface ValidMessage {
  fiscalCode: string;
  subject: string;
  markdown: string;
  dueDate: Date | null;
  payment: {
    amount: number;
    noticeNumber: string;
    invalidAfterDueDate: boolean;
    payeeFiscalCode: string | null;
  } | null;
  scheduledAt: Date | null;
  reference: string | null;
}

/**
 * Context the rules depend on. `now` is passed in so validation stays pure and testable;
 * `maxPaymentAmount` is the sending service's `max_allowed_payment_amount` in cents (0 means the
 * service is not enabled for payments), since IO refuses larger amounts with a 400 (FACTS.md §3).
 */
export interface MessageRules {
  now: Date;
  maxPaymentAmount: number;
}

/** How far in the past `scheduled_at` may be, to absorb clock skew and form-filling time. */
const SCHEDULE_TOLERANCE_MS = 60_000;


/** Collects errors for one validation run; every rule reports here instead of returning early. */
class Errors {
  readonly list: FieldError[] = [];

  add(field: string, code: string, message: string): void {
    this.list.push({ field, code, message });
  }

  /** Records a failed checker result and returns its value (or undefined on failure). */
  take<T>(field: string, check: Check<T>): T | undefined {
    if (check.ok) return check.value;
    this.add(field, check.code, check.message);
    return undefined;
  }
}

/** A mandatory string with a length range; whitespace-only counts as missing. */
function requiredText(errors: Errors, field: string, v: unknown, min: number, max: number): string | undefined {
  if (isAbsent(v)) {
    errors.add(field, 'required', `${field} is required`);
    return undefined;
  }
  if (typeof v !== 'string') {
    errors.add(field, 'type', `${field} must be a string (got ${jsonType(v)})`);
    return undefined;
  }
  if (v.trim() === '') {
    errors.add(field, 'required', `${field} is required and must not be blank`);
    return undefined;
  }
  if (v.length < min) {
    errors.add(field, 'too_short', `${field} must be at least ${min} characters (got ${v.length})`);
    return undefined;
  }
  if (v.length > max) {
    errors.add(field, 'too_long', `${field} must be at most ${max} characters (got ${v.length})`);
    return undefined;
  }
  return withoutNul(errors, field, v);
}

/**
 * Text never holds a NUL character, and PostgreSQL cannot store one: refused here with its field,
 * rather than failing the insert (a 500, or a batch check retried for ever).
 */
function withoutNul(errors: Errors, field: string, v: string): string | undefined {
  if (!v.includes('\u0000')) return v;
  errors.add(field, 'invalid_character', `${field} contains a NUL character (code 0), which text cannot hold`);
  return undefined;
}

/**
 * An optional string. Absent, null, empty or whitespace-only all mean "not given" (CSV cells and
 * form inputs cannot express null). Returns null when not given, undefined after an error.
 */
function optionalString(errors: Errors, field: string, v: unknown): string | null | undefined {
  if (isAbsent(v)) return null;
  if (typeof v !== 'string') {
    errors.add(field, 'type', `${field} must be a string (got ${jsonType(v)})`);
    return undefined;
  }
  return v.trim() === '' ? null : withoutNul(errors, field, v);
}

function validateFiscalCode(errors: Errors, v: unknown): string | undefined {
  if (isAbsent(v)) {
    errors.add('fiscal_code', 'required', 'fiscal_code is required');
    return undefined;
  }
  if (typeof v !== 'string') {
    errors.add('fiscal_code', 'type', `fiscal_code must be a string (got ${jsonType(v)})`);
    return undefined;
  }
  if (v.trim() === '') {
    errors.add('fiscal_code', 'required', 'fiscal_code is required and must not be blank');
    return undefined;
  }
  return errors.take('fiscal_code', checkFiscalCode(v));
}

function validateAmount(errors: Errors, v: unknown, maxPaymentAmount: number): number | undefined {
  const field = 'payment_data.amount';
  if (isAbsent(v)) {
    errors.add(field, 'required', `${field} is required`);
    return undefined;
  }
  if (typeof v !== 'number') {
    errors.add(field, 'type', `${field} must be a number of euro cents (got ${jsonType(v)})`);
    return undefined;
  }
  if (!Number.isInteger(v)) {
    errors.add(field, 'not_integer', `${field} must be a whole number of euro cents (got ${v})`);
    return undefined;
  }
  if (v < AMOUNT_MIN || v > AMOUNT_MAX) {
    errors.add(field, 'out_of_range', `${field} must be between ${AMOUNT_MIN} and ${AMOUNT_MAX} cents (got ${v})`);
    return undefined;
  }
  if (v > maxPaymentAmount) {
    const message =
      maxPaymentAmount <= 0
        ? `${field} cannot be used: this service is not enabled for payments (its maximum is 0 cents)`
        : `${field} ${v} cents exceeds this service's maximum of ${maxPaymentAmount} cents`;
    errors.add(field, 'exceeds_service_maximum', message);
    return undefined;
  }
  return v;
}

function validatePayment(errors: Errors, v: unknown, rules: MessageRules): ValidMessage['payment'] | undefined {
  if (isAbsent(v)) return null;
  if (typeof v !== 'object' || Array.isArray(v)) {
    errors.add('payment_data', 'type', `payment_data must be an object (got ${jsonType(v)})`);
    return undefined;
  }
  const p = v as Record<string, unknown>;
  const before = errors.list.length;

  const amount = validateAmount(errors, p.amount, rules.maxPaymentAmount);

  let noticeNumber: string | undefined;
  if (isAbsent(p.notice_number)) {
    errors.add('payment_data.notice_number', 'required', 'payment_data.notice_number is required');
  } else if (typeof p.notice_number !== 'string') {
    errors.add(
      'payment_data.notice_number',
      'type',
      `payment_data.notice_number must be a string of 18 digits (got ${jsonType(p.notice_number)})`,
    );
  } else {
    noticeNumber = errors.take('payment_data.notice_number', checkNoticeNumber(p.notice_number));
  }

  let invalidAfterDueDate = false;
  if (!isAbsent(p.invalid_after_due_date)) {
    if (typeof p.invalid_after_due_date === 'boolean') {
      invalidAfterDueDate = p.invalid_after_due_date;
    } else {
      errors.add(
        'payment_data.invalid_after_due_date',
        'type',
        `payment_data.invalid_after_due_date must be a boolean (got ${jsonType(p.invalid_after_due_date)})`,
      );
    }
  }

  let payeeFiscalCode: string | null | undefined = optionalString(
    errors,
    'payment_data.payee_fiscal_code',
    p.payee_fiscal_code,
  );
  if (typeof payeeFiscalCode === 'string') {
    payeeFiscalCode = errors.take('payment_data.payee_fiscal_code', checkOrganizationFiscalCode(payeeFiscalCode));
  }

  if (errors.list.length > before || amount === undefined || noticeNumber === undefined || payeeFiscalCode === undefined) {
    return undefined;
  }
  return { amount, noticeNumber, invalidAfterDueDate, payeeFiscalCode };
}

function validateDueDate(errors: Errors, v: unknown): Date | null | undefined {
  const s = optionalString(errors, 'due_date', v);
  if (typeof s !== 'string') return s;
  return errors.take('due_date', parseDueDate(s));
}

function validateScheduledAt(errors: Errors, v: unknown, now: Date): Date | null | undefined {
  const s = optionalString(errors, 'scheduled_at', v);
  if (typeof s !== 'string') return s;
  const at = errors.take('scheduled_at', parseDateTime(s));
  if (at === undefined) return undefined;
  if (at.getTime() < now.getTime() - SCHEDULE_TOLERANCE_MS) {
    errors.add(
      'scheduled_at',
      'in_the_past',
      `scheduled_at ${toIoTimestamp(at)} is in the past (now is ${toIoTimestamp(now)}); omit it to send now`,
    );
    return undefined;
  }
  return at;
}

function validateReference(errors: Errors, v: unknown): string | null | undefined {
  const s = optionalString(errors, 'reference', v);
  if (typeof s !== 'string') return s;
  if (s.length > REFERENCE_MAX) {
    errors.add('reference', 'too_long', `reference must be at most ${REFERENCE_MAX} characters (got ${s.length})`);
    return undefined;
  }
  return s;
}

/**
 * Decides whether a message request can be sent to IO, applying IO's contract (FACTS.md §3, §10)
 * plus GeNIO's stricter checks, identically for the REST API, CSV import and web forms.
 * Every field is checked and ALL errors are returned together, so an ente fixing a CSV row or a
 * form sees everything wrong in one pass. On success the value is normalized (upper-case fiscal
 * code, instants in UTC, defaults applied) and ready to store.
 */
export function validateMessageInput(
  input: MessageInput,
  rules: MessageRules,
): { ok: true; value: ValidMessage } | { ok: false; errors: FieldError[] } {
  const src: MessageInput = typeof input === 'object' && input !== null ? input : {};
  const errors = new Errors();

  const fiscalCode = validateFiscalCode(errors, src.fiscal_code);
  const subject = requiredText(errors, 'subject', src.subject, SUBJECT_MIN, SUBJECT_MAX);
  const markdown = requiredText(errors, 'markdown', src.markdown, MARKDOWN_MIN, MARKDOWN_MAX);
  const dueDate = validateDueDate(errors, src.due_date);
  const payment = validatePayment(errors, src.payment_data, rules);
  const scheduledAt = validateScheduledAt(errors, src.scheduled_at, rules.now);
  const reference = validateReference(errors, src.reference);

  if (
    errors.list.length > 0 ||
    fiscalCode === undefined ||
    subject === undefined ||
    markdown === undefined ||
    dueDate === undefined ||
    payment === undefined ||
    scheduledAt === undefined ||
    reference === undefined
  ) {
    return { ok: false, errors: errors.list };
  }
  return { ok: true, value: { fiscalCode, subject, markdown, dueDate, payment, scheduledAt, reference } };
}
