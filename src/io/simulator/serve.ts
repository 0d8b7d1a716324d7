/**
 * Starts a simulator for another process to use (`genio io-sim`). It is configured either through
 * `config` or afterwards through the `/__sim/` control API, which has no authentication: bind it to
 * a local interface only.
 */
import { createIoSimulator } from './index.ts';
import type { IoSimulator, SimulatorOptions } from './types.ts';

export async function serveSimulator(opts: { port: number; host?: string; config?: SimulatorOptions }): Promise<IoSimulator> {
  const sim = createIoSimulator(opts.config);
  await sim.listen(opts.port, opts.host ?? '127.0.0.1');
  return sim;
}
