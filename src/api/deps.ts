/** What the API needs from the rest of the process, passed in by the server that composes it. */
import type { Database } from '../store/db.ts';
import type { Metrics } from '../metrics.ts';
import type { Service } from '../store/services.ts';

export type ProfileCheckResult =
  | { kind: 'answer'; senderAllowed: boolean; onIo: boolean }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'failed'; reason: string };

export interface ApiDeps {
  database: Database;
  metrics: Metrics;
  /** A message was stored: wake the dispatcher so it goes out without waiting for a round. */
  onAccepted: () => void;
  /** Asks IO (within the account budget) whether a citizen can receive from a service. */
  checkProfile: (service: Service, fiscalCode: string, sandbox: boolean) => Promise<ProfileCheckResult>;
  bodyLimitBytes: number;
}
