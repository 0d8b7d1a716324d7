/** The one-second cache of the API's per-request lookups: hits only, for its time, cleared on demand. */
import { describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { ShortCache } from '../../src/store/short-cache.ts';
import type { Schema } from '../../src/store/schema.ts';

describe('ShortCache', () => {
  const db = {} as Kysely<Schema>;
  const other = {} as Kysely<Schema>;

  it('reuses a found row for its time, then asks again', async () => {
    const cache = new ShortCache<string>(1000);
    let loads = 0;
    const load = async () => `row ${++loads}`;
    expect(await cache.get(db, 'k', load, 0)).toBe('row 1');
    expect(await cache.get(db, 'k', load, 999)).toBe('row 1');
    expect(await cache.get(db, 'k', load, 1000)).toBe('row 2');
    expect(await cache.get(other, 'k', load, 1000)).toBe('row 3'); // per database handle
  });

  it('never keeps a miss: a row created elsewhere is seen at once', async () => {
    const cache = new ShortCache<string>(1000);
    let exists = false;
    const load = async () => (exists ? 'new key' : undefined);
    expect(await cache.get(db, 'k', load, 0)).toBeUndefined();
    exists = true;
    expect(await cache.get(db, 'k', load, 1)).toBe('new key');
  });

  it('forgets everything of a handle when cleared (a revocation in this process)', async () => {
    const cache = new ShortCache<string>(1000);
    let live = true;
    const load = async () => (live ? 'key' : undefined);
    expect(await cache.get(db, 'k', load, 0)).toBe('key');
    live = false;
    expect(await cache.get(db, 'k', load, 1)).toBe('key');
    cache.clear(db);
    expect(await cache.get(db, 'k', load, 2)).toBeUndefined();
  });
});
