/** What the web UI needs from the process that serves it (composed in src/server.ts). */
import type { WebConfig } from '../config.ts';
import type { Database } from '../store/db.ts';
import type { Logger } from '../log.ts';

export interface WebDeps {
  database: Database;
  config: WebConfig;
  masterKey: Buffer;
  log: Logger;
  clock: () => number;
  /** A message was stored: wake the dispatcher. */
  onAccepted(): void;
  onBatchUploaded(): void;
  onBatchConfirmed(): void;
  batches: { dir: string; maxBytes: number };
  /** The IO account's budget, for a batch's estimated finish. */
  budgetOf(account: string): { calls: number; windowMs: number } | null;
}
