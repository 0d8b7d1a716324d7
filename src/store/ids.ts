import crypto from 'node:crypto';
import { monotonicFactory } from 'ulid';

/**
 * ulid's default source asks the OS for random bytes once per character (about 90 µs an id in
 * bench/accept.ts); this one draws from a pooled buffer of crypto-random bytes instead.
 */
function pooledRandom(): () => number {
  const pool = new Uint32Array(1024);
  let next = pool.length;
  return () => {
    if (next === pool.length) {
      crypto.randomFillSync(pool);
      next = 0;
    }
    return pool[next++] / 0x1_0000_0000;
  };
}

/** ULIDs: sortable by creation time, so `id` orders messages and pages them with a cursor. */
export const newId: () => string = monotonicFactory(pooledRandom());
