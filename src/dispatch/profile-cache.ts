/**
 * Recent profile answers per service and citizen, so that a second message to the same citizen
 * within GENIO_PROFILE_CACHE costs no profile call.
 *
 * Kept in this process's memory, not in the database. Stored in a table, each answer went to a
 * random place of the table's key: about three pages written to SQLite's log per message sent,
 * the largest share of the dispatcher's writes (bench/dispatch.ts: ~10 % fewer messages/s). A
 * cache may forget: after a restart, or in another process of a cluster, a citizen costs one
 * profile call more. It never answers from an answer older than the cache time.
 */

/** 1: may receive; 0: has blocked the service; -1: not on IO (or inbox off). */
export type ProfileAnswer = 1 | 0 | -1;

/**
 * Whose answer: a service's, about a citizen, from IO or from the sandbox's simulator (whose
 * invented citizens must never decide a real message).
 */
export interface ProfileKey {
  serviceId: string;
  fiscalCode: string;
  sandbox: boolean;
}

const keyOf = (k: ProfileKey) => `${k.sandbox ? 'sandbox' : 'io'}:${k.serviceId}:${k.fiscalCode}`;

/** About 100 bytes each: 200 000 answers hold ~20 MiB, a few hours of one account's budget. */
export const PROFILE_CACHE_ENTRIES = 200_000;

/** Expired answers are dropped every this many answers stored. */
export const PRUNE_EVERY = 1024;

export class ProfileCache {
  /** keyOf → when it was asked × 4 + answer + 1; oldest first (a Map keeps insertion order). */
  private readonly answers = new Map<string, number>();
  private sets = 0;

  constructor(
    private readonly maxAgeMs: number,
    private readonly maxEntries = PROFILE_CACHE_ENTRIES,
  ) {}

  get size(): number {
    return this.answers.size;
  }

  /** The answer asked at or after `now - maxAge`, if any. */
  get(k: ProfileKey, now: number): ProfileAnswer | undefined {
    const key = keyOf(k);
    const packed = this.answers.get(key);
    if (packed === undefined) return undefined;
    const checkedAt = Math.floor(packed / 4);
    if (checkedAt < now - this.maxAgeMs) {
      this.answers.delete(key);
      return undefined;
    }
    return ((packed % 4) - 1) as ProfileAnswer;
  }

  set(k: ProfileKey, answer: ProfileAnswer, checkedAt: number): void {
    if (this.maxAgeMs <= 0) return;
    const key = keyOf(k);
    // Deleted first, so that the newest answer goes to the end: the oldest are always first.
    this.answers.delete(key);
    this.answers.set(key, checkedAt * 4 + answer + 1);
    // Expired answers are never used (get checks their age): dropping them may wait a little.
    if (this.answers.size > this.maxEntries || ++this.sets % PRUNE_EVERY === 0) this.prune(checkedAt);
  }

  /** Drops the oldest answers: those past the cache time, and any beyond the size limit. */
  private prune(now: number): void {
    for (const [key, packed] of this.answers) {
      if (this.answers.size <= this.maxEntries && Math.floor(packed / 4) >= now - this.maxAgeMs) return;
      this.answers.delete(key);
    }
  }
}
