/**
 * A GeNIO cluster for a test: the IO simulator with IO's limit set to the budget, one fresh
 * PostgreSQL schema with enti on IO accounts (by default two: one aggregator, one partner), and
 * `genio serve` processes on it.
 */
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { ensureIoAccount } from '../../src/store/io-accounts.ts';
import { freshDatabaseUrl } from './genio.ts';
import { buildApiKey, buildEnte, buildService, messageBody } from './factories.ts';
import { startServe, type ServeProcess } from './serve-process.ts';
import { startSimProcess, type SimProcess } from './sim-process.ts';

export const ACCOUNTS = ['aggregator', 'ente-partner'] as const;

export interface ClusterOptions {
  /** Per IO account, per window: the simulator refuses above it, GeNIO's processes share it. */
  budget: { calls: number; windowMs: number };
  processes: number;
  env?: Record<string, string>;
  /** The IO account of each ente, one ente each (default: one on each of `ACCOUNTS`). */
  enti?: string[];
  /** Each line a process logs, with the process's index. */
  onLogLine?: (line: string, process: number) => void;
}

export interface Cluster {
  /** In its own process, as IO is another machine: the load the test drives does not delay it. */
  sim: SimProcess;
  database: Database;
  /** Environment every `genio serve` of the cluster runs with. */
  env: Record<string, string>;
  procs: ServeProcess[];
  /** One API key and service code per ente. */
  keys: Array<{ key: string; service: string }>;
  /** Messages in a final status. */
  finished(): Promise<number>;
  /**
   * Posts `count` single messages numbered from `from`, alternating enti, spread over the live
   * processes. Each carries an Idempotency-Key; a request that meets a stopping process is sent
   * again to another one with the same key, as a load balancer's client would.
   */
  post(from: number, count: number): Promise<void>;
  /** Posts messages `from`…`from + count - 1` as one JSON batch of ente `ente`, through process `via`. */
  postBatch(ente: number, from: number, count: number, via?: number): Promise<string>;
  /** Starts one more `genio serve` in the cluster's place `index`. */
  restart(index: number): Promise<ServeProcess>;
  close(): Promise<void>;
}

export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const { budget } = o;
  const sim = await startSimProcess({ rateLimit: budget, processingDelayMs: 20 });
  const fresh = await freshDatabaseUrl('postgres');
  const database = await openDatabase(fresh.url);
  await migrateToLatest(database);
  const masterKey = crypto.randomBytes(32);
  const keys: Cluster['keys'] = [];
  for (const [i, account] of (o.enti ?? ACCOUNTS).entries()) {
    await ensureIoAccount(database.db, account);
    const ente = await buildEnte(database.db, { mode: account === 'aggregator' ? 'aggregator' : 'partner' });
    const { service } = await buildService(database.db, masterKey, sim, ente, { code: `svc-${i + 1}-${account}`, ioAccount: account, profileCheck: false });
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
    ...o.env,
  };
  const start = (i: number) => startServe(env, o.onLogLine && ((line) => o.onLogLine!(line, i)));
  const procs = await Promise.all(Array.from({ length: o.processes }, (_, i) => start(i)));
  const live = () => cluster.procs.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
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
          const { key, service } = keys[i % keys.length];
          const init = {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': `message-${from + i}` },
            body: JSON.stringify(messageBody(service, from + i)),
          };
          for (let attempt = 0; ; attempt++) {
            const procs = live();
            const res = await fetch(`${procs[(w + attempt) % procs.length].url}/api/v1/messages`, init).catch((err: Error) => err);
            if (!(res instanceof Error) && res.status === 202) break;
            const why = res instanceof Error ? String(res.cause ?? res) : `${res.status}: ${await res.text()}`;
            // A process going down refuses connections or answers 503: another one takes the request.
            if (attempt >= 20 || (!(res instanceof Error) && res.status !== 503)) throw new Error(`POST message ${from + i}: ${why}`);
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      }));
    },
    postBatch: async (ente, from, count, via = 0) => {
      const { key, service } = keys[ente];
      const messages = Array.from({ length: count }, (_, j) => {
        const { service: _s, ...m } = messageBody(service, from + j);
        return m;
      });
      const res = await fetch(`${cluster.procs[via].url}/api/v1/batches`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ service, messages }),
      });
      const text = await res.text();
      if (res.status !== 202) throw new Error(`POST batch: ${res.status}: ${text}`);
      return (JSON.parse(text) as { id: string }).id;
    },
    restart: async (index) => (cluster.procs[index] = await start(index)),
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
