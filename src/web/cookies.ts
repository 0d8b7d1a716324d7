/**
 * The web UI's two cookies. `genio_session` holds the session token; `genio_login` holds, for ten
 * minutes, the state, nonce and PKCE verifier of a login in progress, encrypted so the browser can
 * carry them without reading or changing them. Both are httpOnly and SameSite=Lax (Lax: the
 * provider's redirect back is a cross-site navigation that must carry the login cookie).
 */
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { decryptSecret, encryptSecret } from '../store/secrets.ts';

export const SESSION_COOKIE = 'genio_session';
export const LOGIN_COOKIE = 'genio_login';
export const LOGIN_MAX_MS = 10 * 60_000;

/**
 * Secure unless the public address is plain http on another host than this machine: browsers
 * treat http://localhost as secure, so `npm start` works, while a production http address cannot
 * carry the session (and GeNIO warns at start).
 */
export function secureCookies(publicUrl: string): boolean {
  const url = new URL(publicUrl);
  return url.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

export interface CookieJar {
  secure: boolean;
  /** Derived from the master key: a login cookie cannot be forged or read. */
  loginKey: Buffer;
}

export function cookieJar(publicUrl: string, masterKey: Buffer): CookieJar {
  const loginKey = Buffer.from(crypto.hkdfSync('sha256', masterKey, Buffer.alloc(0), 'genio web login cookie', 32));
  return { secure: secureCookies(publicUrl), loginKey };
}

function options(jar: CookieJar, maxAgeMs?: number) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: jar.secure, ...(maxAgeMs !== undefined ? { maxAge: Math.floor(maxAgeMs / 1000) } : {}) };
}

export function setSessionCookie(reply: FastifyReply, jar: CookieJar, token: string): void {
  // No max-age: a browser session cookie; the server's idle and absolute limits decide.
  reply.setCookie(SESSION_COOKIE, token, options(jar));
}

export function clearCookie(reply: FastifyReply, jar: CookieJar, name: string): void {
  reply.clearCookie(name, options(jar));
}

export interface LoginState {
  state: string;
  nonce: string;
  verifier: string;
  /** Where the person was going when asked to log in (a path on GeNIO). */
  returnTo: string;
  at: number;
}

export function setLoginCookie(reply: FastifyReply, jar: CookieJar, value: LoginState): void {
  reply.setCookie(LOGIN_COOKIE, encryptSecret(jar.loginKey, JSON.stringify(value)), options(jar, LOGIN_MAX_MS));
}

export function readLoginCookie(request: FastifyRequest, jar: CookieJar, now: number): LoginState | null {
  const raw = request.cookies[LOGIN_COOKIE];
  if (!raw) return null;
  try {
    const value = JSON.parse(decryptSecret(jar.loginKey, raw)) as LoginState;
    return now - value.at < LOGIN_MAX_MS ? value : null;
  } catch {
    return null;
  }
}

/** Only a path on this site: an open redirect after login would hand the session's first page to anyone. */
export function safeReturnPath(raw: unknown): string {
  return typeof raw === 'string' && /^\/(?![/\\])[^\s]*$/.test(raw) ? raw : '/';
}
