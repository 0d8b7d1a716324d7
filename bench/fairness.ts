/**
 * Fairness: ente A has 100 000 messages queued on a 150 calls / 5 s account; ente B, on the same
 * account, sends one message every half second. Printed: how long B's messages wait from accept
 * to IO submit, and how much of the budget A still gets.
 *
 *   npx tsx bench/fairness.ts         (BENCH_SCALE shortens the run)
 */
import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { openDatabase } from '../src/store/db.ts';
import { startGenio } from '../src/server.ts';
import { fiscalCode, queueMessages, seedEnte } from './seed.ts';
import { freshDb, header, line, percentile, scaled, selfPeakRssMiB, startSimProcess } from './support.ts';

const limit = { calls: 150, windowMs: 5000 };
const sim = await startSimProcess({ rateLimit: limit, processingDelayMs: 1000 });
const { url: dbUrl, drop } = await freshDb('sqlite');
const masterKey = crypto.randomBytes(32);
const database = await openDatabase(dbUrl);
const a = await seedEnte(database, masterKey, sim, 1);
const b = await seedEnte(database, masterKey, sim, 2);
const backlog = scaled(100_000);
await queueMessages(database, a.ente, a.service, backlog);
await database.close();

const config = loadConfig({}, { port: 0, host: '127.0.0.1', databaseUrl: dbUrl, ioBaseUrl: sim.url, masterKey, ioBudget: limit, sandbox: false, logLevel: 'warn' });
const genio = await startGenio(config, { log: createLogger('warn', new Writable({ write(_c, _e, cb) { cb(); } })) });
const seconds = Math.max(10, scaled(60));
const ids: string[] = [];
try {
  const started = Date.now();
  for (let i = 0; Date.now() - started < seconds * 1000; i++) {
    const r = await fetch(`${genio.url}/api/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${b.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'bench', fiscal_code: fiscalCode(1_000_000 + i), subject: 'Promemoria mensa scolastica', markdown: 'Gentile famiglia, le ricordiamo il pagamento della retta della mensa scolastica del mese corrente entro la fine del mese.' }),
    });
    ids.push(((await r.json()) as { id: string }).id);
    await new Promise((r) => setTimeout(r, 500));
  }
  await new Promise((r) => setTimeout(r, 8000)); // let the last ones go
  const { rows } = await sql<{ created_at: number; sent_at: number | null }>`select created_at, sent_at from messages where ente_id = ${b.ente.id}`.execute(genio.database.db);
  const waits = rows.filter((r) => r.sent_at !== null).map((r) => (r.sent_at! - r.created_at) / 1000).sort((x, y) => x - y);
  const aSent = await sql<{ n: number }>`select count(*) as n from messages where ente_id = ${a.ente.id} and sent_at is not null`.execute(genio.database.db);
  const stats = await sim.stats();
  header(`fairness: ente A ${backlog} queued, ente B 1 message / 0.5 s, one account at ${limit.calls} calls / ${limit.windowMs / 1000} s`);
  line("ente B messages sent / accepted", `${waits.length} / ${ids.length}`);
  line('ente B accept → submit p50 / p90 / p99 / max', `${percentile(waits, 50).toFixed(2)} / ${percentile(waits, 90).toFixed(2)} / ${percentile(waits, 99).toFixed(2)} / ${waits.at(-1)?.toFixed(2)} s`);
  line('ente A messages sent meanwhile', `${Number(aSent.rows[0].n)} (${(Number(aSent.rows[0].n) / (seconds + 8)).toFixed(1)}/s)`);
  line('simulator: most calls in any 5 s window', `${stats.perAccount.aggregator?.maxInAnyWindow} (limit ${limit.calls}), 429s: ${stats.perAccount.aggregator?.rejected429}`);
  line('peak RSS: GeNIO + bench process', `${selfPeakRssMiB().toFixed(0)} MiB`);
} finally {
  await genio.stop();
  await sim.close();
  await drop();
}
