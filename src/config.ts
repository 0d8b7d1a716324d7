/**
 * GeNIO's whole configuration: one typed object read from the environment, checked at start.
 * Every variable has a safe default and is documented in the README (a test checks that).
 */
export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  ioBaseUrl: string;
  /** 32-byte key that encrypts IO keys and callback secrets at rest; null only where no secret is touched. */
  masterKey: Buffer | null;
  /** Default budget of an IO account: at most `calls` in any sliding window of `windowMs` (FACTS.md §7). */
  ioBudget: { calls: number; windowMs: number } | null;
  /** Added to the budget window: a call may arrive at IO up to this much later than it left (FACTS.md §7: keep a margin). */
  ioBudgetMarginMs: number;
  ioTimeoutMs: number;
  /** Most IO calls in flight at once, across all accounts. */
  ioConcurrency: number;
  profileCacheMs: number;
  retryMaxAttempts: number;
  retryMaxAgeMs: number;
  /** First retry delay; each further one doubles it (with jitter), up to retryMaxDelayMs. */
  retryBaseMs: number;
  retryMaxDelayMs: number;
  pollFirstDelayMs: number;
  pollMaxAgeMs: number;
  leaseMs: number;
  /** Fiscal codes and texts of finished messages are purged after this long. */
  retentionMs: number;
  bodyLimitBytes: number;
  /** Uploaded batch files wait here while they are checked. */
  batchDir: string;
  batchMaxRows: number;
  batchMaxBytes: number;
  /** A JSON batch body may be this large (its own limit: far above a single message's). */
  batchJsonLimitBytes: number;
  logLevel: string;
  /** Sandbox keys send to an in-process simulator; off disables sandbox keys. */
  sandbox: boolean;
  /** Run the delivery workers in this process (off with GENIO_WORKERS=off or role `api`). */
  workers: boolean;
  /** `all` (default), `api` (API and web UI only) or `worker` (workers only; health, readiness and metrics still served). */
  role: ProcessRole;
  web: WebConfig;
}

/** The web UI: where it is reached, who logs people in, how long a session lasts. */
export interface WebConfig {
  /** The address people type: the OpenID Connect redirect and cookie security follow from it. */
  publicUrl: string;
  /** The identity provider (a SPID / CIE / CNS broker); null: the web UI shows how to configure one. */
  oidc: { issuer: string; clientId: string; clientSecret: string; scopes: string; acrValues: string | null } | null;
  /** Serve the built-in test identity provider at /idp and log in through it. */
  localIdp: boolean;
  /** Allow the local identity provider with NODE_ENV=production (never for real users). */
  localIdpInProduction: boolean;
  /** Lowest SPID/CIE level (1–3) accepted; 0 accepts any, even a provider that sends no level. */
  minLevel: number;
  sessionIdleMs: number;
  sessionMaxMs: number;
  /** Who a person without a role should ask, shown on the "no access" page. */
  supportContact: string;
}

export const PROCESS_ROLES = ['all', 'api', 'worker'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

export class ConfigError extends Error {}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `250ms`, `5s`, `10m`, `2h`, `14d`, or a bare number of milliseconds. */
export function parseDuration(raw: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(raw);
  if (!m) return null;
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 'ms']);
}

/** `150/5s` → 150 calls in any 5 s; `off` → no budget (only for the simulator with its limit off). */
export function parseBudget(raw: string): Config['ioBudget'] | undefined {
  if (raw.trim() === 'off') return null;
  const m = /^\s*(\d+)\s*\/\s*(.+)$/.exec(raw);
  if (!m) return undefined;
  const windowMs = parseDuration(m[2]);
  const calls = Number(m[1]);
  if (!windowMs || calls < 1) return undefined;
  return { calls, windowMs };
}

type Env = Record<string, string | undefined>;

interface Readers {
  str(name: string, def: string): string;
  duration(name: string, def: string): number;
  bool(name: string, def: boolean): boolean;
  errors: string[];
}

/** The local identity provider's client: fixed, since GeNIO is both ends of it. */
export const LOCAL_IDP_CLIENT = { clientId: 'genio-web', clientSecret: 'genio-local-idp-secret-not-for-production' };

function webConfig(env: Env, port: number, r: Readers): WebConfig {
  const publicUrl = r.str('GENIO_PUBLIC_URL', `http://localhost:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(publicUrl)) r.errors.push(`GENIO_PUBLIC_URL must be an http(s) URL (got "${publicUrl}")`);
  const localIdp = r.bool('GENIO_LOCAL_IDP', false);
  const issuer = env.GENIO_OIDC_ISSUER?.trim();
  let oidc: WebConfig['oidc'] = null;
  const scopes = r.str('GENIO_OIDC_SCOPES', 'openid profile');
  const acrValues = env.GENIO_OIDC_ACR_VALUES?.trim() || null;
  if (issuer) {
    const clientId = env.GENIO_OIDC_CLIENT_ID?.trim();
    const clientSecret = env.GENIO_OIDC_CLIENT_SECRET?.trim();
    if (!/^https?:\/\/\S+$/.test(issuer)) r.errors.push(`GENIO_OIDC_ISSUER must be the provider's http(s) URL (got "${issuer}")`);
    if (!clientId) r.errors.push('GENIO_OIDC_CLIENT_ID is required with GENIO_OIDC_ISSUER');
    if (!clientSecret) r.errors.push('GENIO_OIDC_CLIENT_SECRET is required with GENIO_OIDC_ISSUER');
    if (localIdp) r.errors.push('GENIO_LOCAL_IDP=on and GENIO_OIDC_ISSUER exclude each other: choose one identity provider');
    oidc = { issuer: issuer.replace(/\/+$/, ''), clientId: clientId ?? '', clientSecret: clientSecret ?? '', scopes, acrValues };
  } else if (localIdp) {
    oidc = { issuer: `${publicUrl}/idp`, ...LOCAL_IDP_CLIENT, scopes: 'openid profile fiscal_number', acrValues };
  }
  if (!scopes.split(/\s+/).includes('openid')) r.errors.push(`GENIO_OIDC_SCOPES must include openid (got "${scopes}")`);
  const minLevelRaw = r.str('GENIO_OIDC_MIN_LEVEL', '2');
  const minLevel = Number(minLevelRaw);
  if (!['0', '1', '2', '3'].includes(minLevelRaw)) r.errors.push(`GENIO_OIDC_MIN_LEVEL must be 1, 2 or 3 (0: no check) (got "${minLevelRaw}")`);
  const sessionIdleMs = r.duration('GENIO_SESSION_IDLE', '30m');
  const sessionMaxMs = r.duration('GENIO_SESSION_MAX', '12h');
  if (sessionIdleMs > sessionMaxMs) r.errors.push('GENIO_SESSION_IDLE must not be longer than GENIO_SESSION_MAX');
  return {
    publicUrl,
    oidc,
    localIdp,
    localIdpInProduction: r.bool('GENIO_LOCAL_IDP_IN_PRODUCTION', false),
    minLevel: Number.isInteger(minLevel) ? minLevel : 2,
    sessionIdleMs,
    sessionMaxMs,
    supportContact: r.str('GENIO_SUPPORT_CONTACT', "l'amministratore di GeNIO del tuo ente"),
  };
}

/** Reads the configuration; throws a ConfigError listing every bad variable at once. */
export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const errors: string[] = [];
  const str = (name: string, def: string) => env[name]?.trim() || def;
  const int = (name: string, def: number, min = 0) => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) {
      errors.push(`${name} must be a whole number ≥ ${min} (got "${raw}")`);
      return def;
    }
    return n;
  };
  const duration = (name: string, def: string) => {
    const raw = str(name, def);
    const ms = parseDuration(raw);
    if (ms === null) {
      errors.push(`${name} must be a duration like 500ms, 30s, 10m, 2h, 14d (got "${raw}")`);
      return parseDuration(def)!;
    }
    return ms;
  };
  const bool = (name: string, def: boolean) => {
    const raw = env[name]?.trim().toLowerCase();
    if (!raw) return def;
    if (['1', 'true', 'on', 'yes'].includes(raw)) return true;
    if (['0', 'false', 'off', 'no'].includes(raw)) return false;
    errors.push(`${name} must be on or off (got "${raw}")`);
    return def;
  };

  let masterKey: Buffer | null = null;
  const rawKey = env.GENIO_MASTER_KEY?.trim();
  if (rawKey) {
    if (/^[0-9a-fA-F]{64}$/.test(rawKey)) masterKey = Buffer.from(rawKey, 'hex');
    else errors.push('GENIO_MASTER_KEY must be 64 hexadecimal characters (a 256-bit key)');
  }
  const budgetRaw = str('GENIO_IO_BUDGET', '150/5s');
  let ioBudget = parseBudget(budgetRaw);
  if (ioBudget === undefined) {
    errors.push(`GENIO_IO_BUDGET must look like 150/5s, or off (got "${budgetRaw}")`);
    ioBudget = { calls: 150, windowMs: 5000 };
  }
  const ioBaseUrl = str('GENIO_IO_BASE_URL', 'https://api.io.pagopa.it').replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s]+$/.test(ioBaseUrl)) errors.push(`GENIO_IO_BASE_URL must be an http(s) URL (got "${ioBaseUrl}")`);

  const port = int('GENIO_PORT', 3000);
  const roleRaw = str('GENIO_ROLE', 'all');
  const role = (PROCESS_ROLES as readonly string[]).includes(roleRaw) ? (roleRaw as ProcessRole) : 'all';
  if (role !== roleRaw) errors.push(`GENIO_ROLE must be all, api or worker (got "${roleRaw}")`);
  const config: Config = {
    port,
    host: str('GENIO_HOST', '0.0.0.0'),
    databaseUrl: str('GENIO_DATABASE_URL', './data/genio.sqlite'),
    ioBaseUrl,
    masterKey,
    ioBudget,
    ioBudgetMarginMs: duration('GENIO_IO_BUDGET_MARGIN', '250ms'),
    ioTimeoutMs: duration('GENIO_IO_TIMEOUT', '10s'),
    ioConcurrency: int('GENIO_IO_CONCURRENCY', 256, 1),
    profileCacheMs: duration('GENIO_PROFILE_CACHE', '1h'),
    retryMaxAttempts: int('GENIO_RETRY_MAX_ATTEMPTS', 12, 1),
    retryMaxAgeMs: duration('GENIO_RETRY_MAX_AGE', '24h'),
    retryBaseMs: duration('GENIO_RETRY_BASE', '1s'),
    retryMaxDelayMs: duration('GENIO_RETRY_MAX_DELAY', '5m'),
    pollFirstDelayMs: duration('GENIO_POLL_FIRST_DELAY', '5s'),
    pollMaxAgeMs: duration('GENIO_POLL_MAX_AGE', '14d'),
    leaseMs: duration('GENIO_LEASE', '60s'),
    retentionMs: duration('GENIO_RETENTION', '90d'),
    bodyLimitBytes: int('GENIO_BODY_LIMIT', 256 * 1024, 1024),
    batchDir: str('GENIO_BATCH_DIR', './data/uploads'),
    batchMaxRows: int('GENIO_BATCH_MAX_ROWS', 1_000_000, 1),
    batchMaxBytes: int('GENIO_BATCH_MAX_BYTES', 512 * 1024 * 1024, 1024),
    batchJsonLimitBytes: int('GENIO_BATCH_JSON_LIMIT', 32 * 1024 * 1024, 1024),
    logLevel: str('GENIO_LOG_LEVEL', 'info'),
    sandbox: bool('GENIO_SANDBOX', true),
    workers: bool('GENIO_WORKERS', true) && role !== 'api',
    role,
    web: webConfig(env, port, { str, duration, bool, errors }),
    ...overrides,
  };
  if (errors.length) throw new ConfigError(`Invalid configuration:\n  - ${errors.join('\n  - ')}`);
  return config;
}
