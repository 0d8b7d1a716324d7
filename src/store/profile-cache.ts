/**
 * Recent profile answers per service and citizen, so a second message to the same citizen within
 * GENIO_PROFILE_CACHE costs no profile call. Keyed by a hash of the fiscal code: equality is all
 * the cache needs. Reads and writes come in batches: the dispatcher looks up a whole claim at once
 * and writes new answers with the outcomes of the same round.
 */
import type { Kysely } from 'kysely';
import { repeatRows, runStatement } from './raw-statements.ts';
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
  // One row per (service, citizen) asked, by the hash stored in the cache.
  const byHash = new Map<string, { serviceId: string; hash: string; key: string }>();
  for (const k of keys) {
    const hash = sha256Hex(k.fiscalCode);
    byHash.set(`${k.serviceId}:${hash}`, { serviceId: k.serviceId, hash, key: profileKey(k) });
  }
  const asked = [...byHash.values()];
  for (let i = 0; i < asked.length; i += 500) {
    const part = asked.slice(i, i + 500);
    const rows = await runStatement<{ service_id: string; fiscal_code_hash: string; sender_allowed: number }>(
      db,
      `profiles|get|${part.length}`,
      () => `
        with k(service_id, fiscal_code_hash) as (values ${repeatRows(part.length, '(?, ?)')})
        select p.service_id, p.fiscal_code_hash, p.sender_allowed
        from k join profile_cache p on p.service_id = k.service_id and p.fiscal_code_hash = k.fiscal_code_hash
        where p.checked_at >= ?`,
      [...part.flatMap((a) => [a.serviceId, a.hash]), notBefore],
    );
    for (const r of rows) {
      const asked = byHash.get(`${r.service_id}:${r.fiscal_code_hash}`);
      if (asked) found.set(asked.key, r.sender_allowed as ProfileAnswer);
    }
  }
  return found;
}

/** Stores answers (the latest wins), inside the caller's transaction. */
export async function putCachedProfiles(db: Kysely<Schema>, entries: ProfileEntry[]): Promise<void> {
  const latest = new Map(entries.map((e) => [profileKey(e), e]));
  const rows = [...latest.values()];
  for (let i = 0; i < rows.length; i += 500) {
    const part = rows.slice(i, i + 500);
    await runStatement(
      db,
      `profiles|put|${part.length}`,
      () => `
        insert into profile_cache (service_id, fiscal_code_hash, sender_allowed, checked_at) values ${repeatRows(part.length, '(?, ?, ?, ?)')}
        on conflict (service_id, fiscal_code_hash) do update set sender_allowed = excluded.sender_allowed, checked_at = excluded.checked_at`,
      part.flatMap((e) => [e.serviceId, sha256Hex(e.fiscalCode), e.answer, e.checkedAt]),
    );
  }
}

export async function putCachedProfile(db: Kysely<Schema>, serviceId: string, fiscalCode: string, answer: ProfileAnswer, now: number): Promise<void> {
  await putCachedProfiles(db, [{ serviceId, fiscalCode, answer, checkedAt: now }]);
}
