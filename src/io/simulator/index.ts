/**
 * IO simulator: a faithful local stand-in for IO's services API (profiles, messages), used by tests,
 * benchmarks, the sandbox and `genio io-sim`. Behaviour follows FACTS.md §12; see the modules for
 * each rule and its source.
 */
import { IoSimulatorServer } from './simulator.ts';
import type { CitizenState, IoSimulator, SimulatorOptions } from './types.ts';

export type {
  AccountStats,
  CitizenState,
  IoOperation,
  IoSimulator,
  RecordedRequest,
  SimService,
  SimulatorOptions,
  SimulatorStats,
} from './types.ts';
export { IoSimulatorServer } from './simulator.ts';

export function createIoSimulator(opts?: SimulatorOptions & { defaultCitizen?: CitizenState }): IoSimulator {
  return new IoSimulatorServer(opts);
}
