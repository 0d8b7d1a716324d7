/**
 * A cache of found rows for at most `ttlMs`, per database handle: for the lookups every API
 * request makes (its key, its service), which were a third of an accept's cost
 * (bench/accept.ts: 1 420 → ~1 870 requests/s). Only hits are kept: a row created elsewhere is
 * seen at once; a change made elsewhere is seen within `ttlMs`; a change made through this
 * process clears the cache at once.
 */
import type { Kysely } from 'kysely';
import type { Schema } from './schema.ts';

export class ShortCache<T> {
  private readonly byDb = new WeakMap<Kysely<Schema>, Map<string, { value: T; at: number }>>();

  constructor(private readonly ttlMs: number, private readonly maxEntries = 10_000) {}

  async get(db: Kysely<Schema>, key: string, load: () => Promise<T | undefined>, now = Date.now()): Promise<T | undefined> {
    let entries = this.byDb.get(db);
    if (!entries) this.byDb.set(db, (entries = new Map()));
    const hit = entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const value = await load();
    if (value === undefined) entries.delete(key);
    else {
      if (entries.size >= this.maxEntries) entries.clear();
      entries.set(key, { value, at: now });
    }
    return value;
  }

  clear(db: Kysely<Schema>): void {
    this.byDb.get(db)?.clear();
  }
}
