/**
 * One GeNIO process: database (migrated), API, dispatcher and periodic jobs, and the in-process
 * simulator that sandbox keys send to. `genio serve`, `npm start` and the tests all start GeNIO
 * through `startGenio`, so they run the same composition.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './store/db.ts';
import { migrateToLatest } from './store/migrate.ts';
import { ensureIoAccount, SANDBOX_ACCOUNT } from './store/io-accounts.ts';
import { requeueExpiredLeases, promoteScheduled } from './store/outbox/recover.ts';
import { purgePersonalData } from './store/retention.ts';
import { createIoClient, type IoClient } from './io/client.ts';
import { createIoSimulator, type IoSimulator } from './io/simulator/index.ts';
import { createLogger, type Logger } from './log.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { Dispatcher } from './dispatch/dispatcher.ts';
import { JobRunner } from './dispatch/jobs.ts';
import { deliverCallbacks } from './dispatch/callbacks.ts';
import { checkProfile } from './dispatch/check-profile.ts';
import { BatchFeeder } from './dispatch/batch-feeder.ts';
import { BatchChecker } from './ingest/check-job.ts';
import { buildApi } from './api/app.ts';
import { isBrowserRequest, registerWeb, sendWebNotFound } from './web/app.ts';
import { purgeWebSessions } from './store/web-sessions.ts';
import { registerServicesInSimulator } from './admin/simulator-services.ts';
import type { Output } from './admin/output.ts';

const logOutput = (log: Logger): Output => ({ line: (s) => log.info(s), warn: (s) => log.warn(s) });

export interface Genio {
  url: string;
  api: FastifyInstance;
  database: Database;
  dispatcher: Dispatcher;
  metrics: Metrics;
  log: Logger;
  /** The simulator sandbox keys send to (null with GENIO_SANDBOX=off). */
  sandbox: IoSimulator | null;
  /** SIGTERM behaviour: stop accepting, finish IO calls in flight, record their outcomes, close. */
  stop(): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  /** Listen (default) or only build the API (tests using inject). */
  listen?: boolean;
  /** Use this simulator for sandbox keys instead of starting one. */
  sandbox?: IoSimulator | null;
  clock?: () => number;
  random?: () => number;
}

export async function startGenio(config: Config, opts: StartOptions = {}): Promise<Genio> {
  if (!config.masterKey) throw new Error('GENIO_MASTER_KEY is required: 64 hex characters (openssl rand -hex 32)');
  if (config.web.localIdp && process.env.NODE_ENV === 'production' && !config.web.localIdpInProduction) {
    throw new Error('GENIO_LOCAL_IDP=on lets anyone log in as a test citizen: refused with NODE_ENV=production (set GENIO_LOCAL_IDP_IN_PRODUCTION=yes only for a test installation)');
  }
  const masterKey = config.masterKey;
  const log = opts.log ?? createLogger(config.logLevel);
  const database = await openDatabase(config.databaseUrl);
  await migrateToLatest(database);
  const metrics = createMetrics({ defaults: true });

  let sandbox: IoSimulator | null = null;
  let ownSandbox = false;
  if (config.sandbox) {
    sandbox = opts.sandbox ?? null;
    if (!sandbox) {
      sandbox = createIoSimulator({ autoProvision: true, processingDelayMs: 1000 });
      await sandbox.listen(0, '127.0.0.1');
      ownSandbox = true;
    }
    await ensureIoAccount(database.db, SANDBOX_ACCOUNT);
  }
  const io: IoClient = createIoClient(config.ioBaseUrl, { timeoutMs: config.ioTimeoutMs, connections: config.ioConcurrency });
  const sandboxIo = sandbox ? createIoClient(sandbox.url, { timeoutMs: config.ioTimeoutMs, connections: 16 }) : null;

  const dispatcher = new Dispatcher({ database, config, masterKey, io, sandboxIo, metrics, log, clock: opts.clock, random: opts.random });
  const ctx = dispatcher.ctx;
  const feeder = new BatchFeeder(database.db, () => dispatcher.wake(), (b) => log.info({ batchId: b.id }, 'batch done'));
  const checker = new BatchChecker({
    db: database.db,
    owner: dispatcher.owner,
    leaseMs: config.leaseMs,
    maxRows: config.batchMaxRows,
    log,
    clock: ctx.clock,
    onChecked: (b) => {
      if (b.status === 'queued') jobs.wake('feed-batches');
    },
  });
  const jobs: JobRunner = new JobRunner(
    [
      { name: 'requeue-expired-leases', singleton: true, intervalMs: Math.min(5000, config.leaseMs), run: async (now) => {
        const r = await requeueExpiredLeases(database, now);
        if (r.requeued) {
          log.warn(r, 'messages of a stopped worker queued again');
          metrics.possibleDuplicates.inc(r.possibleDuplicates);
          dispatcher.wake();
        }
      } },
      { name: 'purge-personal-data', singleton: true, intervalMs: 3_600_000, run: async (now) => {
        const r = await purgePersonalData(database, { cutoff: now - config.retentionMs, now });
        if (r.messages || r.idempotencyKeys || r.batches) log.info(r, 'personal data past retention purged');
        return r.messages === 1000 || r.batches === 5; // more to do: run again now
      } },
      { name: 'promote-scheduled', singleton: true, intervalMs: 1000, run: async (now) => {
        if (await promoteScheduled(database, now)) dispatcher.wake();
      } },
      // The sandbox simulator learns every service with its keys and payment maximum, so a sandbox
      // key behaves as the real service would at IO (IO's default maximum refuses every payment).
      ...(sandbox ? [{ name: 'sandbox-services', intervalMs: 5000, run: async () => void (await registerServicesInSimulator(database.db, masterKey, sandbox!, logOutput(log))) }] : []),
      { name: 'purge-web-sessions', singleton: true, intervalMs: 600_000, run: async (now) => void (await purgeWebSessions(database.db, config.web.sessionIdleMs, now)) },
      { name: 'check-batches', intervalMs: 500, run: (now) => checker.run(now) },
      { name: 'feed-batches', intervalMs: 250, run: (now) => feeder.run(now) },
      { name: 'deliver-callbacks', intervalMs: 500, run: async () => {
        const n = await deliverCallbacks({ database, directory: ctx.directory, log, metrics, clock: ctx.clock, random: ctx.random, timeoutMs: config.ioTimeoutMs });
        return n >= 16;
      } },
    ],
    log,
    opts.clock,
    // Singleton jobs run once cluster-wide; a dead holder's job moves on after GENIO_LEASE.
    { database, leaseMs: config.leaseMs },
  );

  // What the API and the web UI both tell the workers, and ask of them.
  const hooks = {
    onAccepted: () => dispatcher.wake(),
    onBatchUploaded: () => jobs.wake('check-batches'),
    onBatchConfirmed: () => jobs.wake('feed-batches'),
    budgetOf: (account: string) => ctx.budgets.get(account).limits,
  };
  const api = await buildApi(
    {
      ...hooks,
      database,
      metrics,
      bodyLimitBytes: config.bodyLimitBytes,
      batches: { dir: config.batchDir, maxBytes: config.batchMaxBytes, jsonLimitBytes: config.batchJsonLimitBytes },
      checkProfile: (service, fiscalCode, isSandbox) => checkProfile(ctx, service, fiscalCode, isSandbox),
    },
    log,
    {
      notFound: (request, reply) => config.role !== 'worker' && isBrowserRequest(request) && (sendWebNotFound(request, reply), true),
      operationsOnly: config.role === 'worker',
    },
  );
  if (config.role !== 'worker') {
    await registerWeb(api, { ...hooks, database, config: config.web, masterKey, log, clock: ctx.clock, batches: { dir: config.batchDir, maxBytes: config.batchMaxBytes } });
  }
  // Budget gauges read the live budgets at scrape time.
  metrics.budgetSource.read = () => ctx.budgets.snapshot(ctx.clock());

  if (sandbox) await registerServicesInSimulator(database.db, masterKey, sandbox, logOutput(log));
  if (config.workers) {
    dispatcher.start();
    jobs.start();
  }
  let url = '';
  if (opts.listen !== false) {
    url = await api.listen({ port: config.port, host: config.host });
  } else {
    await api.ready();
  }
  let stopping: Promise<void> | null = null;
  return {
    url,
    api,
    database,
    dispatcher,
    metrics,
    log,
    sandbox,
    stop: () =>
      (stopping ??= (async () => {
        await api.close();
        await dispatcher.stop();
        await jobs.stop();
        await io.close();
        await sandboxIo?.close();
        if (ownSandbox) await sandbox?.close();
        await database.close();
      })()),
  };
}
