/**
 * A whole GeNIO for a test: its own database (a SQLite file, or a PostgreSQL schema when the
 * suite runs with GENIO_TEST_DATABASE_URL), a real IO simulator over HTTP, logs captured in
 * memory, and an ente with a service and an API key.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { startGenio, type Genio } from '../../src/server.ts';
import { createIoSimulator, type IoSimulator, type SimulatorOptions } from '../../src/io/simulator/index.ts';
import type { Ente } from '../../src/store/enti.ts';
import type { Service } from '../../src/store/services.ts';
import { openDatabase, type Database } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { buildApiKey, buildEnte, buildService, type BuiltService } from './factories.ts';

export type DbKind = 'sqlite' | 'postgres';

/** The PostgreSQL server tests use; .ci/run sets it. Unset: PostgreSQL tests skip, and say so. */
export const POSTGRES_URL = process.env.GENIO_TEST_DATABASE_URL ?? '';

export const DB_KINDS: DbKind[] = POSTGRES_URL ? ['sqlite', 'postgres'] : ['sqlite'];
if (!POSTGRES_URL && process.env.VITEST) {
  console.warn('\n*** GENIO_TEST_DATABASE_URL is unset: PostgreSQL variants of the integration tests are SKIPPED ***\n');
}

/** A fresh database URL: a temp SQLite file, or a new schema on the test PostgreSQL server. */
export async function freshDatabaseUrl(kind: DbKind, postgresUrl = POSTGRES_URL): Promise<{ url: string; drop: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genio-test-'));
    return { url: path.join(dir, 'genio.sqlite'), drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `t_${crypto.randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.end();
  const u = new URL(postgresUrl);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: postgresUrl });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}

export interface TestGenio {
  genio: Genio;
  sim: IoSimulator;
  config: Config;
  masterKey: Buffer;
  ente: Ente;
  service: BuiltService;
  apiKey: string;
  /** Every log line written so far, raw. */
  logs: string[];
  /** fetch against GeNIO with the API key (or another given in headers). */
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: any }>;
  /** POST a multipart form (a batch upload) with the API key. */
  upload(path: string, fields: Record<string, string>, file?: { name: string; content: Buffer | string }, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: any }>;
  /** Polls until fn returns a truthy value. */
  until<T>(fn: () => Promise<T> | T, timeoutMs?: number): Promise<NonNullable<T>>;
  close(): Promise<void>;
}

export async function startTestGenio(opts: { db?: DbKind; sim?: SimulatorOptions; config?: Partial<Config>; sandboxSim?: boolean } = {}): Promise<TestGenio> {
  const sim = createIoSimulator({ processingDelayMs: 30, ...opts.sim });
  await sim.listen(0, '127.0.0.1');
  const { url: databaseUrl, drop } = await freshDatabaseUrl(opts.db ?? 'sqlite');
  const masterKey = crypto.randomBytes(32);
  const batchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'genio-uploads-'));
  const config = loadConfig({}, {
    batchDir,
    port: 0,
    host: '127.0.0.1',
    databaseUrl,
    ioBaseUrl: sim.url,
    masterKey,
    pollFirstDelayMs: 60,
    ioTimeoutMs: 2000,
    logLevel: 'info',
    ...opts.config,
  });
  const logs: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } });
  const log = createLogger(config.logLevel, sink);
  const genio = await startGenio(config, { log });
  const db = genio.database.db;
  const ente = await buildEnte(db);
  const service = await buildService(db, masterKey, sim, ente, { code: 'tari' });
  const { key: apiKey } = await buildApiKey(db, masterKey, ente);

  const api: TestGenio['api'] = async (method, p, body, headers = {}) => {
    const res = await fetch(genio.url + p, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try { parsed = text ? JSON.parse(text) : null; } catch { /* keep text */ }
    return { status: res.status, headers: res.headers, body: parsed };
  };
  const upload: TestGenio['upload'] = async (p, fields, file, headers = {}) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    if (file) form.append('file', new Blob([typeof file.content === 'string' ? file.content : new Uint8Array(file.content)]), file.name);
    const res = await fetch(genio.url + p, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, ...headers }, body: form });
    const text = await res.text();
    let parsed: unknown = text;
    try { parsed = text ? JSON.parse(text) : null; } catch { /* keep text */ }
    return { status: res.status, headers: res.headers, body: parsed };
  };
  const until: TestGenio['until'] = async (fn, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v) return v as NonNullable<typeof v>;
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return {
    genio, sim, config, masterKey, ente, service, apiKey, logs, api, upload, until,
    close: async () => {
      await genio.stop();
      await sim.close();
      await drop();
      fs.rmSync(batchDir, { recursive: true, force: true });
    },
  };
}

/** `n` connections to one fresh, migrated database, as `n` GeNIO processes would hold them. */
export async function openShared(kind: DbKind, n: number): Promise<{ dbs: Database[]; close(): Promise<void> }> {
  const fresh = await freshDatabaseUrl(kind);
  const dbs = [await openDatabase(fresh.url)];
  await migrateToLatest(dbs[0]);
  for (let i = 1; i < n; i++) dbs.push(await openDatabase(fresh.url));
  return {
    dbs,
    close: async () => {
      for (const d of dbs) await d.close();
      await fresh.drop();
    },
  };
}

/** A fresh, migrated database with one ente and one service (no IO simulator): for tests of the store. */
export async function openSeeded(kind: DbKind): Promise<{ database: Database; ente: Ente; service: Service; close(): Promise<void> }> {
  const { dbs, close } = await openShared(kind, 1);
  const ente = await buildEnte(dbs[0].db);
  const { service } = await buildService(dbs[0].db, crypto.randomBytes(32), null, ente);
  return { database: dbs[0], ente, service, close };
}
