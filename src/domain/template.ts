import { isAbsent, jsonType } from './json-value.ts';
import type { FieldError } from './field-error.ts';
import { MARKDOWN_MAX, SUBJECT_MAX } from './limits.ts';

/** Kinds of value a placeholder accepts; each decides how the value is checked and formatted. */
export const PLACEHOLDER_TYPES = ['text', 'date', 'amount', 'fiscal_code', 'notice_number', 'number'] as const;
export type PlaceholderType = (typeof PLACEHOLDER_TYPES)[number];

/** One `{{name}}` of a template. `pattern` is a JS regular expression the whole value must match. */
export interface Placeholder {
  name: string;
  type: PlaceholderType;
  required: boolean;
  pattern: string | null;
  description: string | null;
}

/** A message template as stored: subject and markdown with `{{name}}` placeholders, all declared. */
export interface TemplateDefinition {
  subject: string;
  markdown: string;
  placeholders: Placeholder[];
}

/** The message fields a standard spreadsheet column fills; payment fields are named as inside `payment_data`. */
export type StandardField =
  | 'fiscal_code'
  | 'subject'
  | 'markdown'
  | 'due_date'
  | 'amount'
  | 'notice_number'
  | 'invalid_after_due_date'
  | 'reference'
  | 'scheduled_at';

/**
 * GeNIO's standard spreadsheet columns, Italian and English, and the message field each fills.
 * Placeholders may not take these names: a column called `importo` must mean the payment amount,
 * never also a value printed in the text, or one file could be read two ways.
 */
export const STANDARD_COLUMNS: Readonly<Record<string, StandardField>> = Object.freeze({
  fiscal_code: 'fiscal_code',
  codice_fiscale: 'fiscal_code',
  subject: 'subject',
  oggetto: 'subject',
  markdown: 'markdown',
  testo: 'markdown',
  due_date: 'due_date',
  data_scadenza: 'due_date',
  amount: 'amount',
  importo: 'amount',
  notice_number: 'notice_number',
  codice_avviso: 'notice_number',
  invalid_after_due_date: 'invalid_after_due_date',
  scadenza_vincolante: 'invalid_after_due_date',
  reference: 'reference',
  riferimento: 'reference',
  scheduled_at: 'scheduled_at',
  data_invio: 'scheduled_at',
});

/**
 * The message field a spreadsheet column header names, if it is a standard column. Headers are
 * matched trimmed and case-insensitively because people type `Codice_Fiscale` as often as not.
 * `Object.hasOwn` so that a header like `constructor` is not mistaken for a prototype member.
 */
export function standardField(header: string): StandardField | undefined {
  const key = header.trim().toLowerCase();
  return Object.hasOwn(STANDARD_COLUMNS, key) ? STANDARD_COLUMNS[key] : undefined;
}

const NAME_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;

/** Longest accepted `pattern`: enough for any real format rule, short enough to review by eye. */
export const PATTERN_MAX = 200;

/** Longest accepted `description`: it is help text in a form, not content. */
export const DESCRIPTION_MAX = 500;

/**
 * `{{ name }}` with optional spaces. Anything but braces is captured, not only valid names, so
 * that `{{Nome}}` or `{{nome cognome}}` is reported as undeclared instead of silently reaching
 * the citizen as literal text.
 */
const TOKEN = /\{\{\s*([^{}]*?)\s*\}\}/g;

/**
 * A text cut at its placeholders, like a tagged template: `literals.length === names.length + 1`
 * and the text is `literals[0] + value(names[0]) + literals[1] + …`. Rendering walks these arrays
 * instead of searching the text again for every row.
 */
export interface SplitText {
  literals: string[];
  names: string[];
}

export function splitPlaceholders(text: string): SplitText {
  const literals: string[] = [];
  const names: string[] = [];
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    literals.push(text.slice(last, m.index));
    names.push(m[1]);
    last = m.index + m[0].length;
  }
  literals.push(text.slice(last));
  return { literals, names };
}

/** Names of the `{{name}}` placeholders in `text`, each once, in order of first use. */
export function placeholdersUsed(text: string): string[] {
  return [...new Set(splitPlaceholders(text).names)];
}

/**
 * Compiles a placeholder pattern the way rendering uses it: anchored, so the whole value must
 * match (an unanchored `\d{5}` would accept `abc12345xyz`), and with the `u` flag, so `\p{L}`
 * works for accented names and surrogate pairs count as one character. Returns null if invalid.
 */
export function compilePattern(pattern: string): RegExp | null {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    return null;
  }
}

/**
 * True when a pattern could take exponential time on a crafted value: a group repeated without
 * bound that itself holds an unbounded repetition (`(a+)+`, `(\w*)*`, `(x{2,})+`), or a
 * back-reference. Patterns come from enti and run on every row of every batch: one such pattern
 * could stall a whole GeNIO process (ReDoS), so they are refused when the template is saved.
 */
export function isUnsafePattern(pattern: string): boolean {
  const groups: boolean[] = []; // per open group: does it hold an unbounded repetition?
  let lastGroupUnbounded: boolean | null = null; // the group that just closed, if the next token may quantify it
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    let quantifier: 'unbounded' | 'bounded' | null = null;
    if (c === '\\') {
      if (/[1-9k]/.test(pattern[i + 1] ?? '')) return true; // back-reference
      i++;
      lastGroupUnbounded = null;
      continue;
    }
    if (c === '[') {
      // A character class: skip to its end, honouring escapes.
      for (i++; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i++;
      lastGroupUnbounded = null;
      continue;
    }
    if (c === '(') {
      groups.push(false);
      lastGroupUnbounded = null;
      continue;
    }
    if (c === ')') {
      const inner = groups.pop() ?? false;
      if (inner && groups.length) groups[groups.length - 1] = true; // the enclosing group holds it too
      lastGroupUnbounded = inner;
      continue;
    }
    if (c === '*' || c === '+') quantifier = 'unbounded';
    else if (c === '{') {
      const m = /^\{(\d*)(,?)(\d*)\}/.exec(pattern.slice(i));
      if (m) {
        quantifier = m[2] && !m[3] ? 'unbounded' : 'bounded';
        i += m[0].length - 1;
      }
    }
    if (quantifier === 'unbounded') {
      if (lastGroupUnbounded) return true;
      if (groups.length) groups[groups.length - 1] = true;
    } else if (quantifier === 'bounded' && lastGroupUnbounded && groups.length) {
      groups[groups.length - 1] = true;
    }
    if (quantifier === null) lastGroupUnbounded = null;
  }
  return false;
}


/** Longest template name: a label in lists and menus. */
export const TEMPLATE_NAME_MAX = 100;

/** A template's name, trimmed; undefined after recording an error (missing, blank, too long). */
export function checkTemplateName(errors: FieldError[], name: unknown): string | undefined {
  if (typeof name !== 'string' || !name.trim()) errors.push({ field: 'name', code: 'required', message: 'name is required' });
  else if (name.trim().length > TEMPLATE_NAME_MAX) errors.push({ field: 'name', code: 'too_long', message: `name must be at most ${TEMPLATE_NAME_MAX} characters` });
  else return name.trim();
  return undefined;
}

/** An optional string where empty means absent (forms cannot send null). Undefined after an error. */
function optionalText(errors: FieldError[], field: string, v: unknown, max: number): string | null | undefined {
  if (isAbsent(v)) return null;
  if (typeof v !== 'string') {
    errors.push({ field, code: 'type', message: `${field} must be a string (got ${jsonType(v)})` });
    return undefined;
  }
  if (v.trim() === '') return null;
  if (v.length > max) {
    errors.push({ field, code: 'too_long', message: `${field} must be at most ${max} characters (got ${v.length})` });
    return undefined;
  }
  return v;
}

/**
 * Checks a template's subject or markdown before any rendering. IO's minimum cannot be checked
 * yet (values make the text longer), but the maximum partly can: values may be empty or shorter
 * than their `{{name}}`, yet the literal text around the placeholders is always sent, so if that
 * alone exceeds IO's limit no row could ever be sent. The raw text is also capped at twice the
 * limit, which no real template reaches, so that storage and per-row work stay bounded.
 */
function checkText(
  errors: FieldError[],
  field: 'subject' | 'markdown',
  v: unknown,
  max: number,
): SplitText | undefined {
  if (isAbsent(v)) {
    errors.push({ field, code: 'required', message: `${field} is required` });
    return undefined;
  }
  if (typeof v !== 'string') {
    errors.push({ field, code: 'type', message: `${field} must be a string (got ${jsonType(v)})` });
    return undefined;
  }
  if (v.trim() === '') {
    errors.push({ field, code: 'required', message: `${field} is required and must not be blank` });
    return undefined;
  }
  if (v.length > 2 * max) {
    errors.push({
      field,
      code: 'too_long',
      message:
        `${field} template must be at most ${2 * max} characters (got ${v.length}); ` +
        `IO allows ${max} after rendering`,
    });
    return undefined;
  }
  const split = splitPlaceholders(v);
  const literal = split.literals.reduce((n, s) => n + s.length, 0);
  if (literal > max) {
    errors.push({
      field,
      code: 'too_long',
      message:
        `${field} has ${literal} characters besides its placeholders, ` +
        `more than the ${max} IO allows even with every placeholder empty`,
    });
  }
  // A stray `{{nome}` or `nome}}` would reach citizens as literal braces.
  if (split.literals.some((s) => s.includes('{{') || s.includes('}}'))) {
    errors.push({
      field,
      code: 'malformed_placeholder',
      message: `${field} contains '{{' or '}}' that is not part of a placeholder like {{nome}}`,
    });
  }
  return split;
}

/** Checks one placeholder entry; returns it normalized, or undefined after recording errors. */
function checkPlaceholder(
  errors: FieldError[],
  i: number,
  v: unknown,
  seen: Set<string>,
  attempted: Set<string>,
): Placeholder | undefined {
  const at = `placeholders[${i}]`;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    errors.push({ field: at, code: 'type', message: `${at} must be an object (got ${jsonType(v)})` });
    return undefined;
  }
  const p = v as Record<string, unknown>;
  const before = errors.length;

  let name: string | undefined;
  const nameField = `${at}.name`;
  if (isAbsent(p.name) || (typeof p.name === 'string' && p.name.trim() === '')) {
    errors.push({ field: nameField, code: 'required', message: `${nameField} is required` });
  } else if (typeof p.name !== 'string') {
    errors.push({ field: nameField, code: 'type', message: `${nameField} must be a string (got ${jsonType(p.name)})` });
  } else {
    const n = p.name.trim();
    attempted.add(n);
    if (!NAME_PATTERN.test(n)) {
      errors.push({
        field: nameField,
        code: 'invalid_name',
        message: `${nameField} '${n}' must be 1–40 lower-case letters, digits or underscores, starting with a letter`,
      });
    } else if (Object.hasOwn(STANDARD_COLUMNS, n)) {
      errors.push({
        field: nameField,
        code: 'reserved_name',
        message: `${nameField} '${n}' is a standard GeNIO column (${STANDARD_COLUMNS[n]}) and cannot be a placeholder`,
      });
    } else if (seen.has(n)) {
      errors.push({ field: nameField, code: 'duplicate', message: `${nameField} '${n}' is declared more than once` });
    } else {
      seen.add(n);
      name = n;
    }
  }

  const typeField = `${at}.type`;
  let type: PlaceholderType | undefined;
  if (isAbsent(p.type)) {
    errors.push({ field: typeField, code: 'required', message: `${typeField} is required` });
  } else if (typeof p.type !== 'string' || !(PLACEHOLDER_TYPES as readonly string[]).includes(p.type)) {
    errors.push({
      field: typeField,
      code: 'unknown_type',
      message: `${typeField} must be one of ${PLACEHOLDER_TYPES.join(', ')} (got ${JSON.stringify(p.type)})`,
    });
  } else {
    type = p.type as PlaceholderType;
  }

  let required = true;
  const requiredField = `${at}.required`;
  if (!isAbsent(p.required)) {
    if (typeof p.required === 'boolean') required = p.required;
    else {
      errors.push({
        field: requiredField,
        code: 'type',
        message: `${requiredField} must be a boolean (got ${jsonType(p.required)})`,
      });
    }
  }

  const patternField = `${at}.pattern`;
  const pattern = optionalText(errors, patternField, p.pattern, PATTERN_MAX);
  if (typeof pattern === 'string' && compilePattern(pattern) === null) {
    errors.push({
      field: patternField,
      code: 'invalid_pattern',
      message: `${patternField} is not a valid JavaScript regular expression (checked with the u flag)`,
    });
  } else if (typeof pattern === 'string' && isUnsafePattern(pattern)) {
    errors.push({
      field: patternField,
      code: 'unsafe_pattern',
      message: `${patternField} repeats a group that itself repeats without bound (like (a+)+), or uses a back-reference: such patterns can take hours on one value; write it without nesting`,
    });
  }

  const description = optionalText(errors, `${at}.description`, p.description, DESCRIPTION_MAX);

  if (errors.length > before || name === undefined || type === undefined) return undefined;
  if (pattern === undefined || description === undefined) return undefined;
  return { name, type, required, pattern, description };
}

/**
 * Validates an untrusted definition (API JSON body / form) collecting every error at once.
 * Beyond each field's shape, the text and the declarations must agree: every `{{name}}` used is
 * declared (`undeclared_placeholder` on `subject`/`markdown`) and every declared placeholder is
 * used (`unused_placeholder` on `placeholders[i].name`), since either mismatch means the ente's
 * spreadsheet and the message they meant to send have drifted apart.
 * On success `required` defaults to true and blank `pattern`/`description` become null.
 */
export function checkTemplateDefinition(
  input: unknown,
): { ok: true; value: TemplateDefinition } | { ok: false; errors: FieldError[] } {
  const src = (typeof input === 'object' && input !== null && !Array.isArray(input) ? input : {}) as Record<
    string,
    unknown
  >;
  const errors: FieldError[] = [];

  const subject = checkText(errors, 'subject', src.subject, SUBJECT_MAX);
  const markdown = checkText(errors, 'markdown', src.markdown, MARKDOWN_MAX);

  let list: unknown[] = [];
  if (!isAbsent(src.placeholders)) {
    if (Array.isArray(src.placeholders)) list = src.placeholders;
    else {
      errors.push({
        field: 'placeholders',
        code: 'type',
        message: `placeholders must be an array (got ${jsonType(src.placeholders)})`,
      });
    }
  }
  const seen = new Set<string>();
  // Names declared but refused: their uses are not reported again as undeclared.
  const attempted = new Set<string>();
  const placeholders = list.map((p, i) => checkPlaceholder(errors, i, p, seen, attempted));

  // Cross-checks only where the texts were readable, or every placeholder would look unused.
  if (subject !== undefined && markdown !== undefined) {
    for (const [field, split] of [['subject', subject], ['markdown', markdown]] as const) {
      for (const name of new Set(split.names)) {
        if (attempted.has(name)) continue;
        const hint = NAME_PATTERN.test(name) ? '' : ' (names are lower-case letters, digits and underscores)';
        errors.push({
          field,
          code: 'undeclared_placeholder',
          message: `${field} uses {{${name}}} but no placeholder with that name is declared${hint}`,
        });
      }
    }
    const used = new Set([...subject.names, ...markdown.names]);
    placeholders.forEach((p, i) => {
      if (p !== undefined && !used.has(p.name)) {
        errors.push({
          field: `placeholders[${i}].name`,
          code: 'unused_placeholder',
          message: `placeholder '${p.name}' is declared but used in neither subject nor markdown`,
        });
      }
    });
  }

  if (errors.length > 0 || typeof src.subject !== 'string' || typeof src.markdown !== 'string') {
    return { ok: false, errors };
  }
  return {
    ok: true,
    value: { subject: src.subject, markdown: src.markdown, placeholders: placeholders as Placeholder[] },
  };
}
