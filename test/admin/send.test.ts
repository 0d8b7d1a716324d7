/**
 * `genio send` and `genio batch` as a person runs them: a child process talking to a running
 * GeNIO over its public API, on a real file.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGenio, type TestGenio } from '../support/genio.ts';
import { validFiscalCode } from '../support/factories.ts';
import { TARI_TEMPLATE } from '../support/templates.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TEXT = "Gentile famiglia, è disponibile la retta della mensa scolastica di novembre. Può pagarla con pagoPA dall'app IO.";

function genio(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GENIO_')) clean[k] = v;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, env: { ...clean, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('genio send', () => {
  let t: TestGenio;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    t = await startTestGenio({ sim: { rateLimit: null }, config: { ioBudget: null } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genio-send-'));
    env = { GENIO_URL: t.genio.url, GENIO_API_KEY: t.apiKey, GENIO_DATA_DIR: dir };
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends a file and follows it to done, printing the batch id last', async () => {
    const file = path.join(dir, 'mensa.csv');
    const rows = ['codice_fiscale;oggetto;testo'];
    for (let i = 0; i < 30; i++) rows.push(`${validFiscalCode(8000 + i)};Retta mensa novembre;${TEXT}`);
    fs.writeFileSync(file, rows.join('\r\n') + '\r\n');
    const r = await genio(['send', '--service', 'tari', '--file', file], env);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const id = lines[lines.length - 1];
    expect(id).toMatch(/^[0-9A-Z]{26}$/);
    expect(lines[lines.length - 2]).toContain(`batch ${id} done`);
    expect(r.stderr).toContain('30 row(s): 30 valid, 0 with errors');
    expect(r.stderr).toMatch(/\[#+\] 100 %/);
    expect((await t.api('GET', `/api/v1/batches/${id}`)).body.status).toBe('done');
  }, 60_000);

  it('shows each error with its row and column, exits 1, and sends nothing', async () => {
    const file = path.join(dir, 'errori.csv');
    fs.writeFileSync(file, `codice_fiscale;oggetto;testo\r\n${validFiscalCode(8100)};Retta mensa novembre;${TEXT}\r\nRSSMRA85T10A562X;Retta mensa novembre;${TEXT}\r\n`);
    const r = await genio(['send', '--service', 'tari', '--file', file], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('row 3, column codice_fiscale');
    expect(r.stderr).toContain('--send-valid-only');
    expect(t.sim.requests().some((x) => (x.body as any)?.fiscal_code === validFiscalCode(8100))).toBe(false);
  }, 60_000);

  it('--check-only stops at ready; genio batch confirm sends it', async () => {
    const file = path.join(dir, 'pronto.csv');
    fs.writeFileSync(file, `codice_fiscale;oggetto;testo\r\n${validFiscalCode(8200)};Retta mensa dicembre;${TEXT}\r\n`);
    const r = await genio(['send', '--service', 'tari', '--file', file, '--check-only'], env);
    expect(r.code, r.stderr).toBe(0);
    const id = r.stdout.trim().split('\n').pop()!;
    expect(r.stdout).toContain(`genio batch confirm ${id}`);
    const c = await genio(['batch', 'confirm', id], env);
    expect(c.code, c.stderr).toBe(0);
    await t.until(() => t.sim.requests().some((x) => (x.body as any)?.fiscal_code === validFiscalCode(8200)));
  }, 60_000);

  it('says clearly what is missing', async () => {
    const r = await genio(['send', '--file', path.join(dir, 'nope.csv')], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--service <code> is required');
    expect(r.stderr).toContain('no file');
    const down = await genio(['send', '--service', 'tari', '--file', path.join(dir, 'pronto.csv')], { ...env, GENIO_URL: 'http://127.0.0.1:9' });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('cannot reach GeNIO at http://127.0.0.1:9');
  }, 60_000);

  it('manages templates: create from a JSON file, list, a new version, the sample CSV, delete', async () => {
    const file = path.join(dir, 'modello.json');
    fs.writeFileSync(file, JSON.stringify(TARI_TEMPLATE));
    const created = await genio(['template', 'create', '--file', file], env);
    expect(created.code, created.stderr).toBe(0);
    const id = created.stdout.trim().split('\n').pop()!;
    expect(id).toMatch(/^[0-9A-Z]{26}$/);
    const list = await genio(['template', 'list'], env);
    expect(list.stdout).toContain(`${id}  v1  tari  Avviso TARI`);
    fs.writeFileSync(file, JSON.stringify({ ...TARI_TEMPLATE, name: 'Avviso TARI (rev.)' }));
    const updated = await genio(['template', 'update', id, '--file', file], env);
    expect(updated.stdout).toContain('is now version 2');
    const sample = await genio(['template', 'sample', id], env);
    expect(sample.stdout.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe('codice_fiscale;nome;anno;totale;scadenza;riferimento');
    expect((await genio(['template', 'delete', id], env)).code).toBe(0);
    const gone = await genio(['template', 'show', id], env);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`No template ${id}`);
    fs.writeFileSync(file, '{ not json');
    const bad = await genio(['template', 'create', '--file', file], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not valid JSON');
  }, 60_000);
});
