/**
 * Leases of singleton jobs: of owners claiming the same job at the same time exactly one wins (on
 * PostgreSQL through separate pools, truly at once), a period passes between rounds, an expired
 * lease is taken over, and the holder may claim its own lease again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/db.ts';
import { claimJob, finishJob, renewJobLease, type JobClaim } from '../../src/store/job-leases.ts';
import { DB_KINDS, openShared } from '../support/genio.ts';

const PERIOD = 1000;
const LEASE = 5000;

describe.each(DB_KINDS)('job leases on %s', (kind) => {
  // Three "processes": each its own connection (pool) to the same database.
  let dbs: Database[] = [];
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ dbs, close } = await openShared(kind, 3));
  });
  afterAll(async () => close?.());

  const claim = (i: number, name: string, now: number, more: Partial<JobClaim> = {}) =>
    claimJob(dbs[i], { name, owner: `p${i}`, now, periodMs: PERIOD, leaseMs: LEASE, ...more });
  /** Every owner claims at the same `now`, at once; the indexes of the winners. */
  const race = async (name: string, now: number) =>
    (await Promise.all(dbs.map((_, i) => claim(i, name, now)))).flatMap((r, i) => (r.won ? [i] : []));

  it('of owners racing for a new job, or for the next round of one, exactly one wins', async () => {
    const t0 = 1_000_000;
    for (let round = 0; round < 60; round++) {
      expect(await race(`fresh-${round}`, t0)).toHaveLength(1);
    }
    // The same job round after round: each winner finishes, the next period is open to all.
    const winners = new Set<number>();
    for (let round = 0; round < 100; round++) {
      const now = t0 + round * PERIOD;
      const won = await race('shared', now);
      expect(won, `round ${round}`).toHaveLength(1);
      winners.add(won[0]);
      expect(await finishJob(dbs[won[0]], { name: 'shared', owner: `p${won[0]}`, ranAt: now })).toBe(true);
    }
    // A dead holder's lease, taken over by the others racing at its expiry: again one wins.
    for (let round = 0; round < 40; round++) {
      const now = t0 + round * LEASE;
      expect((await claim(0, `dead-${round}`, now - LEASE)).won).toBe(true);
      const won = (await Promise.all([claim(1, `dead-${round}`, now), claim(2, `dead-${round}`, now)])).filter((r) => r.won);
      expect(won, `round ${round}`).toHaveLength(1);
    }
    if (kind === 'postgres') console.log(`job leases on postgres: 'shared' won by owners ${[...winners].sort().join(', ')}`);
  });

  it('respects the period after a finished round, and says when to try again', async () => {
    const t = 2_000_000;
    expect((await claim(0, 'period', t)).won).toBe(true);
    expect(await finishJob(dbs[0], { name: 'period', owner: 'p0', ranAt: t })).toBe(true);
    // Released, but the period since the round began has not passed: nobody, not even p0.
    expect(await claim(1, 'period', t + PERIOD - 1)).toEqual({ won: false, retryAt: t + PERIOD });
    expect((await claim(0, 'period', t + PERIOD - 1)).won).toBe(false);
    expect((await claim(1, 'period', t + PERIOD)).won).toBe(true);
  });

  it('keeps a held lease from others until it expires, then another process takes over', async () => {
    const t = 3_000_000;
    expect((await claim(0, 'held', t)).won).toBe(true);
    // While p0's round runs, the others are told to look again when the next round is due.
    expect(await claim(1, 'held', t + PERIOD / 2)).toEqual({ won: false, retryAt: t + PERIOD });
    // p0 "dies" in its round: never finishes. Periods pass, the lease holds; look again in a period.
    expect(await claim(1, 'held', t + 2 * PERIOD)).toEqual({ won: false, retryAt: t + 3 * PERIOD });
    expect(await claim(1, 'held', t + LEASE - PERIOD / 2)).toEqual({ won: false, retryAt: t + LEASE });
    expect((await claim(2, 'held', t + LEASE - 1)).won).toBe(false);
    expect((await claim(1, 'held', t + LEASE)).won).toBe(true);
    // The dead holder comes back too late: its renewal and its finish are refused.
    expect(await renewJobLease(dbs[0], { name: 'held', owner: 'p0', now: t + LEASE + 1, leaseMs: LEASE })).toBe(false);
    expect(await finishJob(dbs[0], { name: 'held', owner: 'p0', ranAt: t })).toBe(false);
    expect(await finishJob(dbs[1], { name: 'held', owner: 'p1', ranAt: t + LEASE })).toBe(true);
  });

  it('lets the holder claim its own lease again once the period has passed, and renew it', async () => {
    const t = 4_000_000;
    expect((await claim(0, 'own', t)).won).toBe(true);
    expect((await claim(0, 'own', t + PERIOD)).won).toBe(true); // its lease, still unexpired: its own
    expect(await renewJobLease(dbs[0], { name: 'own', owner: 'p0', now: t + PERIOD + 10, leaseMs: LEASE })).toBe(true);
    expect((await claim(1, 'own', t + PERIOD + LEASE)).won).toBe(false); // renewed past the first lease
    expect((await claim(1, 'own', t + PERIOD + 10 + LEASE)).won).toBe(true);
  });

  it('a finish without ranAt releases without counting the round: another may go on at once', async () => {
    const t = 5_000_000;
    expect((await claim(0, 'cut', t)).won).toBe(true);
    expect(await finishJob(dbs[0], { name: 'cut', owner: 'p0' })).toBe(true);
    expect((await claim(1, 'cut', t + 1)).won).toBe(true);
    // A late renewal of a released lease does not take it back.
    expect(await finishJob(dbs[1], { name: 'cut', owner: 'p1', ranAt: t + 1 })).toBe(true);
    expect(await renewJobLease(dbs[1], { name: 'cut', owner: 'p1', now: t + 2, leaseMs: LEASE })).toBe(false);
    const row = await dbs[2].db.selectFrom('job_leases').selectAll().where('name', '=', 'cut').executeTakeFirstOrThrow();
    expect(row).toEqual({ name: 'cut', owner: 'p1', lease_until: null, last_run_at: t + 1 });
  });
});
