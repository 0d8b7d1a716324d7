/**
 * The built GeNIO (`npm run build`: what `npm start` and production run) works as the TypeScript
 * does: it serves the API, finds the web pages' views and assets outside dist/, and checks a batch
 * in its compiled worker thread. The rest of the suite runs the TypeScript under tsx.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { buildApiKey, buildEnte, buildService, validFiscalCode } from '../support/factories.ts';
import { freshDatabaseUrl } from '../support/genio.ts';
import { BUILT, startServe, type ServeProcess } from '../support/serve-process.ts';
import { startSimProcess, type SimProcess } from '../support/sim-process.ts';

const TEXT = "Gentile contribuente, è disponibile l'avviso di pagamento della TARI 2026. Può pagarlo con pagoPA dall'app IO.";

describe('the built GeNIO', () => {
  let sim: SimProcess;
  let serve: ServeProcess;
  let apiKey: string;
  let drop: () => Promise<void>;
  const uploads = fs.mkdtempSync(path.join(os.tmpdir(), 'genio-built-'));

  beforeAll(async () => {
    fs.rmSync('dist', { recursive: true, force: true });
    execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
    sim = await startSimProcess({ rateLimit: null, processingDelayMs: 20 });
    const fresh = await freshDatabaseUrl('sqlite');
    drop = fresh.drop;
    const masterKey = crypto.randomBytes(32);
    const database = await openDatabase(fresh.url);
    await migrateToLatest(database);
    const ente = await buildEnte(database.db);
    await buildService(database.db, masterKey, sim, ente, { code: 'tari' });
    apiKey = (await buildApiKey(database.db, masterKey, ente)).key;
    await database.close();
    serve = await startServe({
      GENIO_DATABASE_URL: fresh.url, GENIO_MASTER_KEY: masterKey.toString('hex'), GENIO_IO_BASE_URL: sim.url, GENIO_SANDBOX: 'off',
      GENIO_IO_BUDGET: 'off', GENIO_LOG_LEVEL: 'warn', GENIO_BATCH_DIR: uploads,
    }, undefined, BUILT);
  }, 60_000);

  afterAll(async () => {
    serve?.child.kill('SIGTERM');
    if (serve) await new Promise((r) => serve.child.once('exit', r));
    await sim?.close();
    await drop?.();
    fs.rmSync(uploads, { recursive: true, force: true });
  });

  it('is JavaScript only: no TypeScript, and nothing of tsx loaded', () => {
    const files = fs.readdirSync('dist', { recursive: true }).map(String);
    expect(files).toContain('cli.js');
    expect(files).toContain(path.join('ingest', 'check-worker.js'));
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
    const code = files.filter((f) => f.endsWith('.js')).map((f) => fs.readFileSync(path.join('dist', f), 'utf8')).join('\n');
    expect(code).not.toMatch(/from ["']tsx/);
  });

  it('renders the web pages from their views, with their assets', async () => {
    const home = await fetch(`${serve.url}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('<html lang="it"');
    const css = await fetch(`${serve.url}/static/bootstrap-italia/css/bootstrap-italia.min.css`);
    expect(css.status).toBe(200);
  });

  it('checks a batch in its compiled worker thread, each error on its row', async () => {
    const rows = ['codice_fiscale;oggetto;testo', ...Array.from({ length: 30 }, (_, i) => `${validFiscalCode(300 + i)};Avviso di prova;${TEXT}`), `RSSMRA00A00A000X;Avviso di prova;${TEXT}`];
    const form = new FormData();
    form.append('service', 'tari');
    form.append('file', new Blob([rows.join('\r\n')]), 'tari.csv');
    const auth = { authorization: `Bearer ${apiKey}` };
    const up = await fetch(`${serve.url}/api/v1/batches`, { method: 'POST', headers: auth, body: form });
    expect(up.status).toBe(202);
    const { id } = (await up.json()) as { id: string };
    let batch: { status: string; rows: { total: number; valid: number; invalid: number } } | undefined;
    for (let i = 0; i < 100; i++) {
      batch = (await (await fetch(`${serve.url}/api/v1/batches/${id}`, { headers: auth })).json()) as typeof batch;
      if (batch!.status !== 'checking') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(batch).toMatchObject({ status: 'invalid', rows: { total: 31, valid: 30, invalid: 1 } });
    const errors = (await (await fetch(`${serve.url}/api/v1/batches/${id}/errors`, { headers: auth })).json()) as { items: Array<{ row: number; column: string }> };
    expect(errors.items).toEqual([expect.objectContaining({ row: 32, column: 'codice_fiscale' })]);
  });
});
