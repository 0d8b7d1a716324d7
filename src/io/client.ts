/**
 * The IO API client: the three calls a sending gateway makes (FACTS.md §2), over pooled keep-alive
 * connections, each with a deadline: `timeoutMs` to connect, then to get the answer's headers,
 * then between parts of its body (undici's own timers: an AbortSignal per call cost ~3 % of the
 * dispatcher's CPU). It never throws for an IO answer or a network failure: it returns an
 * IoCallResult for classify.ts to judge.
 */
import { Pool } from 'undici';
import type { IoCallResult } from './classify.ts';
import { parseRetryAfter } from './classify.ts';

/** The body of `POST /api/v1/messages` (NewMessage, FACTS.md §3): only fields GeNIO uses. */
export interface NewMessage {
  fiscal_code: string;
  content: {
    subject: string;
    markdown: string;
    due_date?: string;
    payment_data?: { amount: number; notice_number: string; invalid_after_due_date?: boolean; payee?: { fiscal_code: string } };
  };
}

export interface IoClient {
  readonly baseUrl: string;
  getProfile(key: string, fiscalCode: string): Promise<IoCallResult>;
  submitMessage(key: string, message: NewMessage): Promise<IoCallResult>;
  getMessage(key: string, fiscalCode: string, ioMessageId: string): Promise<IoCallResult>;
  close(): Promise<void>;
}

export function createIoClient(baseUrl: string, opts: { timeoutMs: number; connections: number }): IoClient {
  const url = new URL(baseUrl);
  const prefix = url.pathname.replace(/\/+$/, '');
  const pool = new Pool(url.origin, {
    connections: opts.connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    connect: { timeout: opts.timeoutMs },
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
  });

  async function call(method: 'GET' | 'POST', path: string, key: string, body?: unknown): Promise<IoCallResult> {
    try {
      const res = await pool.request({
        method,
        path: prefix + path,
        headers: {
          'ocp-apim-subscription-key': key,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      const text = await res.body.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* keep the text */
      }
      return { kind: 'response', status: res.statusCode, body: parsed, retryAfterSeconds: parseRetryAfter(res.headers) };
    } catch (err) {
      const e = err as Error & { name?: string; code?: string };
      // The request went out and no answer came in time: IO may have it (a connect time-out is a
      // network error: nothing was sent).
      if (e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT') return { kind: 'timeout' };
      return { kind: 'network', message: e.code ?? e.message };
    }
  }

  return {
    baseUrl,
    getProfile: (key, fiscalCode) => call('POST', '/api/v1/profiles', key, { fiscal_code: fiscalCode }),
    submitMessage: (key, message) => call('POST', '/api/v1/messages', key, message),
    getMessage: (key, fiscalCode, id) => call('GET', `/api/v1/messages/${encodeURIComponent(fiscalCode)}/${encodeURIComponent(id)}`, key),
    close: () => pool.close(),
  };
}
