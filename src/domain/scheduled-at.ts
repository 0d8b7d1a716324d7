/**
 * When a batch should go, as a person types it in a form or a program sends it to the API: a
 * date-time (an instant, or Italian wall time without a zone) that is not in the past. The API's
 * upload and confirm and the web UI's Invio massivo read it here, so all three agree.
 */
import type { Check } from './field-error.ts';
import { parseDateTime } from './due-date.ts';

/** How far in the past a schedule may be: the time it took to fill in the form, clocks that differ. */
export const SCHEDULE_TOLERANCE_MS = 60_000;

/** The instant in epoch ms. Codes: `format`, `invalid_date` (from parseDateTime), `in_the_past`. */
export function checkScheduledAt(raw: string, now: number): Check<number> {
  const at = parseDateTime(raw);
  if (!at.ok) return at;
  if (at.value.getTime() < now - SCHEDULE_TOLERANCE_MS) return { ok: false, code: 'in_the_past', message: 'scheduled_at must not be in the past' };
  return { ok: true, value: at.value.getTime() };
}
