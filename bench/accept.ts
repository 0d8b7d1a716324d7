/**
 * API accept: POST /api/v1/messages under autocannon, GeNIO in its own process with its workers
 * off (only the API and the database are measured), 10 connections for 20 s.
 *
 *   npx tsx bench/accept.ts [sqlite|postgres|all]    (default sqlite; BENCH_SCALE shortens the run)
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import autocannon from 'autocannon';
import { openDatabase } from '../src/store/db.ts';
import { freePort } from '../test/support/serve-process.ts';
import { fiscalCode, seedEnte } from './seed.ts';
import { builtGenio, freshDb, header, line, peakRssOf, scaled, startSimProcess, type BenchDb } from './support.ts';


const kinds: BenchDb[] = process.argv[2] === 'all' ? ['sqlite', 'postgres'] : [(process.argv[2] as BenchDb | undefined) ?? 'sqlite'];
const genio = builtGenio();
const sim = await startSimProcess({ rateLimit: null });
try {
  for (const kind of kinds) await run(kind);
} finally {
  await sim.close();
}

async function run(kind: BenchDb) {
  const { url: dbUrl, drop } = await freshDb(kind);
  const masterKey = crypto.randomBytes(32);
  const database = await openDatabase(dbUrl);
  const { apiKey } = await seedEnte(database, masterKey, sim, 1);
  await database.close();
  const port = await freePort();
  const child = spawn(process.execPath, [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_CPU_PROF] : []), ...genio, 'serve'], {
    env: { ...process.env, GENIO_DATABASE_URL: dbUrl, GENIO_MASTER_KEY: masterKey.toString('hex'), GENIO_PORT: String(port), GENIO_HOST: '127.0.0.1', GENIO_WORKERS: 'off', GENIO_SANDBOX: 'off', GENIO_IO_BASE_URL: sim.url, GENIO_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      if ((await fetch(`${base}/readyz`).catch(() => null))?.ok) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const body = JSON.stringify({
      service: 'bench',
      fiscal_code: fiscalCode(42),
      subject: 'Avviso TARI 2026',
      markdown: "Gentile contribuente, è disponibile l'avviso di pagamento TARI 2026. Può pagarlo entro la scadenza indicata nell'avviso.",
      due_date: '2026-12-31',
      reference: 'bench',
    });
    const opts = { url: `${base}/api/v1/messages`, method: 'POST' as const, connections: Number(process.env.BENCH_CONNECTIONS ?? 10), duration: Math.max(3, scaled(20)), headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body };
    await autocannon({ ...opts, duration: 3 }); // warm-up
    const r = await autocannon(opts);
    header(`API accept: POST /api/v1/messages, ${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, ${opts.connections} connections, ${opts.duration} s, workers off`);
    line('requests/s (mean)', r.requests.average.toFixed(0));
    line('latency p50 / p90 / p99 / max', `${r.latency.p50} / ${r.latency.p90} / ${r.latency.p99} / ${r.latency.max} ms`);
    line('responses 2xx / other / errors', `${r['2xx']} / ${r.non2xx} / ${r.errors}`);
    line('peak RSS: GeNIO process', `${peakRssOf(child.pid!).toFixed(0)} MiB`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await drop();
  }
}
