import type { IncomingMessage } from 'node:http';
import { errors } from 'oidc-provider';

/** The interaction forms carry one short field; anything bigger is not ours. */
const LIMIT = 8 * 1024;

/**
 * Reads an `application/x-www-form-urlencoded` body from the raw request. The mount leaves the
 * stream unread; if some upstream parser consumed it anyway, its `req.body` object is used.
 */
export async function readForm(req: IncomingMessage & { body?: unknown }): Promise<URLSearchParams> {
  if (!req.readable) {
    const body = req.body;
    if (body && typeof body === 'object') return new URLSearchParams(body as Record<string, string>);
    return new URLSearchParams(typeof body === 'string' ? body : '');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > LIMIT) throw new errors.InvalidRequest('form body too large', 413);
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
