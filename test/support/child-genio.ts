/**
 * GeNIO in a child process, for crash tests: configured by the environment (as `genio serve`),
 * prints `READY <url>` once listening, stops gracefully on SIGTERM.
 */
import { loadConfig } from '../../src/config.ts';
import { startGenio } from '../../src/server.ts';

const config = loadConfig(process.env, { port: 0, host: '127.0.0.1', sandbox: false });
const genio = await startGenio(config);
process.stdout.write(`READY ${genio.url}\n`);
process.on('SIGTERM', async () => {
  await genio.stop();
  process.stdout.write('STOPPED\n');
  process.exit(0);
});
