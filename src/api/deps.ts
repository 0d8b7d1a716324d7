/** What the API needs from the rest of the process, passed in by the server that composes it. */
import type { Database } from '../store/db.ts';
import type { Metrics } from '../metrics.ts';
import type { Service } from '../store/services.ts';

import type { ProfileCheckResult } from '../domain/profile.ts';

export type { ProfileCheckResult };

export interface ApiDeps {
  database: Database;
  metrics: Metrics;
  /** A message was stored: wake the dispatcher so it goes out without waiting for a round. */
  onAccepted: () => void;
  /** Asks IO (within the account budget) whether a citizen can receive from a service. */
  checkProfile: (service: Service, fiscalCode: string, sandbox: boolean) => Promise<ProfileCheckResult>;
  bodyLimitBytes: number;
  /** A batch file was stored: check it without waiting for the next round. */
  onBatchUploaded: () => void;
  /** A batch was confirmed: start feeding it now. */
  onBatchConfirmed: () => void;
  batches: { dir: string; maxBytes: number; jsonLimitBytes: number };
  /** The account's budget as the dispatcher sees it, for a batch's estimated finish. */
  budgetOf: (account: string) => { calls: number; windowMs: number } | null;
}
