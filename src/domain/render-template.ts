import { normalizeDateCell, parseEuroAmount, parseItalianNumber } from './cell-values.ts';
import { parseDateTime, parseDueDate } from './due-date.ts';
import type { Check, FieldError } from './field-error.ts';
import { checkFiscalCode } from './fiscal-code.ts';
import { formatEuro, formatItalianDate, formatItalianNumber } from './italian-format.ts';
import { MARKDOWN_MAX, MARKDOWN_MIN, SUBJECT_MAX, SUBJECT_MIN } from './limits.ts';
import { checkNoticeNumber } from './notice-number.ts';
import { compilePattern, type PlaceholderType, splitPlaceholders, type TemplateDefinition } from './template.ts';

/**
 * On failure, `filled` is the text when every value was valid and only IO's lengths were not met,
 * for a preview that shows how far off the message is.
 */
export type Rendered =
  | { ok: true; subject: string; markdown: string }
  | { ok: false; errors: FieldError[]; filled?: { subject: string; markdown: string } };

export interface RenderOptions {
  /** Field name reported for a placeholder's value; default `data.<name>` (the API's JSON path). */
  dataField?: (name: string) => string;
}

/** A definition prepared once for rendering many rows: texts pre-split, patterns pre-compiled. */
export interface CompiledTemplate {
  readonly definition: TemplateDefinition;
  render(data: Record<string, unknown>, opts?: RenderOptions): Rendered;
}

/** A scalar value as JSON or a cell gives it, with its trimmed string form (what `pattern` sees). */
type Formatter = (raw: string | number | boolean, str: string) => Check<string>;

const defaultField = (name: string): string => `data.${name}`;

function typeError(what: string, raw: unknown): Check<string> {
  return { ok: false, code: 'type', message: `value must be ${what} (got ${typeof raw})` };
}

const PLAIN_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A calendar date (`2026-12-31`, `31/12/2026`) is shown as written, with no time-zone arithmetic
 * that could move it a day; a date-time or instant is shown as its date in Italy.
 */
const formatDate: Formatter = (raw, str) => {
  if (typeof raw !== 'string') return typeError('a date written as text, like 31/12/2026 or 2026-12-31', raw);
  const s = normalizeDateCell(str);
  const plain = PLAIN_DATE.exec(s);
  if (plain) {
    // Validity as the due-date rules see it (2026-02-30, year 0000), reported with their code.
    const real = parseDueDate(s);
    if (!real.ok) return { ok: false, code: real.code, message: 'date is not a real calendar date' };
    return { ok: true, value: `${plain[3]}/${plain[2]}/${plain[1]}` };
  }
  const at = parseDateTime(s);
  if (at.ok) return { ok: true, value: formatItalianDate(at.value) };
  if (at.code !== 'format') return { ok: false, code: at.code, message: at.message };
  return {
    ok: false,
    code: 'format',
    message: 'date must be like 31/12/2026, 2026-12-31 or an ISO 8601 instant (2026-12-31T23:30:00Z)',
  };
};

/** A JSON number is cents, as `payment_data.amount` is; text is euro as a person writes it. */
const formatAmount: Formatter = (raw, str) => {
  if (typeof raw === 'number') {
    if (Number.isSafeInteger(raw) && raw >= 0) return { ok: true, value: formatEuro(raw) };
    return {
      ok: false,
      code: 'invalid_amount',
      message: 'amount as a JSON number must be a whole number of euro cents, 0 or more',
    };
  }
  if (typeof raw !== 'string') return typeError('euro cents as a number, or euro as text like 1.234,56', raw);
  const cents = parseEuroAmount(str);
  return cents.ok ? { ok: true, value: formatEuro(cents.value) } : cents;
};

const formatNumber: Formatter = (raw, str) => {
  if (typeof raw === 'number') {
    if (Number.isFinite(raw)) return { ok: true, value: formatItalianNumber(raw) };
    return { ok: false, code: 'invalid_number', message: 'number must be finite' };
  }
  if (typeof raw !== 'string') return typeError('a number', raw);
  const n = parseItalianNumber(str);
  return n.ok ? { ok: true, value: formatItalianNumber(n.value) } : n;
};

// Codes as text only: an 18-digit JSON number has already lost digits, and a code is no quantity.
const FORMATTERS: Record<PlaceholderType, Formatter> = {
  text: (_raw, str) => ({ ok: true, value: str }),
  date: formatDate,
  amount: formatAmount,
  fiscal_code: (raw, str) => (typeof raw === 'string' ? checkFiscalCode(str) : typeError('a fiscal code as text', raw)),
  notice_number: (raw, str) => (typeof raw === 'string' ? checkNoticeNumber(str) : typeError('18 digits as text', raw)),
  number: formatNumber,
};

/** Characters that start Markdown syntax anywhere in a line; `&` too, so entities stay literal. */
const MD_INLINE = /[\\`*_[\]<>#~|&]/g;
const MD_HAS_INLINE = /[\\`*_[\]<>#~|&]/;
/** Markers that only count at a line start: bullets, ordered items, setext/thematic lines. */
const MD_BULLET = /(^|\n)([-+])(?=[ \t]|\n|$)/g;
const MD_ORDERED = /(^|\n)(\d{1,9})([.)])(?=[ \t]|\n|$)/g;
const MD_RULE = /(^|\n)([-=])(?=\2*[ \t]*(?:\n|$))/g;
/** Cheap pre-test for the three above; most values (names, dates, amounts) start no line with them. */
const MD_HAS_LINE_MARKER = /(?:^|\n)(?:[-+=]|\d{1,9}[.)](?=[ \t]|\n|$))/;
const MD_INDENT = /\n[ \t]+/g;

/**
 * Makes a value display as the same text inside Markdown, so that a citizen's name like
 * `*Rossi*` or `[clic](http://…)` cannot change formatting or add a link. Backslash escapes work
 * for any ASCII punctuation in CommonMark, so over-escaping is harmless; line-start markers are
 * escaped only where they would act, and indentation after a line break is dropped so it cannot
 * start a code block. Not effective inside a code span of the template, where `\` is literal.
 * Each step is guarded by a test because this runs for every value of every row.
 */
export function escapeMarkdown(value: string): string {
  let out = MD_HAS_INLINE.test(value) ? value.replace(MD_INLINE, '\\$&') : value;
  if (out.includes('\n')) out = out.replace(MD_INDENT, '\n');
  if (MD_HAS_LINE_MARKER.test(out)) {
    out = out.replace(MD_BULLET, '$1\\$2').replace(MD_ORDERED, '$1$2\\$3').replace(MD_RULE, '$1\\$2');
  }
  return out;
}

interface CompiledText {
  literals: string[];
  /** Index into the placeholders for each gap between literals. */
  slots: number[];
}

function fill(text: CompiledText, values: string[]): string {
  let out = text.literals[0];
  for (let i = 0; i < text.slots.length; i++) out += values[text.slots[i]] + text.literals[i + 1];
  return out;
}

/** Records an error on a value; the field name is built only then, since most rows have none. */
function fail(
  errors: FieldError[],
  fieldOf: (name: string) => string,
  name: string,
  code: string,
  message: string,
): void {
  errors.push({ field: fieldOf(name), code, message });
}

function lengthError(field: 'subject' | 'markdown', length: number, min: number, max: number): FieldError | null {
  if (length < min) {
    return {
      field,
      code: 'too_short',
      message: `${field} is ${length} characters after filling in the placeholders; IO requires at least ${min}`,
    };
  }
  if (length > max) {
    return {
      field,
      code: 'too_long',
      message: `${field} is ${length} characters after filling in the placeholders; IO allows at most ${max}`,
    };
  }
  return null;
}

/**
 * Prepares a definition that passed `checkTemplateDefinition` for rendering many rows.
 * Throws `RangeError` if the definition uses an undeclared placeholder or has an invalid
 * pattern: that is a programming error (an unchecked definition), not bad user input.
 */
export function compileTemplate(def: TemplateDefinition): CompiledTemplate {
  const placeholders = def.placeholders.map((p) => {
    const regex = p.pattern === null ? null : compilePattern(p.pattern);
    if (p.pattern !== null && regex === null) throw new RangeError(`placeholder '${p.name}' has an invalid pattern`);
    return { name: p.name, required: p.required, pattern: p.pattern, regex, format: FORMATTERS[p.type] };
  });
  const index = new Map(placeholders.map((p, i) => [p.name, i]));
  const compileText = (text: string): CompiledText => {
    const { literals, names } = splitPlaceholders(text);
    const slots = names.map((name) => {
      const i = index.get(name);
      if (i === undefined) throw new RangeError(`template uses undeclared placeholder {{${name}}}`);
      return i;
    });
    return { literals, slots };
  };
  const subject = compileText(def.subject);
  const markdown = compileText(def.markdown);
  const inMarkdown = placeholders.map((_p, i) => markdown.slots.includes(i));

  function render(data: Record<string, unknown>, opts?: RenderOptions): Rendered {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      const message = 'data must be an object of placeholder values';
      return { ok: false, errors: [{ field: 'data', code: 'type', message }] };
    }
    const fieldOf = opts?.dataField ?? defaultField;
    const errors: FieldError[] = [];
    const plain: string[] = new Array(placeholders.length);
    const escaped: string[] = new Array(placeholders.length);

    for (let i = 0; i < placeholders.length; i++) {
      const p = placeholders[i];
      const raw = Object.hasOwn(data, p.name) ? data[p.name] : undefined;
      plain[i] = escaped[i] = '';
      if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
        if (p.required) fail(errors, fieldOf, p.name, 'required', `a value for {{${p.name}}} is required`);
        continue;
      }
      if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
        fail(errors, fieldOf, p.name, 'type', `value for {{${p.name}}} must be text, a number or a boolean`);
        continue;
      }
      const str = typeof raw === 'string' ? raw.trim() : String(raw);
      // No message can hold a longer value; refusing it here also bounds the work of `pattern`.
      if (str.length > MARKDOWN_MAX) {
        const message = `value for {{${p.name}}} is ${str.length} characters; no message holds over ${MARKDOWN_MAX}`;
        fail(errors, fieldOf, p.name, 'too_long', message);
        continue;
      }
      const formatted = p.format(raw, str);
      if (!formatted.ok) {
        fail(errors, fieldOf, p.name, formatted.code, formatted.message);
      } else if (p.regex !== null && !p.regex.test(str)) {
        const message = `value for {{${p.name}}} does not match the pattern ${p.pattern} this template requires`;
        fail(errors, fieldOf, p.name, 'pattern_mismatch', message);
      } else {
        plain[i] = formatted.value;
        if (inMarkdown[i]) escaped[i] = escapeMarkdown(formatted.value);
      }
    }

    for (const key of Object.keys(data)) {
      if (!index.has(key)) {
        fail(errors, fieldOf, key, 'unknown_placeholder', `this template has no placeholder {{${key}}}`);
      }
    }
    // Lengths are only meaningful once every value is known and valid.
    if (errors.length > 0) return { ok: false, errors };

    const s = fill(subject, plain);
    const m = fill(markdown, escaped);
    const subjectError = lengthError('subject', s.length, SUBJECT_MIN, SUBJECT_MAX);
    const markdownError = lengthError('markdown', m.length, MARKDOWN_MIN, MARKDOWN_MAX);
    if (subjectError !== null) errors.push(subjectError);
    if (markdownError !== null) errors.push(markdownError);
    if (errors.length > 0) return { ok: false, errors, filled: { subject: s, markdown: m } };
    return { ok: true, subject: s, markdown: m };
  }

  return { definition: def, render };
}

/**
 * Fills a template with one set of values: each value checked and formatted by its placeholder
 * type, escaped for Markdown in `markdown` and inserted as-is in the plain-text `subject`, in one
 * pass (a value containing `{{x}}` stays literal), then IO's length limits checked on the result.
 * All errors are returned together. For many rows, call `compileTemplate` once and reuse it.
 */
export function renderTemplate(def: TemplateDefinition, data: Record<string, unknown>, opts?: RenderOptions): Rendered {
  return compileTemplate(def).render(data, opts);
}
