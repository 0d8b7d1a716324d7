import type { Check } from './field-error.ts';

const PLAIN_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ROME_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;

const DAY_MS = 86_400_000;

/**
 * Wall-clock reader for Italy. Created once: building Intl formatters is costly, and this one is
 * immutable, so sharing it keeps the module free of state that matters.
 */
const ROME = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Europe/Rome',
  hourCycle: 'h23',
  era: 'short',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return [31, isLeapYear(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}

/** True when the fields name a real calendar moment (no 30 February, no 24:00, no leap second). */
function isRealWallTime(y: number, m: number, d: number, hh: number, mm: number, ss: number): boolean {
  return (
    Number.isInteger(y) && y >= 1 && y <= 9999 &&
    Number.isInteger(m) && m >= 1 && m <= 12 &&
    Number.isInteger(d) && d >= 1 && d <= daysInMonth(y, m) &&
    Number.isInteger(hh) && hh >= 0 && hh <= 23 &&
    Number.isInteger(mm) && mm >= 0 && mm <= 59 &&
    Number.isInteger(ss) && ss >= 0 && ss <= 59
  );
}

/** Epoch milliseconds of fields read as UTC; unlike `Date.UTC`, years 0–99 are not moved to 19xx. */
function utcMillis(y: number, m: number, d: number, hh: number, mm: number, ss: number, ms = 0): number {
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  t.setUTCHours(hh, mm, ss, ms);
  return t.getTime();
}

/** Offset of Italian wall time from UTC at instant `t`, in milliseconds (+1 h CET, +2 h CEST). */
/**
 * Rome's offset changes only on whole hours, so it is remembered per UTC hour: formatToParts
 * costs tens of microseconds, and every message with a due date needs it (bench/accept.ts).
 */
const offsetByHour = new Map<number, number>();

function romeOffsetAt(t: number): number {
  const hour = Math.floor(t / 3_600_000);
  let offset = offsetByHour.get(hour);
  if (offset === undefined) {
    offset = computeRomeOffsetAt(hour * 3_600_000);
    if (offsetByHour.size > 50_000) offsetByHour.clear();
    offsetByHour.set(hour, offset);
  }
  return offset;
}

function computeRomeOffsetAt(t: number): number {
  const whole = Math.floor(t / 1000) * 1000;
  const f: Record<string, string> = {};
  for (const p of ROME.formatToParts(new Date(whole))) f[p.type] = p.value;
  const year = f.era === 'BC' || f.era === 'B' ? 1 - Number(f.year) : Number(f.year);
  const wall = utcMillis(year, Number(f.month), Number(f.day), Number(f.hour), Number(f.minute), Number(f.second));
  return wall - whole;
}

/**
 * Converts an Italian wall-clock time to the UTC instant IO wants, using the real time-zone
 * rules (FACTS.md §9 warns that fixed offsets and hand-made DST rules have produced wrong dates).
 *
 * The two yearly anomalies are resolved deterministically, so the same input always yields the
 * same instant: a time that does not exist (spring-forward gap, e.g. 02:30 on the last Sunday of
 * March) moves forward by one hour (03:30 CEST); a time that occurs twice (autumn fall-back,
 * 02:30 on the last Sunday of October) takes its first occurrence (CEST).
 * Throws `RangeError` for impossible fields: callers validate user input first.
 */
export function romeWallTimeToUtc(y: number, m: number, d: number, hh: number, mm: number, ss: number): Date {
  if (!isRealWallTime(y, m, d, hh, mm, ss)) {
    throw new RangeError(`not a real wall-clock time: ${y}-${m}-${d} ${hh}:${mm}:${ss}`);
  }
  const wall = utcMillis(y, m, d, hh, mm, ss);
  // Rome changes offset at most twice a year, so a day either side brackets at most one change.
  const before = romeOffsetAt(wall - DAY_MS);
  const after = romeOffsetAt(wall + DAY_MS);
  if (before === after) return new Date(wall - before);

  const withBefore = wall - before;
  if (romeOffsetAt(withBefore) === before) return new Date(withBefore); // before the change, or first of two
  const withAfter = wall - after;
  if (romeOffsetAt(withAfter) === after) return new Date(withAfter); // after the change
  return new Date(withBefore); // in the gap: the old offset pushes it forward by the gap length
}

/**
 * Formats an instant the way IO documents timestamps: UTC with `Z`, whole seconds
 * (milliseconds are truncated, never rounded up past a deadline), e.g. `2026-03-29T21:59:59Z`.
 */
export function toIoTimestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const INVALID_DATE = (what: string): Check<Date> => ({
  ok: false,
  code: 'invalid_date',
  message: `${what} is not a real calendar date and time (check day of month, hours, minutes and offset)`,
});

const DATE_TIME_FORMAT_HELP =
  'an ISO 8601 instant with Z or ±HH:MM offset (2026-03-29T21:59:59Z) or a date-time in Italian time (2026-03-29T23:59)';

/**
 * Parses a date-time that names one instant: an ISO 8601 instant with `Z` or `±HH:MM` offset,
 * or a zone-less `YYYY-MM-DDTHH:MM(:SS)?` read as Italian wall time (what an ente's operator
 * means when they type a time). A plain date is refused (`format`), because for a schedule it
 * would be ambiguous which time of day is meant. Codes: `format`, `invalid_date`.
 */
export function parseDateTime(raw: string): Check<Date> {
  const s = raw.trim();
  const local = ROME_DATE_TIME.exec(s);
  if (local) {
    const [y, m, d, hh, mm, ss] = local.slice(1, 7).map((v) => (v === undefined ? 0 : Number(v)));
    if (!isRealWallTime(y, m, d, hh, mm, ss)) return INVALID_DATE('date-time');
    return { ok: true, value: romeWallTimeToUtc(y, m, d, hh, mm, ss) };
  }
  const instant = INSTANT.exec(s);
  if (instant) {
    const [y, m, d, hh, mm, ss] = instant.slice(1, 7).map((v) => (v === undefined ? 0 : Number(v)));
    if (!isRealWallTime(y, m, d, hh, mm, ss)) return INVALID_DATE('date-time');
    const ms = instant[7] === undefined ? 0 : Number(instant[7].padEnd(3, '0').slice(0, 3));
    const zone = instant[8];
    let offsetMinutes = 0;
    if (zone !== 'Z') {
      const oh = Number(zone.slice(1, 3));
      const om = Number(zone.slice(4, 6));
      if (oh > 23 || om > 59) return INVALID_DATE('date-time');
      offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
    }
    return { ok: true, value: new Date(utcMillis(y, m, d, hh, mm, ss, ms) - offsetMinutes * 60_000) };
  }
  return { ok: false, code: 'format', message: `date-time must be ${DATE_TIME_FORMAT_HELP}` };
}

/**
 * Parses the due date an ente gives for a message into the instant to send to IO.
 * Besides the forms of {@link parseDateTime}, a plain `YYYY-MM-DD` means "by the end of that day
 * in Italy" (23:59:59 Europe/Rome): IO's docs warn that midnight UTC makes the app show the
 * previous day (FACTS.md §9). Codes: `format`, `invalid_date` (e.g. 2026-02-30).
 */
export function parseDueDate(raw: string): Check<Date> {
  // The rows of a campaign mostly share one due date: the last answer is kept (as a number, so
  // no caller ever shares a Date object).
  if (lastDue && lastDue.raw === raw) return lastDue.result.ok ? { ok: true, value: new Date(lastDue.result.value) } : lastDue.result;
  const result = parseDueDateUncached(raw);
  lastDue = { raw, result: result.ok ? { ok: true, value: result.value.getTime() } : result };
  return result;
}

let lastDue: { raw: string; result: Check<number> } | null = null;

function parseDueDateUncached(raw: string): Check<Date> {
  const s = raw.trim();
  const plain = PLAIN_DATE.exec(s);
  if (plain) {
    const [y, m, d] = plain.slice(1, 4).map(Number);
    if (!isRealWallTime(y, m, d, 23, 59, 59)) return INVALID_DATE('due date');
    return { ok: true, value: romeWallTimeToUtc(y, m, d, 23, 59, 59) };
  }
  const parsed = parseDateTime(s);
  if (parsed.ok || parsed.code !== 'format') return parsed;
  return {
    ok: false,
    code: 'format',
    message: `due date must be a date (2026-03-29, meaning 23:59:59 Italian time) or ${DATE_TIME_FORMAT_HELP}`,
  };
}
