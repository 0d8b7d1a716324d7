/**
 * Recent profile answers per service and citizen, so a second message to the same citizen within
 * GENIO_PROFILE_CACHE costs no profile call. Keyed by a hash of the fiscal code: equality is all
 * the cache needs.
 */
import type { Kysely } from 'kysely';
import type { Schema } from './schema.ts';
import { sha256Hex } from './secrets.ts';

/** 1: may receive; 0: has blocked the service; -1: not on IO (or inbox off). */
export type ProfileAnswer = 1 | 0 | -1;

export async function getCachedProfile(db: Kysely<Schema>, serviceId: string, fiscalCode: string, notBefore: number): Promise<ProfileAnswer | undefined> {
  const row = await db
    .selectFrom('profile_cache')
    .select(['sender_allowed'])
    .where('service_id', '=', serviceId)
    .where('fiscal_code_hash', '=', sha256Hex(fiscalCode))
    .where('checked_at', '>=', notBefore)
    .executeTakeFirst();
  return row ? (row.sender_allowed as ProfileAnswer) : undefined;
}

export async function putCachedProfile(db: Kysely<Schema>, serviceId: string, fiscalCode: string, answer: ProfileAnswer, now: number): Promise<void> {
  await db
    .insertInto('profile_cache')
    .values({ service_id: serviceId, fiscal_code_hash: sha256Hex(fiscalCode), sender_allowed: answer, checked_at: now })
    .onConflict((oc) => oc.columns(['service_id', 'fiscal_code_hash']).doUpdateSet({ sender_allowed: answer, checked_at: now }))
    .execute();
}
