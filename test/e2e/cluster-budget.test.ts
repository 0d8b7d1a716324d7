/**
 * Two GeNIO instances on one PostgreSQL schema send to one IO account through the simulator, whose
 * limit equals the configured budget. Each instance alone would spend the whole budget; together,
 * through the cluster-wide budget (src/dispatch/shared-budget.ts), they never earn a 429.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { startGenio, type Genio } from '../../src/server.ts';
import { createIoSimulator, type IoSimulator } from '../../src/io/simulator/index.ts';
import { POSTGRES_URL, freshDatabaseUrl } from '../support/genio.ts';
import { buildApiKey, buildEnte, buildService, messageBody } from '../support/factories.ts';

const LIMIT = { calls: 40, windowMs: 1000 };
const MESSAGES = 90;

async function ioCallsOf(genio: Genio): Promise<number> {
  const { values } = await genio.metrics.ioCalls.get();
  return values.reduce((n, v) => n + v.value, 0);
}

(POSTGRES_URL ? describe : describe.skip)('two GeNIO instances on one PostgreSQL database share the IO budget', () => {
  let sim: IoSimulator;
  let drop: () => Promise<void>;
  let batchDir: string;
  const instances: Genio[] = [];

  afterAll(async () => {
    for (const g of instances) await g.stop();
    await sim?.close();
    await drop?.();
    if (batchDir) fs.rmSync(batchDir, { recursive: true, force: true });
  });

  it(`${MESSAGES} messages, simulator limit = budget = ${LIMIT.calls} calls / 1 s: no 429, every message delivered once`, async () => {
    sim = createIoSimulator({ processingDelayMs: 30, rateLimit: LIMIT });
    await sim.listen(0, '127.0.0.1');
    const fresh = await freshDatabaseUrl('postgres');
    drop = fresh.drop;
    const masterKey = crypto.randomBytes(32);
    batchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'genio-uploads-'));
    const config = loadConfig({}, {
      batchDir, port: 0, host: '127.0.0.1', databaseUrl: fresh.url, ioBaseUrl: sim.url, masterKey,
      pollFirstDelayMs: 60, ioTimeoutMs: 2000, logLevel: 'warn', sandbox: false, ioBudget: LIMIT,
    });
    const log = createLogger('warn');
    for (let i = 0; i < 2; i++) instances.push(await startGenio(config, { log }));
    const db = instances[0].database.db;
    const ente = await buildEnte(db);
    await buildService(db, masterKey, sim, ente, { code: 'tari' });
    const { key } = await buildApiKey(db, masterKey, ente);

    // Half the messages enter through each instance; either may send any of them.
    const accepted = await Promise.all(Array.from({ length: MESSAGES }, async (_, i) => {
      const res = await fetch(`${instances[i % 2].url}/api/v1/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(messageBody('tari', i + 1)),
      });
      return res.status;
    }));
    expect(accepted.every((s) => s === 202)).toBe(true);

    const deadline = Date.now() + 60_000;
    for (;;) {
      const { rows } = await sql<{ n: number }>`select count(*) as n from messages where status = 'delivered'`.execute(db);
      if (Number(rows[0].n) === MESSAGES) break;
      if (Date.now() > deadline) throw new Error(`only ${rows[0].n} of ${MESSAGES} delivered in time`);
      await new Promise((r) => setTimeout(r, 100));
    }

    const stats = sim.stats();
    const account = stats.perAccount.aggregator;
    expect(account.rejected429).toBe(0);
    expect(account.maxInAnyWindow).toBeLessThanOrEqual(LIMIT.calls);
    expect(account.maxInAnyWindow).toBeGreaterThanOrEqual(LIMIT.calls / 2); // the budget was under pressure
    expect(stats.messages).toBe(MESSAGES);
    expect(stats.duplicates).toBe(0);
    const calls = await Promise.all(instances.map(ioCallsOf));
    for (const n of calls) expect(n).toBeGreaterThan(0.1 * account.calls); // both instances sent
  }, 90_000);
});
