/**
 * Where GeNIO POSTs the status changes of an API key's messages (README, "Callbacks"). One rule
 * for the admin command line and the web UI: an absolute http(s) URL, without a user name or
 * password (callbacks are signed instead, and credentials in a URL end up in logs).
 */
import type { Check } from './field-error.ts';

/** Longer than any real endpoint; bounds what is stored and logged. */
export const CALLBACK_URL_MAX = 2000;

/** The URL normalized (`new URL(…).toString()`), or why it is refused. */
export function checkCallbackUrl(raw: string): Check<string> {
  const v = raw.trim();
  if (v.length > CALLBACK_URL_MAX) return { ok: false, code: 'too_long', message: `must be at most ${CALLBACK_URL_MAX} characters (got ${v.length})` };
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return { ok: false, code: 'invalid_url', message: `must be an http(s) URL (got "${raw}")` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, code: 'protocol', message: `must be an http(s) URL (got "${url.protocol}")` };
  if (url.username || url.password) return { ok: false, code: 'credentials', message: 'must not carry a user name or password: callbacks are signed instead' };
  return { ok: true, value: url.toString() };
}
