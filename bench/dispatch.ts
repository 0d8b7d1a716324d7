/**
 * Dispatch throughput: 100 000 queued messages → all delivered (profile check, submit, status
 * poll each), with the simulator's rate limit off, on SQLite and PostgreSQL; beside a ceiling run:
 * a plain undici loop making the same three calls per message to the same simulator at the same
 * concurrency, and the same loop through GeNIO's own IO client (which uses undici's leaner
 * dispatch API: GeNIO's client is faster than the plain loop's). Also IO calls per message, with
 * the profile check on and off, and GeNIO's CPU time per message.
 *
 *   npx tsx bench/dispatch.ts [sqlite|postgres|all]      (BENCH_SCALE=0.1 for a quick run)
 */
import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import { Pool } from 'undici';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { openDatabase } from '../src/store/db.ts';
import { startGenio } from '../src/server.ts';
import { createIoClient } from '../src/io/client.ts';
import { fiscalCode, queueMessages, seedEnte } from './seed.ts';
import { freshDb, header, line, scaled, selfPeakRssMiB, startSimProcess, type BenchDb, type SimProcess } from './support.ts';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 256);

async function dispatchRun(kind: BenchDb, sim: SimProcess, count: number, profileCheck: boolean) {
  const { url, drop } = await freshDb(kind);
  const masterKey = crypto.randomBytes(32);
  const database = await openDatabase(url);
  const { ente, service } = await seedEnte(database, masterKey, sim, 1, { profileCheck });
  await queueMessages(database, ente, service, count);
  await database.close();
  const before = await sim.stats();

  const config = loadConfig({}, {
    port: 0, host: '127.0.0.1', databaseUrl: url, ioBaseUrl: sim.url, masterKey, ioBudget: null,
    ioConcurrency: CONCURRENCY, pollFirstDelayMs: 1000, sandbox: false, logLevel: 'warn',
  });
  const silent = new Writable({ write(_c, _e, cb) { cb(); } });
  const started = Date.now();
  const cpuBefore = process.cpuUsage();
  const genio = await startGenio(config, { log: createLogger('warn', silent), listen: false });
  // Progress from the partial queue indexes (a few index entries), not a count over the whole
  // table: the bench shares GeNIO's SQLite connection and must not slow down what it measures.
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const { rows } = await sql<{ n: number }>`select
      (select count(*) from messages where status = 'queued') + (select count(*) from messages where status = 'sending')
      + (select count(*) from messages where status = 'sent') as n`.execute(genio.database.db);
    if (Number(rows[0].n) === 0) break;
  }
  const seconds = (Date.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const { rows } = await sql<{ n: number }>`select count(*) as n from messages where status = 'delivered'`.execute(genio.database.db);
  const delivered = Number(rows[0].n);
  await genio.stop();
  await drop();
  const after = await sim.stats();
  const calls = after.calls - before.calls;
  return { seconds, rate: count / seconds, callsPerMessage: calls / count, delivered, cpuPerMessageUs: (cpu.user + cpu.system) / count };
}

/** The three calls of one message, made by some HTTP client. */
interface CeilingCalls {
  profile(cf: string): Promise<void>;
  submit(cf: string, n: number): Promise<string>;
  status(cf: string, id: string): Promise<void>;
  close(): Promise<void>;
}

const content = (n: number) => ({ subject: `Avviso TARI 2026 n. ${n}`, markdown: `Gentile contribuente, è disponibile l'avviso di pagamento TARI 2026 numero ${n}. Può pagarlo entro la scadenza indicata.` });

/** A bare undici pool and its request() API: the plain loop the issue names. */
function requestLoop(url: string, key: string): CeilingCalls {
  const pool = new Pool(url, { connections: CONCURRENCY });
  const headers = { 'ocp-apim-subscription-key': key, 'content-type': 'application/json' };
  return {
    async profile(cf) {
      await (await pool.request({ method: 'POST', path: '/api/v1/profiles', headers, body: JSON.stringify({ fiscal_code: cf }) })).body.text();
    },
    async submit(cf, n) {
      const s = await pool.request({ method: 'POST', path: '/api/v1/messages', headers, body: JSON.stringify({ fiscal_code: cf, content: content(n) }) });
      return ((await s.body.json()) as { id: string }).id;
    },
    async status(cf, id) {
      await (await pool.request({ method: 'GET', path: `/api/v1/messages/${cf}/${id}`, headers })).body.text();
    },
    close: () => pool.close(),
  };
}

/** The same loop through GeNIO's own IO client (undici's dispatch API): the stricter comparison. */
function clientLoop(url: string, key: string): CeilingCalls {
  const io = createIoClient(url, { timeoutMs: 30_000, connections: CONCURRENCY });
  return {
    profile: async (cf) => void (await io.getProfile(key, cf)),
    submit: async (cf, n) => ((await io.submitMessage(key, { fiscal_code: cf, content: content(n) })) as { body: { id: string } }).body.id,
    status: async (cf, id) => void (await io.getMessage(key, cf, id)),
    close: () => io.close(),
  };
}

/** The same three calls per message, with nothing else: what this machine allows. */
async function ceilingRun(sim: SimProcess, count: number, client: (url: string, key: string) => CeilingCalls) {
  const key = crypto.randomBytes(16).toString('hex');
  await sim.addService({ serviceId: '01CEILING00000000000000000', account: 'ceiling', primaryKey: key, secondaryKey: `${key}2` });
  const calls = client(sim.url, key);
  let next = 0;
  const started = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) {
      const n = next++;
      const cf = fiscalCode(n);
      await calls.profile(cf);
      await calls.status(cf, await calls.submit(cf, n));
    }
  }));
  const seconds = (Date.now() - started) / 1000;
  await calls.close();
  return { seconds, rate: count / seconds };
}

const which = process.argv[2] ?? 'all';
const kinds: BenchDb[] = which === 'all' ? ['sqlite', 'postgres'] : [which as BenchDb];
const sim = await startSimProcess({ rateLimit: null, processingDelayMs: 500 });
try {
  header(`dispatch throughput (simulator limit off, concurrency ${CONCURRENCY}, simulator in its own process)`);
  // Every run starts from a simulator holding no messages (its store grows with each run, and a
  // fuller store answers slower), and the ceiling drives as many messages as a dispatch run.
  const reset = () => sim.control('POST', '/reset');
  await reset();
  const skip = { rate: NaN, seconds: 0 };
  const ceiling = process.env.BENCH_SKIP_CEILING ? skip : await ceilingRun(sim, scaled(100_000), requestLoop);
  line('ceiling: bare undici loop, 3 calls/message', `${ceiling.rate.toFixed(0)} msg/s (${(ceiling.rate * 3).toFixed(0)} calls/s)`);
  await reset();
  const strict = process.env.BENCH_SKIP_CEILING ? skip : await ceilingRun(sim, scaled(100_000), clientLoop);
  line('ceiling: same loop through GeNIO\'s IO client', `${strict.rate.toFixed(0)} msg/s (${(strict.rate * 3).toFixed(0)} calls/s)`);
  for (const kind of kinds) {
    const n = scaled(100_000);
    await reset();
    const r = await dispatchRun(kind, sim, n, true);
    line(`${kind}: ${n} queued → delivered`, `${r.seconds.toFixed(1)} s, ${r.rate.toFixed(0)} msg/s, ${(r.rate / ceiling.rate).toFixed(2)} of ceiling (${(r.rate / strict.rate).toFixed(2)} of the loop through GeNIO's client)`);
    if (r.delivered !== n) line(`${kind}: NOT delivered (rejected or failed)`, String(n - r.delivered));
    line(`${kind}: IO calls per message (profile check on)`, r.callsPerMessage.toFixed(3));
    line(`${kind}: GeNIO CPU per message (all threads)`, `${r.cpuPerMessageUs.toFixed(0)} µs`);
  }
  await reset();
  const off = await dispatchRun(kinds[0], sim, scaled(20_000), false);
  line(`${kinds[0]}: IO calls per message (profile check off)`, off.callsPerMessage.toFixed(3));
  line('peak RSS: GeNIO + bench process', `${selfPeakRssMiB().toFixed(0)} MiB`);
  line('peak RSS: simulator process', `${sim.peakRssMiB().toFixed(0)} MiB`);
} finally {
  await sim.close();
}
