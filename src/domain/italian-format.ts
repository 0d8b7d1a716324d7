/**
 * Values written the way Italian citizens read them in a message: dates day first, `.` for
 * thousands and `,` for decimals. Built by hand rather than with `Intl.NumberFormat('it-IT')`,
 * which leaves four-digit numbers ungrouped (`1234`) and puts `€` after the amount.
 */

/** Calendar-date reader for Italy; built once because Intl formatters are costly to create. */
const ROME_DAY = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Europe/Rome',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
});

/**
 * Rome's date is the same for a whole UTC hour (its offsets are whole hours since 1893), and
 * templates render one date per row of files with a million rows, so days are remembered per
 * UTC hour. Earlier instants (local mean time, +0:49:56) are computed every time.
 */
const dayByHour = new Map<number, string>();
const WHOLE_HOUR_OFFSETS_SINCE = Date.UTC(1900, 0, 1);

function computeRomeDay(d: Date): string {
  const f: Record<string, string> = {};
  for (const p of ROME_DAY.formatToParts(d)) f[p.type] = p.value;
  return `${f.day.padStart(2, '0')}/${f.month.padStart(2, '0')}/${f.year.padStart(4, '0')}`;
}

/**
 * The calendar date of an instant in Italy as `DD/MM/YYYY`, e.g. `2026-12-31T23:30:00Z` →
 * `01/01/2027` (Rome is UTC+1 in winter, UTC+2 in summer; the real zone rules decide).
 * Throws `RangeError` for an invalid Date.
 */
export function formatItalianDate(d: Date): string {
  const t = d.getTime();
  if (!Number.isFinite(t)) throw new RangeError('formatItalianDate: invalid Date');
  if (t < WHOLE_HOUR_OFFSETS_SINCE) return computeRomeDay(d);
  const hour = Math.floor(t / 3_600_000);
  let day = dayByHour.get(hour);
  if (day === undefined) {
    day = computeRomeDay(new Date(hour * 3_600_000));
    if (dayByHour.size > 50_000) dayByHour.clear();
    dayByHour.set(hour, day);
  }
  return day;
}

/** `1234567` → `1.234.567`: a string of digits grouped by three from the right. */
function groupThousands(digits: string): string {
  const head = digits.length % 3 || 3;
  let out = digits.slice(0, head);
  for (let i = head; i < digits.length; i += 3) out += `.${digits.slice(i, i + 3)}`;
  return out;
}

/**
 * Euro cents as Italians write an amount: `123456` → `€ 1.234,56`, always two decimals.
 * Works on the digit string, so no floating-point division can turn 29 cents into 0,28.
 * Throws `RangeError` for anything but a non-negative safe integer: callers validate first.
 */
export function formatEuro(cents: number): string {
  if (!Number.isSafeInteger(cents) || cents < 0) {
    throw new RangeError(`formatEuro expects a non-negative integer number of cents (got ${cents})`);
  }
  const s = String(cents).padStart(3, '0');
  return `€ ${groupThousands(s.slice(0, -2))},${s.slice(-2)}`;
}

/**
 * Rewrites JS exponent notation (`1e+21`, `1.5e-7`) as plain decimal digits by moving the
 * decimal point in the string, so the digits shown are exactly the ones `String(n)` chose.
 */
function plainDecimal(s: string): string {
  const e = s.indexOf('e');
  if (e < 0) return s;
  const exp = Number(s.slice(e + 1));
  const [int, frac = ''] = s.slice(0, e).split('.');
  const digits = int + frac;
  const point = int.length + exp;
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * A number the Italian way: `12345.5` → `12.345,5`, `-3` → `-3`. As in CLDR's Italian locale, a
 * four-digit integer part is not grouped (`2026`, `1234,5`): a year or a count in a letter must
 * not read `2.026`. Decimals are those of the
 * shortest form that reads back as the same number (`String(n)`): none are added or rounded.
 * Throws `RangeError` for NaN and infinities.
 */
export function formatItalianNumber(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`formatItalianNumber expects a finite number (got ${n})`);
  const sign = n < 0 ? '-' : '';
  const [int, frac] = plainDecimal(String(Math.abs(n))).split('.');
  const grouped = int.length > 4 ? groupThousands(int) : int;
  return frac === undefined ? sign + grouped : `${sign}${grouped},${frac}`;
}
