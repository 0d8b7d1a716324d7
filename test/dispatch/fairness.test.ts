import { describe, expect, it } from 'vitest';
import { fairQuota, type Quota } from '../../src/dispatch/fairness.ts';
import { prng } from '../support/prng.ts';


const q = (entries: Array<[string, number]>): Quota[] => entries.map(([enteId, limit]) => ({ enteId, limit }));

describe('fairQuota', () => {
  // nextOffset null: not pinned here (where the remainder goes next round is the rotation test below).
  it.each<[string, string[], number, number, Quota[], number | null]>([
    ['capacity = enti: one each', ['a', 'b', 'c'], 3, 0, q([['a', 1], ['b', 1], ['c', 1]]), 0],
    ['capacity a multiple of enti: equal shares', ['a', 'b', 'c'], 6, 0, q([['a', 2], ['b', 2], ['c', 2]]), 0],
    ['capacity > enti: remainder to the first from offset', ['a', 'b', 'c'], 4, 0, q([['a', 2], ['b', 1], ['c', 1]]), null],
    ['capacity > enti, starting at offset 1', ['a', 'b', 'c'], 4, 1, q([['b', 2], ['c', 1], ['a', 1]]), null],
    ['one ente takes the whole capacity', ['a'], 15, 0, q([['a', 15]]), 0],
    ['capacity < enti: one each from the offset', ['a', 'b', 'c', 'd', 'e'], 2, 0, q([['a', 1], ['b', 1]]), 2],
    ['capacity < enti: wraps around the end', ['a', 'b', 'c', 'd', 'e'], 2, 4, q([['e', 1], ['a', 1]]), 1],
    ['offset beyond the list (the list shrank): taken modulo', ['a', 'b', 'c', 'd', 'e'], 1, 7, q([['c', 1]]), 3],
    ['capacity 1: one ente', ['a', 'b'], 1, 1, q([['b', 1]]), 0],
    ['no enti', [], 5, 3, [], 0],
    ['zero capacity', ['a', 'b'], 0, 1, [], 0],
    ['negative capacity', ['a', 'b'], -3, 0, [], 0],
  ])('%s', (_name, enti, capacity, offset, quota, nextOffset) => {
    const got = fairQuota(enti, capacity, offset);
    expect(got.quota).toEqual(quota);
    if (nextOffset !== null) expect(got.nextOffset).toBe(nextOffset);
  });

  it('hands out exactly the capacity, each ente at most once, no zero quota', () => {
    const random = prng(1);
    for (let trial = 0; trial < 2000; trial++) {
      const n = Math.floor(random() * 20);
      const enti = Array.from({ length: n }, (_, i) => `ente-${String(i).padStart(2, '0')}`);
      const capacity = Math.floor(random() * 40);
      const { quota, nextOffset } = fairQuota(enti, capacity, Math.floor(random() * 50));
      const total = quota.reduce((s, x) => s + x.limit, 0);
      expect(total).toBe(n ? Math.max(0, capacity) : 0);
      expect(new Set(quota.map((x) => x.enteId)).size).toBe(quota.length);
      for (const x of quota) expect(x.limit).toBeGreaterThan(0);
      const limits = quota.map((x) => x.limit);
      if (limits.length) expect(Math.max(...limits) - Math.min(...limits)).toBeLessThanOrEqual(1);
      expect(nextOffset).toBeGreaterThanOrEqual(0);
      if (n) expect(nextOffset).toBeLessThan(n);
    }
  });

  it('capacity < enti: rotation serves every ente within ceil(n / capacity) rounds, from any offset', () => {
    for (let n = 1; n <= 12; n++) {
      const enti = Array.from({ length: n }, (_, i) => `e${String(i).padStart(2, '0')}`);
      for (let capacity = 1; capacity <= n; capacity++) {
        for (let offset = 0; offset < n; offset++) {
          const rounds = Math.ceil(n / capacity);
          const served = new Set<string>();
          let off = offset;
          for (let r = 0; r < rounds; r++) {
            const { quota, nextOffset } = fairQuota(enti, capacity, off);
            for (const x of quota) served.add(x.enteId);
            off = nextOffset;
          }
          expect(served.size, `n=${n} capacity=${capacity} offset=${offset}`).toBe(n);
        }
      }
    }
  });

  it('capacity > enti: the remainder slots rotate too, so over rounds enti get equal totals', () => {
    // Two enti with deep queues, 3 free slots every round: over 10 rounds each should get 15.
    for (const [enti, capacity] of [[['a', 'b'], 3], [['a', 'b', 'c'], 4], [['a', 'b', 'c', 'd'], 15]] as const) {
      const totals = new Map<string, number>();
      let off = 0;
      const rounds = enti.length * 5;
      for (let r = 0; r < rounds; r++) {
        const { quota, nextOffset } = fairQuota([...enti], capacity, off);
        for (const x of quota) totals.set(x.enteId, (totals.get(x.enteId) ?? 0) + x.limit);
        off = nextOffset;
      }
      const values = [...totals.values()];
      expect(
        Math.max(...values) - Math.min(...values),
        `${enti.length} enti, capacity ${capacity}, ${rounds} rounds: totals ${JSON.stringify(Object.fromEntries(totals))} ` +
          '(nextOffset = start + min(capacity, n) returns to `start` when capacity ≥ n, so the same enti get the extra slot every round)',
      ).toBeLessThanOrEqual(1);
    }
  });

  describe('property: one message of a small ente is not held behind 100 000 of a big one', () => {
    /** Simulates dispatch rounds; returns the round in which the small ente's message went out. */
    function simulate(opts: { bigIds: string[]; smallId: string; arrival: number; capacity: () => number }) {
      const queued = new Map<string, number>(opts.bigIds.map((id) => [id, 100_000]));
      let offset = 0;
      const capacities: number[] = [];
      for (let round = 0; round < opts.arrival + 50; round++) {
        if (round === opts.arrival) queued.set(opts.smallId, 1);
        const enti = [...queued].filter(([, n]) => n > 0).map(([id]) => id).sort();
        const capacity = opts.capacity();
        capacities[round] = capacity;
        const { quota, nextOffset } = fairQuota(enti, capacity, offset);
        offset = nextOffset;
        for (const { enteId, limit } of quota) {
          const left = queued.get(enteId)!;
          queued.set(enteId, left - Math.min(left, limit));
          if (enteId === opts.smallId && round >= opts.arrival) return { servedAt: round, capacities };
        }
      }
      return { servedAt: Infinity, capacities };
    }

    it('ente B (1 message, arriving at a random round) is served within 1 round of ente A (100 000 queued)', () => {
      const random = prng(42);
      for (let trial = 0; trial < 2000; trial++) {
        const arrival = Math.floor(random() * 40);
        // B's id sorts before or after A's: the rotation must not depend on it.
        const smallId = random() < 0.5 ? 'ente-0-small' : 'ente-z-small';
        const fixed = 1 + Math.floor(random() * 15);
        const varying = random() < 0.5;
        const { servedAt, capacities } = simulate({
          bigIds: ['ente-a-big'],
          smallId,
          arrival,
          capacity: () => (varying ? 1 + Math.floor(random() * 15) : fixed),
        });
        const ctx = `trial ${trial}: B=${smallId} arrives at round ${arrival}, capacities ${capacities.slice(arrival, arrival + 3).join(',')}`;
        expect(servedAt - arrival, ctx).toBeLessThanOrEqual(1);
        // With at least one slot per ente, B goes out in the very round it shows up.
        if (capacities[arrival] >= 2) expect(servedAt, ctx).toBe(arrival);
      }
    });

    it('with several big enti, B is served within ceil(n / capacity) rounds', () => {
      const random = prng(7);
      for (let trial = 0; trial < 2000; trial++) {
        const bigIds = Array.from({ length: 1 + Math.floor(random() * 6) }, (_, i) => `ente-${'acegik'[i]}`);
        const smallId = `ente-${'bdfhjlz'[Math.floor(random() * 7)]}-small`;
        const capacity = 1 + Math.floor(random() * 8);
        const arrival = Math.floor(random() * 40);
        const { servedAt } = simulate({ bigIds, smallId, arrival, capacity: () => capacity });
        const n = bigIds.length + 1;
        expect(servedAt - arrival, `trial ${trial}: ${n} enti, capacity ${capacity}`).toBeLessThan(Math.ceil(n / capacity));
      }
    });
  });
});
