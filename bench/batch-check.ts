/**
 * Bulk check: a CSV of realistic rows (a TARI campaign with payment notices, Italian Excel style)
 * is uploaded to a GeNIO in its own process and checked and stored (every row validated, rows
 * and errors stored in chunks), beside the time csv-parse alone takes to read the same file;
 * then the time from confirm to the first message submitted to the simulator. Peak RSS is the
 * GeNIO process's own (VmHWM).
 *
 *   npx tsx bench/batch-check.ts [sqlite|postgres|all]     (BENCH_SCALE=0.1 for 100 000 rows)
 *
 * BENCH_RSS_TRACE=1 also prints the RSS over the upload and check, every 250 ms.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse';
import { openDatabase } from '../src/store/db.ts';
import { validNoticeNumber } from '../test/support/factories.ts';
import { freePort } from '../test/support/serve-process.ts';
import { fiscalCode, seedEnte } from './seed.ts';
import { builtGenio, freshDb, header, line, peakRssOf, scaled, startSimProcess, type BenchDb } from './support.ts';

const ROWS = scaled(1_000_000);
const kinds: BenchDb[] = process.argv[2] === 'postgres' ? ['postgres'] : process.argv[2] === 'all' ? ['sqlite', 'postgres'] : ['sqlite'];

function writeCsv(file: string): number {
  const fd = fs.openSync(file, 'w');
  let buf = 'codice_fiscale;oggetto;testo;data_scadenza;importo;codice_avviso;riferimento\r\n';
  for (let i = 0; i < ROWS; i++) {
    const cents = 5_000 + ((i * 7919) % 90_000);
    const euro = `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')}`;
    buf += `${fiscalCode(i)};Avviso TARI 2026 n. ${i + 1};"Gentile contribuente, è disponibile l'avviso di pagamento TARI 2026 n. ${i + 1} di € ${euro}. Può pagarlo con pagoPA dall'app IO entro la scadenza.";31/01/2027;${euro};${validNoticeNumber(i)};TARI-2026-${i + 1}\r\n`;
    if (buf.length > 1 << 20) {
      fs.writeSync(fd, buf);
      buf = '';
    }
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
  return fs.statSync(file).size;
}

/** The process's RSS every 250 ms, to see where a peak comes from. */
function traceRss(pid: number, started: number): { stop(): string } {
  const samples: string[] = [];
  const timer = setInterval(() => {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    samples.push(`${((performance.now() - started) / 1000).toFixed(1)}:${Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024)}`);
  }, 250);
  return {
    stop() {
      clearInterval(timer);
      return samples.join(' ');
    },
  };
}

async function csvParseAlone(file: string): Promise<number> {
  const t = performance.now();
  let n = 0;
  for await (const _ of fs.createReadStream(file).pipe(parse({ delimiter: ';', relax_column_count: true }))) n++;
  if (n !== ROWS + 1) throw new Error(`csv-parse read ${n} records`);
  return (performance.now() - t) / 1000;
}


const genio = builtGenio();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genio-bench-batch-'));
const csv = path.join(dir, 'tari.csv');
const bytes = writeCsv(csv);
const sim = await startSimProcess({ rateLimit: null, processingDelayMs: 200 });
try {
  const parseSeconds = await csvParseAlone(csv);
  for (const kind of kinds) {
    const { url, drop } = await freshDb(kind);
    const masterKey = crypto.randomBytes(32);
    const database = await openDatabase(url);
    const { apiKey } = await seedEnte(database, masterKey, sim, 1);
    await database.close();
    const port = await freePort();
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const child = spawn(process.execPath, [...profile, ...genio, 'serve'], {
      env: {
        ...process.env, GENIO_DATABASE_URL: url, GENIO_MASTER_KEY: masterKey.toString('hex'), GENIO_PORT: String(port), GENIO_HOST: '127.0.0.1',
        GENIO_SANDBOX: 'off', GENIO_IO_BASE_URL: sim.url, GENIO_IO_BUDGET: 'off', GENIO_LOG_LEVEL: 'warn', GENIO_BATCH_DIR: path.join(dir, `uploads-${kind}`),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      const auth = { authorization: `Bearer ${apiKey}` };
      for (let i = 0; i < 100 && !(await fetch(`${base}/readyz`).catch(() => null))?.ok; i++) await new Promise((r) => setTimeout(r, 200));
      const started = performance.now();
      const trace = process.env.BENCH_RSS_TRACE ? traceRss(child.pid!, started) : null;
      const form = new FormData();
      form.append('service', 'bench');
      form.append('check_only', 'true');
      form.append('file', await fs.openAsBlob(csv), 'tari.csv');
      const up = await fetch(`${base}/api/v1/batches`, { method: 'POST', headers: auth, body: form });
      if (up.status !== 202) throw new Error(`upload answered ${up.status}: ${await up.text()}`);
      const uploaded = (performance.now() - started) / 1000;
      const { id } = (await up.json()) as { id: string };
      let batch: { status: string; rows: { valid: number }; problem: string | null };
      for (;;) {
        batch = (await (await fetch(`${base}/api/v1/batches/${id}`, { headers: auth })).json()) as typeof batch;
        if (batch.status !== 'checking') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const seconds = (performance.now() - started) / 1000;
      const rssTrace = trace?.stop();
      if (batch.status !== 'ready' || batch.rows.valid !== ROWS) throw new Error(`check ended ${batch.status} with ${batch.rows.valid} valid rows (${batch.problem})`);
      header(`Batch check: ${ROWS.toLocaleString('en')} rows (${(bytes / 1048576).toFixed(0)} MiB CSV) uploaded, checked and stored, ${kind}`);
      line('upload + check + store', `${seconds.toFixed(1)} s (${Math.round(ROWS / seconds).toLocaleString('en')} rows/s; the upload alone ${uploaded.toFixed(1)} s)`);
      line('csv-parse alone, same file', `${parseSeconds.toFixed(1)} s`);
      line('ratio to csv-parse alone', `${(seconds / parseSeconds).toFixed(1)}×`);
      line('peak RSS of the GeNIO process', `${peakRssOf(child.pid!).toFixed(0)} MiB`);
      if (rssTrace) line('RSS (seconds:MiB every 250 ms)', rssTrace);

      const before = (await sim.stats()).messages;
      const t0 = performance.now();
      const r = await fetch(`${base}/api/v1/batches/${id}/confirm`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
      if (r.status !== 200) throw new Error(`confirm answered ${r.status}: ${await r.text()}`);
      while ((await sim.stats()).messages === before) await new Promise((res) => setTimeout(res, 5));
      line('confirm → first message submitted to IO', `${((performance.now() - t0) / 1000).toFixed(2)} s`);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await drop();
    }
  }
} finally {
  await sim.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
