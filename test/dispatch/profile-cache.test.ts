/** The profile cache: answers within the cache time, per service, citizen and IO or sandbox; bounded in size. */
import { describe, expect, it } from 'vitest';
import { PRUNE_EVERY, ProfileCache } from '../../src/dispatch/profile-cache.ts';

const key = (fiscalCode: string, over: Partial<{ serviceId: string; sandbox: boolean }> = {}) => ({ serviceId: 's1', fiscalCode, sandbox: false, ...over });

describe('profile cache', () => {
  it('answers each of the three answers until the cache time has passed, then forgets', () => {
    const cache = new ProfileCache(1000);
    cache.set(key('A'), 1, 10_000);
    cache.set(key('B'), 0, 10_000);
    cache.set(key('C'), -1, 10_000);
    expect([cache.get(key('A'), 11_000), cache.get(key('B'), 11_000), cache.get(key('C'), 11_000)]).toEqual([1, 0, -1]);
    expect(cache.get(key('A'), 11_001)).toBeUndefined();
    expect(cache.get(key('D'), 10_000)).toBeUndefined();
  });

  it('keeps answers apart by service and between IO and the sandbox', () => {
    const cache = new ProfileCache(1000);
    cache.set(key('A', { sandbox: true }), -1, 0);
    cache.set(key('A', { serviceId: 's2' }), 0, 0);
    expect(cache.get(key('A'), 0)).toBeUndefined();
    expect(cache.get(key('A', { sandbox: true }), 0)).toBe(-1);
    expect(cache.get(key('A', { serviceId: 's2' }), 0)).toBe(0);
  });

  it('a newer answer replaces the older one and counts from its own time', () => {
    const cache = new ProfileCache(1000);
    cache.set(key('A'), 1, 0);
    cache.set(key('A'), 0, 900);
    expect(cache.get(key('A'), 1800)).toBe(0);
  });

  it('holds at most its size, dropping the oldest answers first', () => {
    const cache = new ProfileCache(1000, 3);
    for (const [i, cf] of ['A', 'B', 'C', 'D'].entries()) cache.set(key(cf), 1, i);
    expect(cache.size).toBe(3);
    expect(cache.get(key('A'), 10)).toBeUndefined();
    expect(cache.get(key('D'), 10)).toBe(1);
  });

  it('drops expired answers as new ones come', () => {
    const cache = new ProfileCache(1000);
    for (let i = 0; i < 10; i++) cache.set(key(`old${i}`), 1, 0);
    for (let i = 0; i < PRUNE_EVERY; i++) cache.set(key(`new${i}`), 1, 5000);
    expect(cache.size).toBe(PRUNE_EVERY);
  });

  it('keeps nothing when the cache time is zero', () => {
    const cache = new ProfileCache(0);
    cache.set(key('A'), 1, 0);
    expect(cache.get(key('A'), 0)).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
