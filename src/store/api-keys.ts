/** API keys of enti: stored as hashes, shown in clear only once, at creation. */
import type { Kysely } from 'kysely';
import type { ApiKeyTable, Schema } from './schema.ts';
import { newId } from './ids.ts';
import { ShortCache } from './short-cache.ts';
import { encryptSecret, newApiKey, newCallbackSecret, sha256Hex } from './secrets.ts';

export type ApiKey = ApiKeyTable;

export interface CreatedApiKey {
  apiKey: ApiKey;
  /** The key itself: give it to the ente now, it cannot be read again. */
  key: string;
  /** The callback signing secret, when a callback URL was given. */
  callbackSecret: string | null;
}

/** `masterKey` is needed only to store a callback secret; without a callback URL it may be null. */
export async function createApiKey(
  db: Kysely<Schema>,
  masterKey: Buffer | null,
  input: { enteId: string; serviceIds?: string[] | null; callbackUrl?: string | null; sandbox?: boolean },
  now = Date.now(),
): Promise<CreatedApiKey> {
  if (input.callbackUrl && !masterKey) throw new Error('a master key is needed to store the callback signing secret');
  const { key, prefix, hash } = newApiKey(!!input.sandbox);
  const callbackSecret = input.callbackUrl ? newCallbackSecret() : null;
  const apiKey: ApiKey = {
    id: newId(),
    ente_id: input.enteId,
    prefix,
    key_hash: hash,
    service_ids: input.serviceIds?.length ? JSON.stringify(input.serviceIds) : null,
    callback_url: input.callbackUrl ?? null,
    callback_secret_enc: callbackSecret && masterKey ? encryptSecret(masterKey, callbackSecret) : null,
    sandbox: input.sandbox ? 1 : 0,
    created_at: now,
    last_used_at: null,
    revoked_at: null,
  };
  await db.insertInto('api_keys').values(apiKey).execute();
  return { apiKey, key, callbackSecret };
}

/**
 * How long a found key is reused without asking the database. A key revoked through this process
 * stops at once; one revoked by another process (the CLI, another GeNIO) within this time.
 */
export const KEY_CACHE_MS = 1000;
const liveKeys = new ShortCache<ApiKey>(KEY_CACHE_MS);

/** The live key with this value, or undefined (unknown or revoked). */
export async function findApiKeyByValue(db: Kysely<Schema>, key: string): Promise<ApiKey | undefined> {
  const hash = sha256Hex(key);
  return liveKeys.get(db, hash, () => db.selectFrom('api_keys').selectAll().where('key_hash', '=', hash).where('revoked_at', 'is', null).executeTakeFirst());
}

export async function touchApiKey(db: Kysely<Schema>, id: string, now = Date.now()): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
}

export async function listApiKeys(db: Kysely<Schema>, enteId?: string): Promise<ApiKey[]> {
  let q = db.selectFrom('api_keys').selectAll();
  if (enteId) q = q.where('ente_id', '=', enteId);
  return q.orderBy('created_at').execute();
}

export async function getApiKey(db: Kysely<Schema>, id: string): Promise<ApiKey | undefined> {
  return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Revokes by id or by visible prefix; returns how many keys it revoked. */
export async function revokeApiKey(db: Kysely<Schema>, idOrPrefix: string, now = Date.now()): Promise<number> {
  const res = await db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where((eb) => eb.or([eb('id', '=', idOrPrefix), eb('prefix', '=', idOrPrefix)]))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  liveKeys.clear(db);
  return Number(res.numUpdatedRows);
}

/** The key `id` of this ente (live or revoked), or undefined: another ente's key is never found. */
export async function findEnteApiKey(db: Kysely<Schema>, enteId: string, id: string): Promise<ApiKey | undefined> {
  return db.selectFrom('api_keys').selectAll().where('ente_id', '=', enteId).where('id', '=', id).executeTakeFirst();
}

/**
 * Revokes the live key `id` of this ente; false when it has no such key or it was already
 * revoked. Requests with it are refused at once in this process (the key cache is cleared).
 */
export async function revokeEnteApiKey(db: Kysely<Schema>, enteId: string, id: string, now = Date.now()): Promise<boolean> {
  const res = await db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('ente_id', '=', enteId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  liveKeys.clear(db);
  return Number(res.numUpdatedRows) > 0;
}

/**
 * Sets or removes the callback URL of the live key `id` of this ente. A new signing secret is made
 * when asked (`newSecret`: the old one stops working) or when the key had none; it is returned in
 * clear this once, like the key itself. Removing the URL removes the secret. Undefined when the
 * ente has no such live key. The dispatcher sees the change at its next refresh (a few seconds).
 */
export async function setApiKeyCallback(
  db: Kysely<Schema>,
  masterKey: Buffer,
  enteId: string,
  id: string,
  input: { callbackUrl: string | null; newSecret?: boolean },
): Promise<{ apiKey: ApiKey; callbackSecret: string | null } | undefined> {
  const current = await findEnteApiKey(db, enteId, id);
  if (!current || current.revoked_at !== null) return undefined;
  let callbackSecret: string | null = null;
  let secretEnc: string | null = null;
  if (input.callbackUrl) {
    if (input.newSecret || !current.callback_secret_enc) {
      callbackSecret = newCallbackSecret();
      secretEnc = encryptSecret(masterKey, callbackSecret);
    } else {
      secretEnc = current.callback_secret_enc;
    }
  }
  const apiKey = await db
    .updateTable('api_keys')
    .set({ callback_url: input.callbackUrl, callback_secret_enc: secretEnc })
    .where('ente_id', '=', enteId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  liveKeys.clear(db);
  return apiKey && { apiKey, callbackSecret };
}

export function apiKeyServiceIds(k: ApiKey): string[] | null {
  return k.service_ids ? (JSON.parse(k.service_ids) as string[]) : null;
}
