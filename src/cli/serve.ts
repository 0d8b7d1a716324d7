/**
 * `genio serve`: the production start. Everything comes from the environment and nothing is
 * created on the side (no key file, no demo data), so a misconfiguration stops the start with
 * every problem listed instead of running half-configured.
 */
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { startGenio } from '../server.ts';
import { CliError } from '../admin/errors.ts';
import { stopOnSignals } from './signals.ts';
import { listenError } from './listen-error.ts';

type Env = Record<string, string | undefined>;

export async function serveCommand(env: Env): Promise<void> {
  const problems: string[] = [];
  if (!env.GENIO_MASTER_KEY?.trim()) {
    problems.push('GENIO_MASTER_KEY is not set: GeNIO encrypts IO keys and callback secrets with it. Generate one with `openssl rand -hex 32` and keep it safe: without it the stored keys cannot be read.');
  }
  let config: Config | undefined;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(err.message);
  }
  if (problems.length || !config) throw new CliError(`cannot start GeNIO:\n${problems.join('\n')}`);

  const genio = await startGenio(config).catch((err: unknown) => {
    throw listenError(err, 'GENIO_PORT', config.port);
  });
  genio.log.info({ url: genio.url, docs: `${genio.url}/docs`, database: genio.database.description, io: config.ioBaseUrl }, `GeNIO listening on ${genio.url}`);
  stopOnSignals(() => genio.stop(), (text) => genio.log.info(text));
}
