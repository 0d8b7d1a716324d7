/** What every part of the dispatcher shares: the database, IO clients, budgets, caches and clock. */
import type { Config } from '../config.ts';
import type { Database } from '../store/db.ts';
import type { IoClient } from '../io/client.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { Budgets } from './budget.ts';
import type { Directory } from './directory.ts';
import type { OutcomeWriter } from './outcome-writer.ts';
import type { PollTimer } from './poll-timer.ts';
import type { ProfileCache } from './profile-cache.ts';

export interface DispatchContext {
  database: Database;
  config: Config;
  io: IoClient;
  /** The in-process simulator that sandbox keys send to; null when GENIO_SANDBOX is off. */
  sandboxIo: IoClient | null;
  directory: Directory;
  budgets: Budgets;
  writer: OutcomeWriter;
  pollTimer: PollTimer;
  profiles: ProfileCache;
  metrics: Metrics;
  log: Logger;
  clock: () => number;
  random: () => number;
}
