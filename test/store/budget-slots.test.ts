/**
 * The shared row of an account's cluster budget (src/store/budget-slots.ts): a slot's grants stop
 * at its cap, partial grants, a later slot starts afresh, an earlier one gets nothing, and a hold
 * blocks every claim until it passes. On SQLite and on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { claimSlotTokens, holdAccount } from '../../src/store/budget-slots.ts';
import { DB_KINDS, freshDatabaseUrl } from '../support/genio.ts';

describe.each(DB_KINDS)('budget slots on %s', (kind) => {
  let database: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const fresh = await freshDatabaseUrl(kind);
    drop = fresh.drop;
    database = await openDatabase(fresh.url);
    await migrateToLatest(database);
  });
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  const claim = (account: string, slotStart: number, want: number, now = slotStart) =>
    claimSlotTokens(database, { account, slotStart, want, cap: 10, now });

  it('grants up to the cap of a slot, the last claim partly, then nothing', async () => {
    expect(await claim('a', 1000, 4)).toEqual({ granted: 4, heldUntil: 0 });
    expect((await claim('a', 1000, 4)).granted).toBe(4);
    expect((await claim('a', 1000, 4)).granted).toBe(2);
    expect((await claim('a', 1000, 4)).granted).toBe(0);
    expect((await claim('a', 1000, 1)).granted).toBe(0);
  });

  it('a later slot starts afresh; an earlier one, once passed, grants nothing', async () => {
    expect((await claim('b', 1000, 10)).granted).toBe(10);
    expect((await claim('b', 1375, 3)).granted).toBe(3);
    expect((await claim('b', 1000, 3)).granted).toBe(0); // a process whose clock is behind
    expect((await claim('b', 1375, 30)).granted).toBe(7);
  });

  it('accounts are counted apart', async () => {
    expect((await claim('c1', 1000, 10)).granted).toBe(10);
    expect((await claim('c2', 1000, 10)).granted).toBe(10);
  });

  it('a hold stops every claim until it passes, and only grows', async () => {
    expect((await claim('d', 1000, 2)).granted).toBe(2);
    await holdAccount(database, 'd', 5000);
    await holdAccount(database, 'd', 3000); // an earlier 429's shorter hold does not shorten it
    expect(await claim('d', 1000, 2, 1100)).toEqual({ granted: 0, heldUntil: 5000 });
    expect(await claim('d', 4875, 2, 4900)).toEqual({ granted: 0, heldUntil: 5000 });
    expect(await claim('d', 5000, 2, 5000)).toEqual({ granted: 2, heldUntil: 5000 });
  });

  it('a hold on an account never claimed before is kept', async () => {
    await holdAccount(database, 'e', 9000);
    expect(await claim('e', 1000, 2)).toEqual({ granted: 0, heldUntil: 9000 });
  });

  it('concurrent claims never grant more than the cap', async () => {
    const grants = await Promise.all(Array.from({ length: 25 }, () => claim('f', 2000, 1)));
    expect(grants.reduce((n, g) => n + g.granted, 0)).toBe(10);
  });
});
