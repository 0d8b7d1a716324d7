/** Shared fixtures for the IO simulator tests: services, citizens, payloads and an HTTP helper. */
import type { SimService } from '../../src/io/simulator/index.ts';

/** IO's test citizen (fails the check letter, FACTS.md §10: IO only checks the pattern). */
export const TEST_CF = 'AAAAAA00A00A000A';
export const CF_ACTIVE = 'RSSMRA79B11C566R';
export const CF_NOT_FOUND = 'RSRNOU70S54S000L';
export const CF_INBOX_OFF = 'BBBBBB00A00A000B';
export const CF_BLOCKED = 'CCCCCC00A00A000C';

export const SVC_A: SimService = {
  serviceId: '01HSVCA0000000000000000000',
  account: 'acc-1',
  primaryKey: 'key-a-primary',
  secondaryKey: 'key-a-secondary',
  maxAllowedPaymentAmount: 100_000,
  organizationFiscalCode: '00907501001',
};
/** Same account as A: shares its rate limit. */
export const SVC_B: SimService = { serviceId: '01HSVCB0000000000000000000', account: 'acc-1', primaryKey: 'key-b-primary', secondaryKey: 'key-b-secondary' };
/** Another account. */
export const SVC_C: SimService = { serviceId: '01HSVCC0000000000000000000', account: 'acc-2', primaryKey: 'key-c-primary', secondaryKey: 'key-c-secondary' };
/** Limited (test) mode: only the test CF. */
export const SVC_LIMITED: SimService = {
  serviceId: '01HSVCL0000000000000000000',
  account: 'acc-3',
  primaryKey: 'key-l-primary',
  secondaryKey: 'key-l-secondary',
  limitedRecipients: [TEST_CF],
};

export const SUBJECT = 'Scadenza carta di identità';
export const MARKDOWN = 'Gentile cittadina, gentile cittadino,\n\nla tua carta di identità scade tra trenta giorni. Prenota il rinnovo sul sito del Comune.';

export function newMessage(fiscalCode: string, content: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { fiscal_code: fiscalCode, content: { subject: SUBJECT, markdown: MARKDOWN, ...content }, ...extra };
}

export interface HttpResult {
  status: number;
  headers: Headers;
  body: any;
}

/** One HTTP call; `key` null sends no subscription key. */
export async function call(
  base: string,
  method: string,
  path: string,
  opts: { key?: string | null; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key) headers['Ocp-Apim-Subscription-Key'] = opts.key;
  if (opts.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, {
    method,
    headers,
    body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
    signal: opts.signal,
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // keep the raw text
  }
  return { status: res.status, headers: res.headers, body };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
