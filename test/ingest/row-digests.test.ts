import { describe, expect, it } from 'vitest';
import { RowDigests } from '../../src/ingest/row-digests.ts';

describe('RowDigests', () => {
  it('returns the first row of a digest seen before, across growth, and nothing for new ones', () => {
    const d = new RowDigests();
    const digest = (n: number) => (n * 2654435761) % 2 ** 53; // spread, above 32 bits
    for (let n = 1; n <= 50_000; n++) expect(d.firstRow(digest(n), n + 1)).toBeUndefined();
    for (let n = 1; n <= 50_000; n += 997) expect(d.firstRow(digest(n), 999_999)).toBe(n + 1);
    // Keys equal in their low 32 bits collide in the table but stay apart.
    expect(d.firstRow(2 ** 40 + 7, 3)).toBeUndefined();
    expect(d.firstRow(2 ** 41 + 7, 4)).toBeUndefined();
    expect(d.firstRow(2 ** 41 + 7, 5)).toBe(4);
  });
});
