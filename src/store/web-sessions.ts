/**
 * Web UI sessions. The browser holds a random token; the database holds its SHA-256, the
 * person, the login level and the CSRF token. Expiry is checked on every read: idle time since
 * `last_seen_at`, and the absolute `expires_at` set at login.
 */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Schema, WebSessionTable } from './schema.ts';
import { sha256Hex } from './secrets.ts';

export type WebSession = WebSessionTable & { fiscal_code: string; user_name: string | null };

/** last_seen_at is written at most this often (or a quarter of the idle limit): a write per page view is not needed. */
const TOUCH_EVERY_MS = 60_000;

export async function createWebSession(
  db: Kysely<Schema>,
  input: { userId: string; level: number; acr: string | null; idToken: string | null; maxMs: number },
  now = Date.now(),
): Promise<{ token: string; csrfToken: string }> {
  const token = crypto.randomBytes(32).toString('base64url');
  const csrfToken = crypto.randomBytes(32).toString('base64url');
  await db
    .insertInto('web_sessions')
    .values({ id: sha256Hex(token), user_id: input.userId, level: input.level, acr: input.acr, id_token: input.idToken, csrf_token: csrfToken, created_at: now, last_seen_at: now, expires_at: now + input.maxMs })
    .execute();
  await db.updateTable('users').set({ last_login_at: now }).where('id', '=', input.userId).execute();
  return { token, csrfToken };
}

/** The live session for a cookie token, or undefined (unknown, idle too long, or past its end: then deleted). */
export async function findWebSession(db: Kysely<Schema>, token: string, idleMs: number, now = Date.now()): Promise<WebSession | undefined> {
  const id = sha256Hex(token);
  const s = await db
    .selectFrom('web_sessions')
    .innerJoin('users', 'users.id', 'web_sessions.user_id')
    .selectAll('web_sessions')
    .select(['users.fiscal_code', 'users.name as user_name'])
    .where('web_sessions.id', '=', id)
    .executeTakeFirst();
  if (!s) return undefined;
  if (s.expires_at <= now || s.last_seen_at + idleMs <= now) {
    await db.deleteFrom('web_sessions').where('id', '=', id).execute();
    return undefined;
  }
  if (s.last_seen_at + Math.min(TOUCH_EVERY_MS, idleMs / 4) <= now) {
    await db.updateTable('web_sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
  }
  return s;
}

/** Ends a session; returns it (for the ID token to hand back to the provider) if it existed. */
export async function deleteWebSession(db: Kysely<Schema>, token: string): Promise<WebSessionTable | undefined> {
  const id = sha256Hex(token);
  const s = await db.selectFrom('web_sessions').selectAll().where('id', '=', id).executeTakeFirst();
  if (s) await db.deleteFrom('web_sessions').where('id', '=', id).execute();
  return s;
}

/** Drops sessions past their absolute end or idle too long. */
export async function purgeWebSessions(db: Kysely<Schema>, idleMs: number, now = Date.now()): Promise<number> {
  const r = await db
    .deleteFrom('web_sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', now - idleMs)]))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
