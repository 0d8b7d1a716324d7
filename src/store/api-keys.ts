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

export function apiKeyServiceIds(k: ApiKey): string[] | null {
  return k.service_ids ? (JSON.parse(k.service_ids) as string[]) : null;
}
