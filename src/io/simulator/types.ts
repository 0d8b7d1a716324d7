/**
 * Public types of the IO simulator: a local stand-in for IO's services API
 * (`/api/v1/profiles`, `/api/v1/messages`), faithful enough that what passes
 * against it passes against IO (FACTS.md §12 checklist).
 */

/** Operation names, as counted in {@link SimulatorStats.byOperation}. */
export type IoOperation = 'getProfile' | 'submitMessage' | 'getMessage';

export interface SimulatorOptions {
  /**
   * APIM `rate-limit-by-key`: at most `calls` counted calls per ACCOUNT in any sliding window of
   * `windowMs` (FACTS.md §7). Default 150 / 5000 ms; `null` = no limit (group `ApiNoRateLimit`).
   */
  rateLimit?: { calls: number; windowMs: number } | null;
  /** Time from accept to the final status (ACCEPTED → PROCESSED/REJECTED/FAILED, FACTS.md §5). Default 1000. */
  processingDelayMs?: number;
  /** Added to every IO response (not to the control API). Default 0. */
  latencyMs?: number;
  /** Fraction (0..1) of accepted calls answered 500 ProblemJson. Default 0. */
  errorRate?: number;
  /** Fraction (0..1) of accepted calls that never answer: the socket stays open until the client gives up. Default 0. */
  timeoutRate?: number;
  /** Fraction (0..1) of submitted messages that end FAILED instead of being processed. Default 0. */
  failRate?: number;
  /** Unknown subscription keys become a new service on account `sandbox` instead of 401. Default false. */
  autoProvision?: boolean;
  /** State of citizens never configured with `setCitizen`. Default `active`. */
  defaultCitizen?: CitizenState;
  /** Keep a log of received requests for `requests()`. Default true. */
  recordRequests?: boolean;
  /** The request log keeps only the most recent N entries. Default 200 000. */
  maxRecordedRequests?: number;
  /** Source of randomness for error/timeout/fail draws; inject for deterministic tests. Default Math.random. */
  random?: () => number;
}

/**
 * One IO service = one APIM subscription (service id = subscription id, FACTS.md §1). The account is
 * the APIM user owning it: rate limits and permission groups belong to the account.
 */
export interface SimService {
  serviceId: string;
  account: string;
  primaryKey: string;
  secondaryKey: string;
  /** Euro cents; IO default is 0, so payment messages need it raised (FACTS.md §3). */
  maxAllowedPaymentAmount?: number;
  /** Used as payee of payment notices that carry none (FACTS.md §3, ProcessMessage). */
  organizationFiscalCode?: string;
  /** Set = service in limited (test) mode (group ApiLimitedMessageWrite): only these CFs allowed, others 403. */
  limitedRecipients?: string[];
  /** Group ApiMessageWriteWithPayee: may send `payment_data.payee`. */
  payeeEnabled?: boolean;
  /** Group ApiMessageWriteAdvanced: may send `feature_level_type: ADVANCED`. */
  advancedEnabled?: boolean;
  /** Group ApiThirdPartyMessageWrite: may send `third_party_data`. */
  thirdPartyEnabled?: boolean;
  /** Group ApiMessageWriteEUCovidCert: may send `eu_covid_cert`. */
  euCovidCertEnabled?: boolean;
  /** Service `authorized_cidrs` (IPv4); empty/absent = any caller IP (FACTS.md §1). */
  authorizedCidrs?: string[];
}

/** `blocked` = the citizen has blocked this service (or the listed services). */
export type CitizenState = 'active' | 'not_found' | 'inbox_disabled' | 'blocked';

export interface RecordedRequest {
  method: string;
  /** Path with query string, as received. */
  path: string;
  /** Header names lower-case. */
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, or the raw text when not JSON, or undefined when empty. */
  body: unknown;
  /** Epoch ms of arrival. */
  at: number;
  operation?: IoOperation;
  account?: string;
  serviceId?: string;
  /** HTTP status answered; 0 while pending or when the call was made to time out. */
  status: number;
}

export interface AccountStats {
  calls: number;
  /** Most calls that arrived and were counted in any sliding window of the configured length. */
  maxInAnyWindow: number;
  rejected429: number;
}

export interface SimulatorStats {
  /** Requests to IO paths (control API excluded). */
  calls: number;
  byOperation: Record<IoOperation, number>;
  /** By HTTP status; calls made to time out are under `timeout`. */
  byStatus: Record<string, number>;
  perAccount: Record<string, AccountStats>;
  /** Submits answered 201. */
  messages: number;
  /** Submits answered 201 whose (service, fiscal_code, subject, markdown, notice number) was already accepted. */
  duplicates: number;
}

export interface IoSimulator {
  /** Base URL after `listen()`, e.g. `http://127.0.0.1:53211`. */
  readonly url: string;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  addService(s: SimService): void;
  setCitizen(fiscalCode: string, state: CitizenState, blockedServiceIds?: string[]): void;
  /** That key now answers 401 (a regenerated or revoked key). */
  refuseKey(key: string): void;
  configure(patch: Partial<SimulatorOptions>): void;
  stats(): SimulatorStats;
  requests(): RecordedRequest[];
  /** Forget messages, counters and recorded requests; keep services, citizens and refused keys. */
  reset(): void;
}
