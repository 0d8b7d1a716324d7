/**
 * An Excel cell, as exceljs's streaming reader gives it, turned into the text a CSV export of
 * the same sheet would hold: the rest of the import then reads both formats the same way.
 */

const DAY_MS = 86_400_000;

/** Days from Excel's day 0 (1899-12-30, or 1904-01-01 in "1904 date system" workbooks) to 1970. */
const EPOCH_1900 = 25_569;
const EPOCH_1904 = 24_107;

/** Excel shows at most 15 significant digits; beyond them a double only holds float noise. */
const EXCEL_DIGITS = 15;

/** `_x000D_`-style escapes: OOXML's way to store characters XML cannot carry (Excel writes CR so). */
const OOXML_ESCAPE = /_x([0-9A-Fa-f]{4})_/g;

/**
 * Strings as stored, with OOXML escapes decoded. Excel writes a literal `_x0041_` as
 * `_x005F_x0041_`, and the one left-to-right pass turns that back into `_x0041_`.
 */
function plainText(s: string): string {
  return s.includes('_x') ? s.replace(OOXML_ESCAPE, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : s;
}

/**
 * A number as Excel would show it in "General" format, with `.` as decimal separator. Rounding to
 * 15 digits drops float noise from formulas (`=0,1+0,2` is stored as 0.30000000000000004), which
 * would otherwise reach the amount parser as a value with 17 decimals.
 */
function numberText(n: number): string {
  if (!Number.isFinite(n)) return ''; // a formula whose cached result is an error (see below)
  return String(Number(n.toPrecision(EXCEL_DIGITS)));
}

/**
 * `YYYY-MM-DD` for a date without time, else `YYYY-MM-DDTHH:mm:ss` with no zone. Excel stores
 * wall-clock time without any zone (exceljs hands it over as if it were UTC), and GeNIO reads a
 * date-time without offset as Italian time (due-date.ts), which is what the ente typed. An
 * instant with `Z` would move every time by one or two hours. Seconds are rounded because the
 * day fraction is a float (10:30 may come back as 10:29:59.999).
 */
function dateText(d: Date): string {
  const t = Math.round(d.getTime() / 1000) * 1000;
  if (!Number.isFinite(t)) return '';
  const iso = new Date(t).toISOString();
  return ((t % DAY_MS) + DAY_MS) % DAY_MS === 0 ? iso.slice(0, 10) : iso.slice(0, 19);
}

/** Same test exceljs applies to plain numbers: date/time letters outside quotes and brackets. */
function isDateFormat(numFmt: string | undefined): boolean {
  if (!numFmt) return false;
  return /[ymdhMsb]/.test(numFmt.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}

function serialToDate(serial: number, date1904: boolean): Date {
  return new Date(Math.round((serial - (date1904 ? EPOCH_1904 : EPOCH_1900)) * DAY_MS));
}

/**
 * Text of one cell value. `numFmt` and `date1904` matter only for formulas: exceljs's streaming
 * reader turns date-formatted numbers into Dates, but leaves a formula's cached result as the
 * raw day count (a due date computed as `=A2+30` would read as 45838).
 * Known losses in that reader: a formula whose result is an error (`#N/A`) comes back as NaN,
 * read here as ''; a boolean formula result comes back as 1 or 0.
 */
export function cellText(value: unknown, numFmt: string | undefined, date1904: boolean): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return plainText(value);
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return dateText(value);
  if (typeof value !== 'object') return String(value);
  const v = value as Record<string, unknown>;
  if (Array.isArray(v.richText)) {
    return plainText(v.richText.map((run: { text?: unknown }) => (typeof run.text === 'string' ? run.text : '')).join(''));
  }
  // Formulas: `{formula, result}`, `{sharedFormula, result}`, and for cells that reuse a shared
  // formula exceljs's streaming reader gives `{formula: '', result}`.
  if ('result' in v || 'formula' in v || 'sharedFormula' in v) {
    const result = v.result;
    if (typeof result === 'number' && isDateFormat(numFmt)) return dateText(serialToDate(result, date1904));
    return cellText(result, undefined, date1904);
  }
  if (typeof v.error === 'string') return v.error; // `#N/A`, `#VALUE!` as Excel shows them
  if (typeof v.text === 'string') return plainText(v.text); // a hyperlink's shown text
  return '';
}
