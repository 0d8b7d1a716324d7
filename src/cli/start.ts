/**
 * `genio start` (npm start): GeNIO for a first-time user, with nothing to configure. Everything
 * `serve` requires is provided in the data directory (master key file, SQLite database), IO is
 * the built-in simulator, and a demo ente, service and API key exist from the first run.
 * Any GENIO_* variable still overrides its default, so the same command can grow up gradually.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { startGenio } from '../server.ts';
import { createIoSimulator } from '../io/simulator/index.ts';
import { openDatabase } from '../store/db.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { CliError } from '../admin/errors.ts';
import { OptionChecker } from '../admin/validate.ts';
import type { Output } from '../admin/output.ts';
import { DEMO_CITIZENS, ensureDemo, type DemoState } from '../admin/demo.ts';
import { registerServicesInSimulator } from '../admin/simulator-services.ts';
import { readOrCreateMasterKeyFile } from './master-key.ts';
import { parsePort } from './io-sim.ts';
import { listenError } from './listen-error.ts';
import { stopOnSignals } from './signals.ts';
import { startBanner } from './start-banner.ts';

type Env = Record<string, string | undefined>;

/** IO's real limit (FACTS.md §7): a demo that is fast here is fast against IO. */
const SIM_RATE_LIMIT = { calls: 150, windowMs: 5000 };
/** Slow enough to watch a message go from sent to delivered. */
const SIM_PROCESSING_DELAY_MS = 2000;

export async function startCommand(env: Env, out: Output): Promise<void> {
  const dataDir = path.resolve(env.GENIO_DATA_DIR?.trim() || './data');
  fs.mkdirSync(dataDir, { recursive: true });

  const check = new OptionChecker();
  const simPort = parsePort(check, 'GENIO_SIM_PORT', env.GENIO_SIM_PORT?.trim() || '0');
  check.done();

  let masterKey = env.GENIO_MASTER_KEY?.trim();
  if (!masterKey) {
    const file = path.join(dataDir, 'master.key');
    const read = readOrCreateMasterKeyFile(file, out.warn);
    if (read.created) out.warn(`created a new master key in ${file}: back it up with the data, the stored IO keys need it`);
    masterKey = read.hex;
  }
  let config: Config;
  try {
    config = loadConfig({
      ...env,
      GENIO_MASTER_KEY: masterKey,
      GENIO_DATABASE_URL: env.GENIO_DATABASE_URL?.trim() || path.join(dataDir, 'genio.sqlite'),
      GENIO_HOST: env.GENIO_HOST?.trim() || '127.0.0.1',
      GENIO_BATCH_DIR: env.GENIO_BATCH_DIR?.trim() || path.join(dataDir, 'uploads'),
      // The web UI logs in through the built-in test identity provider unless a real one is set.
      GENIO_LOCAL_IDP: env.GENIO_LOCAL_IDP?.trim() || (env.GENIO_OIDC_ISSUER?.trim() ? 'off' : 'on'),
    });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`cannot start GeNIO:\n${err.message}`);
    throw err;
  }

  const sim = createIoSimulator({ autoProvision: true, processingDelayMs: SIM_PROCESSING_DELAY_MS, rateLimit: SIM_RATE_LIMIT });
  await sim.listen(simPort!, '127.0.0.1').catch((err: unknown) => {
    throw listenError(err, 'GENIO_SIM_PORT', simPort!);
  });
  try {
    if (!env.GENIO_IO_BASE_URL?.trim()) config.ioBaseUrl = sim.url;
    for (const c of DEMO_CITIZENS) sim.setCitizen(c.fiscalCode, c.state);
    const demo = await prepareData(config, sim, out, path.join(dataDir, 'demo-api-key.txt'));

    const genio = await startGenio(config, { sandbox: sim }).catch((err: unknown) => {
      throw listenError(err, 'GENIO_PORT', config.port);
    });
    for (const line of startBanner({
      url: genio.url,
      dataDir,
      keyFile: path.join(dataDir, 'demo-api-key.txt'),
      database: genio.database.description,
      ioBaseUrl: config.ioBaseUrl,
      simulatorUrl: sim.url,
      demo,
      web: config.web,
    })) out.line(line);
    stopOnSignals(async () => {
      await genio.stop();
      await sim.close();
    }, out.warn);
  } catch (err) {
    await sim.close();
    throw err;
  }
}

/**
 * Before GeNIO starts sending: the demo data on a first run, and the stored services registered
 * in the simulator, so that messages left queued by the last run go out on the right account.
 */
async function prepareData(config: Config, sim: ReturnType<typeof createIoSimulator>, out: Output, keyFile: string): Promise<DemoState> {
  const database = await openDatabase(config.databaseUrl);
  try {
    await migrateToLatest(database);
    const demo = await ensureDemo(database, config.masterKey!, keyFile);
    if (config.ioBaseUrl === sim.url) await registerServicesInSimulator(database.db, config.masterKey!, sim, out);
    return demo;
  } finally {
    await database.close();
  }
}
