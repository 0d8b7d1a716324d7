/**
 * The `genio` command as an operator runs it: a real child process on a real SQLite file. The
 * points that matter most are about secrets: IO keys and API keys must never be readable in the
 * database file, an API key is printed once and alone on the last line, and `serve` refuses to
 * run without the master key.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkFiscalCode } from '../../src/domain/fiscal-code.ts';
import { checkOrganizationFiscalCode } from '../../src/domain/organization-fiscal-code.ts';
import { DEMO_CITIZENS, DEMO_ENTE_FISCAL_CODE, DEMO_RECIPIENT } from '../../src/admin/demo.ts';
import { WebClient } from '../support/web-client.ts';
import { freePort, loginAs, ROSSI } from '../support/web.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Aggregator-mode ente with a correct check digit (organizationCheckDigit('8000001000') = 1). */
const ENTE = '80000010001';
const PRIMARY = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const SECONDARY = '0f9e8d7c6b5a49382716f5e4d3c2b1a0';

interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();
let dir: string;
let env: NodeJS.ProcessEnv;

/** The parent's environment without any GENIO_* variable, so a developer's settings never leak in. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GENIO_')) e[k] = v;
  return { ...e, GENIO_LOG_LEVEL: 'warn', ...extra };
}

function spawnCli(args: string[], childEnv: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Runs a command to its end; a command still running after `timeoutMs` is killed and fails the test. */
async function runCli(args: string[], childEnv = env, timeoutMs = 30_000) {
  const run = spawnCli(args, childEnv);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      run.child.kill('SIGKILL');
      reject(new Error(`genio ${args.join(' ')} still running after ${timeoutMs} ms\n${run.stdout()}\n${run.stderr()}`));
    }, timeoutMs);
  });
  try {
    const { code } = await Promise.race([run.exited, timeout]);
    return { code, stdout: run.stdout(), stderr: run.stderr() };
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for a started command to end; one still running after `timeoutMs` fails the test (afterEach kills it). */
async function exitWithin(run: Running, timeoutMs: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms\n${run.stdout()}\n${run.stderr()}`)), timeoutMs);
  });
  try {
    return await Promise.race([run.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs: number, detail: () => string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}\n${detail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every byte SQLite holds for this database: the main file and, if still there, its write-ahead log. */
function databaseBytes(file: string): Buffer {
  return Buffer.concat([file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
}

function query<T>(file: string, sql: string, ...params: unknown[]): T[] {
  const db = new SQLite(file, { fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

const dbFile = () => path.join(dir, 'genio.sqlite');
const createEnte = () => runCli(['admin', 'create-ente', '--fiscal-code', ENTE, '--name', 'Comune di Prova']);
const createService = (code = 'tari') =>
  runCli(['admin', 'create-service', '--ente', ENTE, '--code', code, '--name', 'Tassa rifiuti', '--io-service-id', '01HZZSERVICE0000000000TARI', '--primary-key', PRIMARY, '--secondary-key', SECONDARY]);
const lastLine = (s: string) => s.trimEnd().split('\n').at(-1)!;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genio-cli-'));
  env = cleanEnv({ GENIO_DATABASE_URL: dbFile(), GENIO_MASTER_KEY: crypto.randomBytes(32).toString('hex') });
});

afterEach(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('genio admin: enti', () => {
  it('creates an ente and lists it', async () => {
    const r = await createEnte();
    expect(r.code, r.stderr).toBe(0);
    const list = await runCli(['admin', 'list-enti']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${ENTE}\\s+Comune di Prova\\s+aggregator`));
  });

  it('refuses a fiscal code with a wrong check digit, naming --fiscal-code, and creates nothing', async () => {
    const r = await runCli(['admin', 'create-ente', '--fiscal-code', '80000010002', '--name', 'Comune di Prova']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--fiscal-code');
    expect(r.stderr).toMatch(/check digit/);
    expect(query(dbFile(), 'select * from enti')).toHaveLength(0);
  });

  it('refuses a second ente with the same fiscal code', async () => {
    expect((await createEnte()).code).toBe(0);
    const r = await createEnte();
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/already exists/);
    expect(query(dbFile(), 'select * from enti')).toHaveLength(1);
  });
});

describe('genio admin: services', () => {
  it('stores the IO keys encrypted: they are nowhere in the SQLite file, nor in the output', async () => {
    expect((await createEnte()).code).toBe(0);
    const r = await createService();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(PRIMARY);
    expect(r.stdout + r.stderr).not.toContain(SECONDARY);

    const rows = query<{ io_account: string; primary_key_enc: string }>(dbFile(), 'select io_account, primary_key_enc from services');
    expect(rows).toHaveLength(1);
    expect(rows[0].io_account).toBe('aggregator');
    const bytes = databaseBytes(dbFile());
    // The search itself works: clear values stored beside the keys are found.
    expect(bytes.includes('01HZZSERVICE0000000000TARI')).toBe(true);
    expect(bytes.includes(rows[0].primary_key_enc)).toBe(true);
    expect(bytes.includes(PRIMARY)).toBe(false);
    expect(bytes.includes(SECONDARY)).toBe(false);

    const list = await runCli(['admin', 'list-services']);
    expect(list.stdout).toMatch(/tari\s+Tassa rifiuti\s+80000010001\s+aggregator\s+primary/);
    expect(list.stdout).not.toContain(PRIMARY);
  });

  it('refuses a duplicate service code and an unknown ente', async () => {
    expect((await createEnte()).code).toBe(0);
    expect((await createService()).code).toBe(0);
    const dup = await createService();
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toContain('--code');
    const unknown = await runCli(['admin', 'create-service', '--ente', '01234567897', '--code', 'x', '--name', 'X', '--io-service-id', 'id', '--primary-key', PRIMARY, '--secondary-key', SECONDARY]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/--ente: no ente has fiscal code 01234567897/);
  });
});

describe('genio admin: API keys', () => {
  beforeEach(async () => {
    expect((await createEnte()).code).toBe(0);
    expect((await createService()).code).toBe(0);
  });

  it('prints the key alone on the last line and stores only its hash', async () => {
    const r = await runCli(['admin', 'create-api-key', '--ente', ENTE, '--services', 'tari']);
    expect(r.code, r.stderr).toBe(0);
    const key = lastLine(r.stdout);
    expect(key).toMatch(/^genio_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{32}$/);
    expect(r.stdout.split('\n').filter((l) => l.includes(key))).toEqual([key]);

    const hash = crypto.createHash('sha256').update(key).digest('hex');
    expect(query(dbFile(), 'select id from api_keys where key_hash = ?', hash)).toHaveLength(1);
    const bytes = databaseBytes(dbFile());
    expect(bytes.includes(hash)).toBe(true);
    expect(bytes.includes(key)).toBe(false);
    // Nor its secret part alone (the visible prefix is stored on purpose).
    expect(bytes.includes(key.slice(-32))).toBe(false);
  });

  it('shows a callback signing secret once, and refuses a non-http callback URL', async () => {
    const ok = await runCli(['admin', 'create-api-key', '--ente', ENTE, '--callback-url', 'https://ente.example/genio']);
    expect(ok.code, ok.stderr).toBe(0);
    const secret = /signing secret[^:]*: (whsec_\S+)/.exec(ok.stdout)?.[1];
    expect(secret).toBeDefined();
    expect(databaseBytes(dbFile()).includes(secret!)).toBe(false);
    const bad = await runCli(['admin', 'create-api-key', '--ente', ENTE, '--callback-url', 'ftp://ente.example/x']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--callback-url');
  });

  it('refuses unknown service codes, naming them, and creates no key', async () => {
    const r = await runCli(['admin', 'create-api-key', '--ente', ENTE, '--services', 'tari,imu,mensa']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--services');
    expect(r.stderr).toContain('"imu"');
    expect(r.stderr).toContain('"mensa"');
    expect(r.stderr).not.toContain('"tari"');
    expect(query(dbFile(), 'select id from api_keys')).toHaveLength(0);
  });

  it('lists keys by prefix without the key, revokes one, and refuses to revoke it twice', async () => {
    const created = await runCli(['admin', 'create-api-key', '--ente', ENTE, '--sandbox']);
    expect(created.code, created.stderr).toBe(0);
    const key = lastLine(created.stdout);
    const prefix = /prefix:\s+(\S+)/.exec(created.stdout)![1];
    expect(key.startsWith(`${prefix}_`)).toBe(true);

    const list = await runCli(['admin', 'list-api-keys', '--ente', ENTE]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${prefix}\\s+${ENTE}\\s+all\\s+yes`));
    expect(list.stdout).not.toContain(key);

    const revoke = await runCli(['admin', 'revoke-api-key', prefix]);
    expect(revoke.code, revoke.stderr).toBe(0);
    expect(query<{ revoked_at: number | null }>(dbFile(), 'select revoked_at from api_keys')[0].revoked_at).toBeTypeOf('number');
    const again = await runCli(['admin', 'revoke-api-key', prefix]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already revoked/);
    const unknown = await runCli(['admin', 'revoke-api-key', 'genio_nothing']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/no API key/);
  });
});

describe('genio commands', () => {
  it('an unknown command prints the usage and exits 2', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: genio');
  });

  it('migrate applies the migrations once, then says the database is up to date', async () => {
    const first = await runCli(['migrate']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/applied 0001-core/);
    expect(query(dbFile(), 'select name from kysely_migration').length).toBeGreaterThan(0);
    const second = await runCli(['migrate']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/up to date/);
    expect(second.stdout).not.toMatch(/applied/);
  });

  it('io-sim serves the simulator and its control API, and stops on SIGTERM', async () => {
    const bad = await runCli(['io-sim', '--limit', 'lots']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--limit');

    const port = await freePort();
    const sim = spawnCli(['io-sim', '--port', String(port), '--limit', 'off'], env);
    await waitFor('the simulator', () => /__sim\/reset/.test(sim.stdout()), 30_000, () => sim.stdout() + sim.stderr());
    expect(sim.stdout()).toContain(`listening on http://127.0.0.1:${port}`);
    const stats = await fetch(`http://127.0.0.1:${port}/__sim/stats`);
    expect(stats.status).toBe(200);
    expect(((await stats.json()) as { calls: number }).calls).toBe(0);
    sim.child.kill('SIGTERM');
    expect(await exitWithin(sim, 15_000)).toEqual({ code: 0, signal: null });
  });

  it('serve refuses to start without GENIO_MASTER_KEY, naming it', async () => {
    const { GENIO_MASTER_KEY: _, ...noKey } = env;
    const r = await runCli(['serve'], noKey);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('GENIO_MASTER_KEY');
    expect(fs.existsSync(dbFile())).toBe(false);
  });

  it('serve refuses the local test identity provider with NODE_ENV=production unless explicitly allowed', async () => {
    const r = await runCli(['serve'], { ...env, NODE_ENV: 'production', GENIO_LOCAL_IDP: 'on' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('GENIO_LOCAL_IDP');
    expect(r.stderr).toContain('GENIO_LOCAL_IDP_IN_PRODUCTION');
  });

  it('serve --role takes all, api or worker, and names the mistake otherwise', async () => {
    const r = await runCli(['serve', '--role', 'both'], env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('GENIO_ROLE must be all, api or worker (got "both")');
  });

  it('the demo citizens and the demo ente have valid fiscal codes', () => {
    for (const c of [DEMO_RECIPIENT, ...DEMO_CITIZENS.map((d) => d.fiscalCode)]) expect(checkFiscalCode(c), c).toMatchObject({ ok: true });
    expect(checkOrganizationFiscalCode(DEMO_ENTE_FISCAL_CODE)).toMatchObject({ ok: true });
  });

  it('start creates the demo data, prints a key and a curl that works, stops on SIGTERM, and keeps its key across restarts', async () => {
    const dataDir = path.join(dir, 'data');
    const port = await freePort();
    const startEnv = cleanEnv({ GENIO_DATA_DIR: dataDir, GENIO_PORT: String(port) });

    const first = spawnCli(['start'], startEnv);
    const detail = () => `stdout:\n${first.stdout()}\nstderr:\n${first.stderr()}`;
    await waitFor('the start banner', () => /Stop with Ctrl\+C/.test(first.stdout()), 30_000, detail);
    const out = first.stdout();
    const url = /URL:\s+(\S+)/.exec(out)![1];
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect(out).toContain(`${url}/docs`);
    const key = /Demo API key:\s+(\S+)/.exec(out)![1];
    expect(key).toMatch(/^genio_/);
    expect(fs.readFileSync(path.join(dataDir, 'demo-api-key.txt'), 'utf8').trim()).toBe(key);
    expect(fs.statSync(path.join(dataDir, 'demo-api-key.txt')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(dataDir, 'master.key'), 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    for (const c of DEMO_CITIZENS) expect(out).toContain(c.fiscalCode);
    expect(out).toContain('npm run genio -- send --service demo --file <file.csv>');

    // Do what the printed curl says.
    const curl = /curl -s -X POST (\S+) -H '([^']*)' -H '([^']*)' -d '((?:[^']|'\\'')*)'\s*$/m.exec(out);
    expect(curl, detail()).not.toBeNull();
    const [, postUrl, authHeader, typeHeader, rawBody] = curl!;
    expect(postUrl).toBe(`${url}/api/v1/messages`);
    expect(authHeader).toBe(`Authorization: Bearer ${key}`);
    const header = (h: string) => [h.slice(0, h.indexOf(':')), h.slice(h.indexOf(':') + 1).trim()] as [string, string];
    const posted = await fetch(postUrl, { method: 'POST', headers: [header(authHeader), header(typeHeader)], body: rawBody.replace(/'\\''/g, "'") });
    const message = (await posted.json()) as { id: string; status: string };
    expect(posted.status, JSON.stringify(message)).toBe(202);

    // And read it back as the second curl says, until the simulator has accepted it.
    const readLine = /curl -s (\S+<id>) -H '([^']*)'/.exec(out);
    expect(readLine, detail()).not.toBeNull();
    const readUrl = readLine![1].replace('<id>', message.id);
    const authRead = header(readLine![2]);
    let status = '';
    const until = Date.now() + 20_000;
    while (!['sent', 'delivered'].includes(status)) {
      expect(Date.now() < until, `message still ${status} after 20 s\n${detail()}`).toBe(true);
      await new Promise((r) => setTimeout(r, 250));
      const got = await fetch(readUrl, { headers: [authRead] });
      expect(got.status).toBe(200);
      status = ((await got.json()) as { status: string }).status;
      expect(['queued', 'sending', 'sent', 'delivered']).toContain(status);
    }

    // The web UI: the demo manager logs in through the built-in test identity provider.
    const webUrl = /Web UI for the enti's operators: (\S+)\//.exec(out)?.[1];
    expect(webUrl, detail()).toBe(`http://localhost:${port}`);
    expect(out).toMatch(/Mario Rossi\s+manager/);
    const landed = await loginAs(new WebClient(), webUrl!, ROSSI);
    expect(landed.url.pathname).toBe(`/ente/${DEMO_ENTE_FISCAL_CODE}/`);
    expect(landed.html).toContain('Gestione');

    first.child.kill('SIGTERM');
    expect(await exitWithin(first, 15_000)).toEqual({ code: 0, signal: null });

    // A restart reuses everything: same key, still one ente.
    const second = spawnCli(['start'], startEnv);
    await waitFor('the second start banner', () => /Stop with Ctrl\+C/.test(second.stdout()), 30_000, () => second.stdout() + second.stderr());
    expect(/Demo API key:\s+(\S+)/.exec(second.stdout())![1]).toBe(key);
    expect(second.stdout()).not.toContain('created now');
    second.child.kill('SIGTERM');
    expect(await exitWithin(second, 15_000)).toEqual({ code: 0, signal: null });
    expect(query(path.join(dataDir, 'genio.sqlite'), 'select fiscal_code from enti')).toEqual([{ fiscal_code: DEMO_ENTE_FISCAL_CODE }]);
  }, 120_000);
});
