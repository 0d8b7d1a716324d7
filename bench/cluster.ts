/**
 * Dispatch throughput of 1, 2 and 3 `genio serve` processes on one PostgreSQL database, with the
 * simulator's limit and GeNIO's budget off: N queued messages → all delivered (profile check,
 * submit, status poll each). Beside each figure: the CPU the GeNIO processes used (out of this
 * machine's cores), and the database's own rates (commits and row updates per second, from
 * pg_stat_database), which say what limits it.
 *
 *   npx tsx bench/cluster.ts          (BENCH_SCALE=0.2 for a quick run; PostgreSQL from GENIO_TEST_DATABASE_URL)
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../src/store/db.ts';
import { queueMessages, seedEnte } from './seed.ts';
import { freshDb, header, line, scaled, startSimProcess } from './support.ts';
import { startServe } from '../test/support/serve-process.ts';

/** utime + stime of a process, seconds (from /proc; Linux). */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds of every PostgreSQL server process on this machine (the server under test runs here). */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.includes('(postgres)')) total += cpuSeconds(Number(pid));
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

async function dbCounters(db: Database): Promise<{ commits: number; updated: number }> {
  const { rows } = await sql<{ c: string; u: string }>`select xact_commit as c, tup_updated as u from pg_stat_database where datname = current_database()`.execute(db.db);
  return { commits: Number(rows[0].c), updated: Number(rows[0].u) };
}

async function run(processes: number, count: number, sim: Awaited<ReturnType<typeof startSimProcess>>) {
  const { url, drop } = await freshDb('postgres');
  const masterKey = crypto.randomBytes(32);
  const database = await openDatabase(url);
  const { ente, service } = await seedEnte(database, masterKey, sim, processes);
  await queueMessages(database, ente, service, count);
  const env = {
    GENIO_DATABASE_URL: url, GENIO_MASTER_KEY: masterKey.toString('hex'), GENIO_IO_BASE_URL: sim.url,
    GENIO_IO_BUDGET: 'off', GENIO_POLL_FIRST_DELAY: '1s', GENIO_SANDBOX: 'off', GENIO_LOG_LEVEL: 'warn',
  };
  const before = await dbCounters(database);
  const pgBefore = postgresCpuSeconds();
  const started = Date.now();
  const procs = await Promise.all(Array.from({ length: processes }, () => startServe(env)));
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const { rows } = await sql<{ n: string }>`select count(*) as n from messages where status in ('delivered', 'rejected', 'failed')`.execute(database.db);
    if (Number(rows[0].n) >= count) break;
  }
  const seconds = (Date.now() - started) / 1000;
  const cpu = procs.reduce((a, p) => a + cpuSeconds(p.child.pid!), 0);
  const pgCpu = postgresCpuSeconds() - pgBefore;
  const after = await dbCounters(database);
  for (const p of procs) p.child.kill('SIGTERM');
  await Promise.all(procs.map((p) => new Promise((r) => p.child.once('exit', r))));
  await database.close();
  await drop();
  return { seconds, rate: count / seconds, cpu: cpu / seconds, pgCpu: pgCpu / seconds, commits: (after.commits - before.commits) / seconds, updates: (after.updated - before.updated) / seconds };
}

const sim = await startSimProcess({ rateLimit: null, processingDelayMs: 500 });
try {
  header(`cluster dispatch throughput on PostgreSQL (${os.cpus().length} cores, simulator limit and budget off, simulator in its own process)`);
  for (const n of [1, 2, 3]) {
    const count = scaled(40_000);
    const r = await run(n, count, sim);
    line(`${n} process${n > 1 ? 'es' : ''}: ${count} queued → delivered`, `${r.seconds.toFixed(1)} s, ${r.rate.toFixed(0)} msg/s`);
    line(`  cores busy: GeNIO / PostgreSQL`, `${r.cpu.toFixed(2)} / ${r.pgCpu.toFixed(2)}`);
    line(`  database rates`, `${r.commits.toFixed(0)} commits/s, ${r.updates.toFixed(0)} row updates/s`);
  }
} finally {
  await sim.close();
}
