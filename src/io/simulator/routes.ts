/**
 * The IO paths the simulator answers (FACTS.md §2) and how they map to operations. Everything
 * else gets APIM's `404 {"statusCode":404,"message":"Resource not found"}`, before any key check,
 * as APIM matches the operation first.
 */
import type { IoOperation } from './types.ts';

export interface RouteMatch {
  operation: IoOperation;
  /** Fiscal code taken from the path (deprecated variants and getMessage), still undecoded. */
  pathFiscalCode?: string;
  messageId?: string;
}

const PROFILES = '/api/v1/profiles';
const MESSAGES = '/api/v1/messages';

export function matchRoute(method: string | undefined, pathname: string): RouteMatch | undefined {
  if (method === 'POST') {
    if (pathname === PROFILES) return { operation: 'getProfile' };
    // io-messages declares the body variant as path `/` under basePath: both spellings reach it.
    if (pathname === MESSAGES || pathname === `${MESSAGES}/`) return { operation: 'submitMessage' };
    const seg = segments(pathname, MESSAGES, 1);
    if (seg) return { operation: 'submitMessage', pathFiscalCode: seg[0] };
    return undefined;
  }
  if (method === 'GET') {
    const msg = segments(pathname, MESSAGES, 2);
    if (msg) return { operation: 'getMessage', pathFiscalCode: msg[0], messageId: msg[1] };
    // Deprecated getProfile (GET /profiles/{fiscal_code}), still served by IO.
    const prof = segments(pathname, PROFILES, 1);
    if (prof) return { operation: 'getProfile', pathFiscalCode: prof[0] };
  }
  return undefined;
}

/** The `count` non-empty, URL-decoded segments after `prefix/`, or undefined. */
function segments(pathname: string, prefix: string, count: number): string[] | undefined {
  if (!pathname.startsWith(`${prefix}/`)) return undefined;
  const parts = pathname.slice(prefix.length + 1).split('/');
  if (parts.length !== count || parts.some((p) => p === '')) return undefined;
  try {
    return parts.map((p) => decodeURIComponent(p));
  } catch {
    return undefined;
  }
}
