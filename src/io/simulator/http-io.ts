/**
 * Low-level HTTP plumbing on node:http (no framework: the simulator is driven at thousands of
 * requests/s in benchmarks, and must control every byte IO would send).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Reply } from './responses.ts';

/** Bigger bodies get APIM-style 413; IO messages are at most ~10 kB of markdown. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Reads the whole body; resolves `too-large` beyond {@link MAX_BODY_BYTES}, rejects if the client aborts. */
export function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooBig = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooBig ? 'too-large' : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** JSON when it parses, else the raw text; undefined for an empty body. */
export function parseLoose(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * What IO's backend sees as body: the parsed JSON only when sent as JSON; otherwise nothing, which
 * then fails decoding with 400 (the errori-comuni "body not sent as JSON" case, FACTS.md §3).
 */
export function jsonBodyFor(contentType: string | undefined, raw: Buffer): unknown {
  if (raw.length === 0 || !isJsonMediaType(contentType)) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

function isJsonMediaType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const media = contentType.split(';', 1)[0].trim().toLowerCase();
  return media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'));
}

export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function send(res: ServerResponse, reply: Reply, extraHeaders?: Record<string, string>): void {
  if (res.destroyed || res.headersSent) return;
  const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
  const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(payload) };
  if (reply.contentType && payload !== '') headers['content-type'] = reply.contentType;
  if (reply.headers) Object.assign(headers, reply.headers);
  if (extraHeaders) Object.assign(headers, extraHeaders);
  res.writeHead(reply.status, headers);
  res.end(payload);
}
