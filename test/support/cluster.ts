/**
 * A GeNIO cluster for a test: the IO simulator with IO's limit set to the budget, one fresh
 * PostgreSQL schema with two enti on two IO accounts (one aggregator, one partner), and
 * `genio serve` processes on it.
 */
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { createIoSimulator, type IoSimulator } from '../../src/io/simulator/index.ts';
import { openDatabase, type Database } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { ensureIoAccount } from '../../src/store/io-accounts.ts';
import { freshDatabaseUrl } from './genio.ts';
import { buildApiKey, buildEnte, buildService, messageBody } from './factories.ts';
import { startServe, type ServeProcess } from './serve-process.ts';

export const ACCOUNTS = ['aggregator', 'ente-partner'] as const;

export interface Cluster {
  sim: IoSimulator;
  database: Database;
  /** Environment every `genio serve` of the cluster runs with. */
  env: Record<string, string>;
  procs: ServeProcess[];
  /** One API key and service code per account. */
  keys: Array<{ key: string; service: string }>;
  /** Messages in a final status. */
  finished(): Promise<number>;
  /** Posts `count` single messages numbered from `from`, alternating accounts, spread over the live processes. */
  post(from: number, count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startCluster(budget: { calls: number; windowMs: number }, processes: number, extraEnv: Record<string, string> = {}): Promise<Cluster> {
  const sim = createIoSimulator({ rateLimit: budget, processingDelayMs: 20 });
  await sim.listen(0, '127.0.0.1');
  const fresh = await freshDatabaseUrl('postgres');
  const database = await openDatabase(fresh.url);
  await migrateToLatest(database);
  const masterKey = crypto.randomBytes(32);
  const keys: Cluster['keys'] = [];
  for (const account of ACCOUNTS) {
    await ensureIoAccount(database.db, account);
    const ente = await buildEnte(database.db, { mode: account === 'aggregator' ? 'aggregator' : 'partner' });
    const { service } = await buildService(database.db, masterKey, sim, ente, { code: `svc-${account}`, ioAccount: account, profileCheck: false });
    keys.push({ key: (await buildApiKey(database.db, masterKey, ente)).key, service: service.code });
  }
  const env = {
    GENIO_DATABASE_URL: fresh.url,
    GENIO_MASTER_KEY: masterKey.toString('hex'),
    GENIO_IO_BASE_URL: sim.url,
    GENIO_IO_BUDGET: `${budget.calls}/${budget.windowMs}ms`,
    // Calls reach the simulator within a few ms here: a small margin keeps ~89 % of the budget usable.
    GENIO_IO_BUDGET_MARGIN: '50ms',
    // IO has no idempotency: a submit that times out is sent again and may arrive twice. On a
    // loaded CI machine the in-test simulator can be slow to answer; that is not what is tested.
    GENIO_IO_TIMEOUT: '60s',
    GENIO_POLL_FIRST_DELAY: '200ms',
    GENIO_SANDBOX: 'off',
    GENIO_LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const procs = await Promise.all(Array.from({ length: processes }, () => startServe(env)));
  const cluster: Cluster = {
    sim, database, env, procs, keys,
    finished: async () => {
      const { rows } = await sql<{ n: string }>`select count(*) as n from messages where status in ('delivered', 'rejected', 'failed', 'cancelled')`.execute(database.db);
      return Number(rows[0].n);
    },
    post: async (from, count) => {
      let next = 0;
      await Promise.all(Array.from({ length: 24 }, async (_, w) => {
        for (;;) {
          const i = next++;
          if (i >= count) return;
          const live = cluster.procs.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
          const { key, service } = keys[i % 2];
          const res = await fetch(`${live[w % live.length].url}/api/v1/messages`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify(messageBody(service, from + i)),
          });
          if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
        }
      }));
    },
    close: async () => {
      for (const p of cluster.procs) p.child.kill('SIGKILL');
      await database.close();
      await sim.close();
      await fresh.drop();
    },
  };
  return cluster;
}

/** Waits until `n` messages are final, failing with the processes' stderr after `ms`. */
export async function untilFinished(c: Cluster, n: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const done = await c.finished();
    if (done >= n) return;
    if (Date.now() > deadline) throw new Error(`only ${done} of ${n} messages final in time\n${c.procs.map((p) => p.stderr()).join('\n')}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
