/**
 * What an IO answer means for the message that caused it: the one place that reads IO's status
 * codes (FACTS.md §3, §4, §5, §7). Every dispatch path uses it; test/io/classify.test.ts holds the table.
 */

export type IoOperation = 'getProfile' | 'submitMessage' | 'getMessage';

export type IoCallResult =
  | { kind: 'response'; status: number; body: unknown; retryAfterSeconds: number | null }
  | { kind: 'timeout' }
  | { kind: 'network'; message: string };

export type Verdict =
  | { action: 'ok' }
  /** 429: the whole IO account must wait this long (FACTS.md §7). */
  | { action: 'rate_limited'; retryAfterMs: number }
  /** Transient (5xx, time-out, connection error): try again later with back-off. */
  | { action: 'retry'; reason: string }
  /** Permanent for this message: IO will answer the same again. */
  | { action: 'fail'; reason: string }
  /** The citizen cannot receive from this service. */
  | { action: 'reject'; reason: string }
  /** IO refused the key (401), or the service behind it (403 other than a recipient refusal). */
  | { action: 'key_refused'; reason: string };

/** When IO sends no usable hint after a 429, wait one full window (5 s, FACTS.md §7). */
export const DEFAULT_RETRY_AFTER_MS = 5000;

/** IO's error text: ProblemJson `title`/`detail` or APIM's `message`, bounded for storage. */
export function ioErrorText(body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const parts = [b.title, b.detail, b.message].filter((x): x is string => typeof x === 'string' && x.length > 0);
    if (parts.length) return parts.join(': ').slice(0, 500);
  }
  if (typeof body === 'string' && body) return body.slice(0, 500);
  return 'no details';
}

export function classifyIoResult(operation: IoOperation, r: IoCallResult): Verdict {
  if (r.kind === 'timeout') return { action: 'retry', reason: `IO ${operation} timed out` };
  if (r.kind === 'network') return { action: 'retry', reason: `IO ${operation} connection error: ${r.message}` };
  const { status } = r;
  const text = ioErrorText(r.body);
  if (status >= 200 && status < 300) return { action: 'ok' };
  if (status === 429) {
    const ms = r.retryAfterSeconds !== null && r.retryAfterSeconds >= 0 ? r.retryAfterSeconds * 1000 : DEFAULT_RETRY_AFTER_MS;
    return { action: 'rate_limited', retryAfterMs: Math.max(ms, 1000) };
  }
  if (status >= 500) return { action: 'retry', reason: `IO answered ${status}: ${text}` };
  if (status === 401) return { action: 'key_refused', reason: `IO refused the key (401): ${text}` };
  if (status === 403) {
    // FACTS.md §3/§4: "Recipient forbidden" is about the citizen (limited mode, or not on IO), not the key.
    if (/recipient forbidden/i.test(text)) return { action: 'reject', reason: `IO refused the recipient (403): ${text}` };
    return { action: 'key_refused', reason: `IO refused the service (403): ${text}` };
  }
  if (status === 404 && operation === 'getProfile') return { action: 'reject', reason: 'citizen not on IO, or their inbox is off (profile 404)' };
  if (status === 404 && operation === 'getMessage') return { action: 'fail', reason: 'IO does not know this message (404)' };
  if (status === 408) return { action: 'retry', reason: `IO answered 408: ${text}` };
  return { action: 'fail', reason: `IO answered ${status}: ${text}` };
}

/** The headers that say how long to wait after a 429, IO's own first, in lower case. */
const RETRY_AFTER_HEADERS: readonly string[] = ['x-rate-limit-retry-after', 'retry-after'];
const RETRY_AFTER_LENGTHS = new Set(RETRY_AFTER_HEADERS.map((h) => h.length));

/** A raw header name, in lower case, if it is one parseRetryAfter reads; otherwise null (most are not even decoded). */
export function retryAfterHeaderName(raw: Buffer): string | null {
  if (!RETRY_AFTER_LENGTHS.has(raw.length)) return null;
  const name = raw.toString('latin1').toLowerCase();
  return RETRY_AFTER_HEADERS.includes(name) ? name : null;
}

/** Reads IO's retry hint: `x-rate-limit-retry-after` first (FACTS.md §7), then `Retry-After` (seconds or HTTP date). */
export function parseRetryAfter(headers: Record<string, string | string[] | undefined>, now = Date.now()): number | null {
  const pick = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  for (const name of RETRY_AFTER_HEADERS) {
    const v = pick(name)?.trim();
    if (!v) continue;
    if (/^\d+(\.\d+)?$/.test(v)) return Math.ceil(Number(v));
    // Only a real HTTP-date (RFC 9110 IMF-fixdate): Date.parse also reads junk like "-5" as a date.
    if (/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(v)) {
      const date = Date.parse(v);
      if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - now) / 1000));
    }
  }
  return null;
}
