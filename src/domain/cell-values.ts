import type { Check } from './field-error.ts';

/*
 * Values as people type them into spreadsheet cells in Italy, read into the forms the API uses.
 * Only the shape is converted here; ranges (AMOUNT_MAX, the service's maximum) and calendar
 * validity stay with the validators that own them, so every channel reports them the same way.
 * Error messages do not repeat the cell: it may hold personal data typed in the wrong column.
 */

/** `€` or `EUR` before or after the amount, as currency-formatted cells export it. */
const CURRENCY_BEFORE = /^(?:€|eur)\s*/i;
const CURRENCY_AFTER = /\s*(?:€|eur)$/i;

/**
 * Italian form: integer part plain (`1234`) or grouped by `.` (`1.234.567`), optional `,` and
 * decimals. The first group cannot start with 0, so `0.290` is not read as 290 thousands-style.
 */
const ITALIAN_NUMBER = /^(\d+|[1-9]\d{0,2}(?:\.\d{3})+)(?:,(\d+))?$/;

/** English/computer form with one decimal point, as CSV exports from other software write it. */
const POINT_NUMBER = /^(\d+)\.(\d+)$/;

/** More digits than a double holds exactly; far above any real amount (AMOUNT_MAX has 10). */
const MAX_CENT_DIGITS = 15;

/** Integer and decimal digits of an unsigned number in either form, or null if it is neither. */
function splitNumber(s: string): { int: string; frac: string } | null {
  const it = ITALIAN_NUMBER.exec(s);
  if (it) return { int: it[1].replaceAll('.', ''), frac: it[2] ?? '' };
  const pt = POINT_NUMBER.exec(s);
  if (pt) return { int: pt[1], frac: pt[2] };
  return null;
}

const INVALID_AMOUNT: Check<number> = {
  ok: false,
  code: 'invalid_amount',
  message: 'amount must be in euro, like 1.234,56 or 1234,56 or 1234.56 (optionally with €)',
};

/**
 * Reads a euro amount typed by a person and returns integer cents: `1.234,56`, `1234,56`,
 * `1234.56`, `€ 1.234,56`, `1234 €` all work. `.` followed by exactly three digits and no `,`
 * (`1.234`) is the Italian thousands separator, so it means 1234 euro, not 1,234.
 * The cents are assembled from the digit string, never by multiplying a float (`0.29 * 100` is
 * 28.999999999999996). Codes: `invalid_amount` (also for negatives), `too_many_decimals` (e.g.
 * `1,234`: three decimals cannot be cents, and it may be an English thousands separator),
 * `out_of_range` (beyond what a double holds exactly).
 */
export function parseEuroAmount(raw: string): Check<number> {
  const s = raw.trim().replace(CURRENCY_BEFORE, '').replace(CURRENCY_AFTER, '');
  if (s.startsWith('-') || raw.trim().startsWith('-')) {
    return { ok: false, code: 'invalid_amount', message: 'amount must not be negative' };
  }
  const parts = splitNumber(s);
  if (parts === null) return INVALID_AMOUNT;
  if (parts.frac.length > 2) {
    return {
      ok: false,
      code: 'too_many_decimals',
      message: `amount has ${parts.frac.length} decimals; euro amounts have at most 2 (cents)`,
    };
  }
  const digits = (parts.int + parts.frac.padEnd(2, '0')).replace(/^0+(?=\d)/, '');
  if (digits.length > MAX_CENT_DIGITS) {
    return { ok: false, code: 'out_of_range', message: 'amount is too large' };
  }
  return { ok: true, value: Number(digits) };
}

/**
 * Reads a number for a `number` placeholder: `1.234,5`, `1234,5`, `1234.5`, `12`, `-3`.
 * Same reading of `.` as {@link parseEuroAmount}: `1.234` is one thousand two hundred
 * thirty-four. The decimal string is converted by `Number`, which rounds correctly once.
 * Code: `invalid_number`.
 */
export function parseItalianNumber(raw: string): Check<number> {
  const s = raw.trim();
  const negative = s.startsWith('-');
  const parts = splitNumber(negative ? s.slice(1) : s);
  const n = parts === null ? NaN : Number(`${negative ? '-' : ''}${parts.int}.${parts.frac || '0'}`);
  if (!Number.isFinite(n)) {
    return {
      ok: false,
      code: 'invalid_number',
      message: 'number must be written like 1.234,5 or 1234,5 or 1234.5 (optionally with a leading -)',
    };
  }
  return { ok: true, value: n === 0 ? 0 : n };
}

const YES = new Set(['si', 'sì', 'sí', 's', 'yes', 'y', 'true', 'vero', '1', 'x']);
const NO = new Set(['no', 'n', 'false', 'falso', '0']);

/**
 * Reads a yes/no cell in Italian or English (`sì`, `no`, `x`, `1`, `vero`…), trimmed and
 * case-insensitive. An empty cell is not decided here: the caller knows whether empty means
 * "absent" or "no". Code: `invalid_boolean`.
 */
export function parseYesNo(raw: string): Check<boolean> {
  const s = raw.trim().toLowerCase();
  if (YES.has(s)) return { ok: true, value: true };
  if (NO.has(s)) return { ok: true, value: false };
  return {
    ok: false,
    code: 'invalid_boolean',
    message: 'value must be yes or no: sì, si, s, x, 1, vero, yes, true / no, n, 0, falso, false',
  };
}

/** Italian day-first date, same separator twice, optional time with `:` or `.` (18.30). */
const DAY_FIRST = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?:\s+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?$/;

/** ISO date and time separated by a space, as spreadsheets export date-time cells. */
const ISO_WITH_SPACE = /^(\d{4}-\d{2}-\d{2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

const pad2 = (s: string): string => s.padStart(2, '0');

/**
 * Rewrites a date cell into the forms `parseDueDate`/`parseDateTime` read: `31/12/2026`,
 * `31-12-2026`, `31.12.2026`, `1/2/2026` (day first, as in Italy) → `2026-12-31`;
 * `31/12/2026 18:30` or `…18:30:15` → `2026-12-31T18:30:00`, a zone-less date-time that those
 * parsers read as Italian wall time; `2026-12-31 18:30` → `2026-12-31T18:30:00` likewise.
 * Only the shape changes: `31/02/2026` becomes `2026-02-31` so the validator reports the
 * impossible date. Anything else is returned unchanged, again for the validator to report.
 */
export function normalizeDateCell(raw: string): string {
  const s = raw.trim();
  const dmy = DAY_FIRST.exec(s);
  if (dmy) {
    const date = `${dmy[4]}-${pad2(dmy[3])}-${pad2(dmy[1])}`;
    if (dmy[5] === undefined) return date;
    return `${date}T${pad2(dmy[5])}:${dmy[6]}:${dmy[7] ?? '00'}`;
  }
  const iso = ISO_WITH_SPACE.exec(s);
  if (iso) return `${iso[1]}T${pad2(iso[2])}:${iso[3]}:${iso[4] ?? '00'}`;
  return raw;
}
