/**
 * The IO API client: the three calls a sending gateway makes (FACTS.md §2), over pooled keep-alive
 * connections, each with a deadline: `timeoutMs` to connect, then to get the answer's headers,
 * then between parts of its body (undici's own timers: an AbortSignal per call cost ~3 % of the
 * dispatcher's CPU). It never throws for an IO answer or a network failure: it returns an
 * IoCallResult for classify.ts to judge.
 */
import { Pool, type Dispatcher } from 'undici';
import type { IoCallResult } from './classify.ts';
import { parseRetryAfter, retryAfterHeaderName } from './classify.ts';

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

  const jsonHeaders = { accept: 'application/json', 'content-type': 'application/json' };
  const getHeaders = { accept: 'application/json' };

  function call(method: 'GET' | 'POST', path: string, key: string, body?: unknown): Promise<IoCallResult> {
    return new Promise((resolve) => {
      pool.dispatch({
        method,
        path: prefix + path,
        headers: { 'ocp-apim-subscription-key': key, ...(body !== undefined ? jsonHeaders : getHeaders) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      }, new AnswerCollector(resolve));
    });
  }

  return {
    baseUrl,
    getProfile: (key, fiscalCode) => call('POST', '/api/v1/profiles', key, { fiscal_code: fiscalCode }),
    submitMessage: (key, message) => call('POST', '/api/v1/messages', key, message),
    getMessage: (key, fiscalCode, id) => call('GET', `/api/v1/messages/${encodeURIComponent(fiscalCode)}/${encodeURIComponent(id)}`, key),
    close: () => pool.close(),
  };
}

/**
 * Collects one answer through undici's dispatch API. `pool.request()` wraps every answer in a
 * Node stream and its promises; IO's answers are a few hundred bytes of JSON, gathered here in
 * the handler's own callbacks (bench/dispatch.ts: GeNIO's CPU per message ~10 % lower).
 */
class AnswerCollector implements Dispatcher.DispatchHandler {
  private status = 0;
  private retryAfter: Record<string, string> | null = null;
  private chunks: Buffer[] = [];

  constructor(private readonly resolve: (r: IoCallResult) => void) {}

  onConnect(): void {}

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.status = statusCode;
    // Only the two headers the classifier reads are decoded.
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = retryAfterHeaderName(rawHeaders[i]);
      if (name) (this.retryAfter ??= {})[name] ??= rawHeaders[i + 1].toString('latin1');
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    const text = this.chunks.length === 1 ? this.chunks[0].toString('utf8') : Buffer.concat(this.chunks).toString('utf8');
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* keep the text */
    }
    this.resolve({ kind: 'response', status: this.status, body: parsed, retryAfterSeconds: this.retryAfter ? parseRetryAfter(this.retryAfter) : null });
  }

  onError(err: Error & { code?: string }): void {
    // The request went out and no answer came in time: IO may have it (a connect time-out is a
    // network error: nothing was sent).
    if (err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT') this.resolve({ kind: 'timeout' });
    else this.resolve({ kind: 'network', message: err.code ?? err.message });
  }
}
