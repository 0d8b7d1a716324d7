/** The IO simulator in its own process (benchmarks, cluster tests): options as JSON in argv[2]; prints `SIM <url>`. */
import { serveSimulator } from '../../src/io/simulator/serve.ts';

const config = JSON.parse(process.argv[2] ?? '{}');
const sim = await serveSimulator({ port: 0, config: { recordRequests: false, ...config } });
process.stdout.write(`SIM ${sim.url}\n`);
process.on('SIGTERM', async () => {
  await sim.close();
  process.exit(0);
});
