/**
 * Crash safety: GeNIO in a child process is killed with SIGKILL while it sends, then restarted on
 * the same database. No accepted message is lost, every one reaches a final status, and IO holds
 * no duplicate but those the survivor marked as possibly in flight. SIGTERM lets in-flight calls
 * finish and exits cleanly.
 */
import crypto from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import type { Schema } from '../../src/store/schema.ts';
import { createIoSimulator, type IoSimulator } from '../../src/io/simulator/index.ts';
import { openDatabase } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { DB_KINDS, freshDatabaseUrl } from '../support/genio.ts';
import { buildApiKey, buildEnte, buildService, messageBody } from '../support/factories.ts';
import { startChild, type Child } from '../support/child-process.ts';

describe.each(DB_KINDS)('crash safety on %s', (db) => {
  let sim: IoSimulator;
  let env: Record<string, string>;
  let apiKey: string;
  let dbUrl: string;
  let drop: () => Promise<void>;
  const children: Child[] = [];

  beforeAll(async () => {
    sim = createIoSimulator({ rateLimit: null, processingDelayMs: 20, latencyMs: 15 });
    await sim.listen(0, '127.0.0.1');
    ({ url: dbUrl, drop } = await freshDatabaseUrl(db));
    const masterKey = crypto.randomBytes(32);
    const database = await openDatabase(dbUrl);
    await migrateToLatest(database);
    const ente = await buildEnte(database.db);
    await buildService(database.db, masterKey, sim, ente, { code: 'tari' });
    apiKey = (await buildApiKey(database.db, masterKey, ente)).key;
    await database.close();
    env = {
      GENIO_DATABASE_URL: dbUrl,
      GENIO_MASTER_KEY: masterKey.toString('hex'),
      GENIO_IO_BASE_URL: sim.url,
      GENIO_IO_BUDGET: 'off',
      GENIO_LEASE: '2s',
      GENIO_POLL_FIRST_DELAY: '50ms',
      GENIO_LOG_LEVEL: 'warn',
    };
  });
  afterEach(() => {
    for (const c of children.splice(0)) c.proc.kill('SIGKILL');
  });
  afterAll(async () => {
    await sim?.close();
    await drop?.();
  });

  async function post(url: string, n: number, from: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i += 50) {
      const res = await Promise.all(Array.from({ length: Math.min(50, n - i) }, async (_, j) => {
        const r = await fetch(`${url}/api/v1/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(messageBody('tari', from + i + j)),
        });
        expect(r.status).toBe(202);
        return ((await r.json()) as { id: string }).id;
      }));
      ids.push(...res);
    }
    return ids;
  }

  /** Runs `read` on a connection of its own, as an operator would look at the database. */
  async function query<T>(read: (db: Kysely<Schema>) => Promise<T>): Promise<T> {
    const database = await openDatabase(dbUrl, { poolSize: 1 });
    try {
      return await read(database.db);
    } finally {
      await database.close();
    }
  }

  const counts = () => query(async (db) => {
    const { rows } = await sql<{ status: string; n: number }>`select status, count(*) as n from messages group by status`.execute(db);
    const d = await sql<{ n: number }>`select coalesce(sum(possible_duplicate), 0) as n from messages`.execute(db);
    const byStatus: Record<string, number> = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    return { byStatus, possibleDuplicates: Number(d.rows[0].n), total: Object.values(byStatus).reduce((a, b) => a + b, 0) };
  });

  /** The lease owners of the messages in 'sending' now. */
  const ownersHolding = () => query(async (db) =>
    (await sql<{ lease_owner: string }>`select distinct lease_owner from messages where status = 'sending'`.execute(db)).rows.map((r) => r.lease_owner));

  /** How many messages these owners still hold in 'sending'. */
  const heldBy = async (owners: string[]): Promise<{ owners: string[]; count: number }> => {
    if (!owners.length) return { owners, count: 0 };
    const { rows } = await query((db) => sql<{ n: number }>`select count(*) as n from messages where status = 'sending' and lease_owner in (${sql.join(owners)})`.execute(db));
    return { owners, count: Number(rows[0].n) };
  };

  async function waitFor(pred: () => Promise<boolean>, ms: number) {
    const end = Date.now() + ms;
    while (!(await pred())) {
      if (Date.now() > end) throw new Error(`not reached in ${ms} ms: ${JSON.stringify(await counts())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('loses nothing to kill -9, finishes on restart, duplicates only from counted in-flight calls; SIGTERM drains', async () => {
    const first = await startChild(env);
    children.push(first);
    const ids = await post(first.url, 800, 0);
    // Kill while messages are being sent: some sent, some still queued.
    await waitFor(async () => ((await counts()).byStatus.sent ?? 0) + ((await counts()).byStatus.delivered ?? 0) > 100, 20_000);
    first.proc.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const atKill = await counts();
    expect(atKill.total).toBe(800);
    expect(atKill.byStatus.delivered ?? 0).toBeLessThan(800);
    const killedHolds = await heldBy(await ownersHolding());

    const second = await startChild(env);
    children.push(second);
    ids.push(...(await post(second.url, 300, 800)));
    // The killed process's messages wait for their lease to run out; on a fast machine the
    // survivor delivers 900 before that. SIGTERM comes once they are back in the queue, so that
    // what is still 'sending' after it can only be the stopped process's.
    await waitFor(async () => ((await counts()).byStatus.delivered ?? 0) > 900 && (await heldBy(killedHolds.owners)).count === 0, 30_000);
    second.proc.kill('SIGTERM');
    const stopped = await second.exited;
    expect(stopped.code).toBe(0);
    const afterTerm = await counts();
    // A graceful stop leaves nothing half-done: no message still held by the stopped worker.
    expect(afterTerm.byStatus.sending ?? 0).toBe(0);

    const third = await startChild(env);
    children.push(third);
    await waitFor(async () => ((await counts()).byStatus.delivered ?? 0) === 1100, 30_000);
    const final = await counts();
    expect(final.total).toBe(1100);
    expect(new Set(ids).size).toBe(1100);
    const stats = sim.stats();
    console.log(`crash on ${db}: ${stats.duplicates} duplicates at IO, ${final.possibleDuplicates} marked possible`);
    expect(stats.duplicates).toBeLessThanOrEqual(final.possibleDuplicates);
    expect(stats.messages).toBe(1100 + stats.duplicates);
    const metrics = await (await fetch(`${third.url}/metrics`)).text();
    expect(metrics).toMatch(/genio_possible_duplicates_total \d+/);
  }, 120_000);
});
