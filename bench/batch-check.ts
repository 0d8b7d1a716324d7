/**
 * Bulk check: a CSV of realistic rows (a TARI campaign with payment notices, Italian Excel
 * style) is checked and stored through GeNIO's own path (upload saved and hashed, every row
 * validated, rows and errors stored in chunks), beside the time csv-parse alone takes to read the
 * same file; then the time from confirm to the first message submitted to the simulator.
 *
 *   npx tsx bench/batch-check.ts [sqlite|postgres|all]     (BENCH_SCALE=0.1 for 100 000 rows)
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse';
import { openDatabase } from '../src/store/db.ts';
import { loadConfig } from '../src/config.ts';
import { startGenio } from '../src/server.ts';
import { createLogger } from '../src/log.ts';
import { insertBatch } from '../src/store/batches/create.ts';
import { newId } from '../src/store/ids.ts';
import { saveUpload } from '../src/ingest/upload.ts';
import { checkBatch } from '../src/ingest/check-batch.ts';
import { validNoticeNumber } from '../test/support/factories.ts';
import { fiscalCode, seedEnte } from './seed.ts';
import { freshDb, header, line, scaled, selfPeakRssMiB, startSimProcess, type BenchDb } from './support.ts';

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

async function csvParseAlone(file: string): Promise<number> {
  const t = performance.now();
  let n = 0;
  for await (const _ of fs.createReadStream(file).pipe(parse({ delimiter: ';', relax_column_count: true }))) n++;
  if (n !== ROWS + 1) throw new Error(`csv-parse read ${n} records`);
  return (performance.now() - t) / 1000;
}

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
    const { ente, service, apiKey } = await seedEnte(database, masterKey, sim, 1);
    const rssBefore = selfPeakRssMiB();
    const started = performance.now();
    const id = newId();
    const saved = await saveUpload(fs.createReadStream(csv), dir, `${id}.csv`, Number.MAX_SAFE_INTEGER);
    const batch = await insertBatch(database.db, {
      id, ente_id: ente.id, service_id: service.id, api_key_id: null, template_id: null, template_version: null, source: 'csv',
      file_name: 'tari.csv', file_sha256: saved.sha256, file_size: saved.size, file_path: saved.path, scheduled_at: null,
      check_only: 1, send_valid_only: 0, idempotency_key: null, request_hash: null,
    });
    await database.db.updateTable('batches').set({ lease_owner: 'bench', lease_until: Date.now() + 3_600_000 }).where('id', '=', id).execute();
    const checked = await checkBatch({ db: database.db, owner: 'bench', leaseMs: 3_600_000, maxRows: 2_000_000, now: Date.now, thread: process.env.BENCH_CHECK_THREAD !== 'off' }, batch, null, service.max_payment_amount);
    const seconds = (performance.now() - started) / 1000;
    if (checked?.status !== 'ready' || checked.valid_rows !== ROWS) throw new Error(`check ended ${checked?.status} with ${checked?.valid_rows} valid rows (${checked?.problem})`);
    header(`Batch check: ${ROWS.toLocaleString('en')} rows (${(bytes / 1048576).toFixed(0)} MiB CSV) checked and stored, ${kind}`);
    line('check + store', `${seconds.toFixed(1)} s (${Math.round(ROWS / seconds).toLocaleString('en')} rows/s)`);
    line('csv-parse alone, same file', `${parseSeconds.toFixed(1)} s`);
    line('ratio to csv-parse alone', `${(seconds / parseSeconds).toFixed(1)}×`);
    line('peak RSS of this process (before the check)', `${selfPeakRssMiB().toFixed(0)} MiB (${rssBefore.toFixed(0)} MiB)`);
    await database.close();

    // Confirm → first submit, through the API of a GeNIO on the same database.
    const log = createLogger('warn');
    const genio = await startGenio(
      loadConfig({}, { port: 0, host: '127.0.0.1', databaseUrl: url, ioBaseUrl: sim.url, masterKey, ioBudget: null, sandbox: false, batchDir: dir, logLevel: 'warn' }),
      { log },
    );
    try {
      const before = (await sim.stats()).messages;
      const t0 = performance.now();
      const r = await fetch(`${genio.url}/api/v1/batches/${id}/confirm`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: '{}' });
      if (r.status !== 200) throw new Error(`confirm answered ${r.status}: ${await r.text()}`);
      while ((await sim.stats()).messages === before) await new Promise((res) => setTimeout(res, 5));
      line('confirm → first message submitted to IO', `${((performance.now() - t0) / 1000).toFixed(2)} s`);
      await genio.stop();
    } finally {
      await genio.stop();
    }
    await drop();
  }
} finally {
  await sim.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
