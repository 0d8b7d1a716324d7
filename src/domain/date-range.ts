/** The bounds of a search by date ("created from … to …"), as the API's and the web's searches read them. */
import { parseDateTime } from './due-date.ts';

/**
 * A search bound: a plain date `2026-11-30` is the start of that day in Rome for `from`, and the
 * start of the next day for `to` (so "to 30 November" includes all of the 30th); an ISO instant
 * or Italian date-time is taken as it is. Null when it is neither.
 */
export function parseDateBound(raw: string, end: boolean): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  if (!m) {
    const d = parseDateTime(raw);
    return d.ok ? d.value.getTime() : null;
  }
  const day = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + (end ? 1 : 0)));
  if (!parseDateTime(`${raw}T00:00:00`).ok) return null;
  const d = parseDateTime(`${day.toISOString().slice(0, 10)}T00:00:00`);
  return d.ok ? d.value.getTime() : null;
}
