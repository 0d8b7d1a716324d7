/**
 * Recent profile answers per service and citizen, so a second message to the same citizen within
 * GENIO_PROFILE_CACHE costs no profile call. Keyed by a hash of the fiscal code: equality is all
 * the cache needs. Reads and writes come in batches: the dispatcher looks up a whole claim at once
 * and writes new answers with the outcomes of the same round.
 */
import { sql, type Kysely } from 'kysely';
import type { Schema } from './schema.ts';
import { sha256Hex } from './secrets.ts';

/** 1: may receive; 0: has blocked the service; -1: not on IO (or inbox off). */
export type ProfileAnswer = 1 | 0 | -1;

export interface ProfileKey {
  serviceId: string;
  fiscalCode: string;
}

export interface ProfileEntry extends ProfileKey {
  answer: ProfileAnswer;
  checkedAt: number;
}

export const profileKey = (k: ProfileKey) => `${k.serviceId}:${k.fiscalCode}`;

export async function getCachedProfile(db: Kysely<Schema>, serviceId: string, fiscalCode: string, notBefore: number): Promise<ProfileAnswer | undefined> {
  return (await getCachedProfiles(db, [{ serviceId, fiscalCode }], notBefore)).get(profileKey({ serviceId, fiscalCode }));
}

/** Fresh answers for many (service, citizen) pairs, keyed by profileKey. */
export async function getCachedProfiles(db: Kysely<Schema>, keys: ProfileKey[], notBefore: number): Promise<Map<string, ProfileAnswer>> {
  const found = new Map<string, ProfileAnswer>();
  if (!keys.length) return found;
  const byHash = new Map(keys.map((k) => [`${k.serviceId}:${sha256Hex(k.fiscalCode)}`, profileKey(k)]));
  const rows = await db
    .selectFrom('profile_cache')
    .select(['service_id', 'fiscal_code_hash', 'sender_allowed'])
    .where((eb) => eb.or(keys.map((k) => eb.and([eb('service_id', '=', k.serviceId), eb('fiscal_code_hash', '=', sha256Hex(k.fiscalCode))]))))
    .where('checked_at', '>=', notBefore)
    .execute();
  for (const r of rows) {
    const key = byHash.get(`${r.service_id}:${r.fiscal_code_hash}`);
    if (key) found.set(key, r.sender_allowed as ProfileAnswer);
  }
  return found;
}

/** Stores answers (the latest wins), inside the caller's transaction. */
export async function putCachedProfiles(db: Kysely<Schema>, entries: ProfileEntry[]): Promise<void> {
  const latest = new Map(entries.map((e) => [profileKey(e), e]));
  const rows = [...latest.values()].map((e) => ({ service_id: e.serviceId, fiscal_code_hash: sha256Hex(e.fiscalCode), sender_allowed: e.answer, checked_at: e.checkedAt }));
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('profile_cache')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.columns(['service_id', 'fiscal_code_hash']).doUpdateSet({ sender_allowed: sql`excluded.sender_allowed`, checked_at: sql`excluded.checked_at` }))
      .execute();
  }
}

export async function putCachedProfile(db: Kysely<Schema>, serviceId: string, fiscalCode: string, answer: ProfileAnswer, now: number): Promise<void> {
  await putCachedProfiles(db, [{ serviceId, fiscalCode, answer, checkedAt: now }]);
}
