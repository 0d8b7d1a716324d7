/** A relying party registered at the local IdP (GeNIO's web UI, or a test's client). */
export interface LocalIdpClient {
  readonly clientId: string;
  /** Accepted with both `client_secret_basic` and `client_secret_post`. */
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
}

/** Options of {@link createLocalIdp}. */
export interface LocalIdpOptions {
  /** e.g. `http://localhost:3000/idp`: its path is where the IdP must be mounted. */
  readonly issuer: string;
  readonly clients: readonly LocalIdpClient[];
  /** Keys signing the IdP's cookies; random per process when omitted. */
  readonly cookieKeys?: readonly string[];
  /** Trust `X-Forwarded-Proto`/`-Host`/`-For` (only behind a proxy that sets them). Default false. */
  readonly proxy?: boolean;
}

/** RFC 6749 VSCHAR without space: what HTTP Basic client authentication can carry unambiguously. */
const VSCHAR = /^[\x21-\x7E]+$/;
const MOUNT_PATH = /^(\/[A-Za-z0-9._~-]+)+$/;

function fail(what: string): never {
  throw new TypeError(`local IdP: ${what}`);
}

function checkUri(uri: unknown, where: string): void {
  let url: URL;
  try {
    url = new URL(String(uri));
  } catch {
    fail(`${where} '${String(uri)}' is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(`${where} '${url.href}' must be http(s)`);
  if (url.hash) fail(`${where} '${url.href}' must not have a fragment`);
}

/**
 * Checks the options before oidc-provider sees them (it validates clients only on first use, too
 * late for a clear start-up error). Returns the issuer's path, where the IdP must be mounted.
 */
export function checkLocalIdpOptions(opts: LocalIdpOptions): string {
  let issuer: URL;
  try {
    issuer = new URL(opts.issuer);
  } catch {
    fail(`issuer '${opts.issuer}' is not an absolute URL`);
  }
  if (issuer.protocol !== 'http:' && issuer.protocol !== 'https:') fail(`issuer '${opts.issuer}' must be http(s)`);
  if (issuer.search || issuer.hash) fail(`issuer '${opts.issuer}' must not have a query or fragment`);
  if (!MOUNT_PATH.test(issuer.pathname)) {
    fail(`issuer '${opts.issuer}' must have a path like /idp (no trailing slash): it is mounted under it`);
  }

  if (!Array.isArray(opts.clients) || opts.clients.length === 0) fail('at least one client is required');
  const ids = new Set<string>();
  for (const c of opts.clients) {
    if (typeof c.clientId !== 'string' || !VSCHAR.test(c.clientId)) fail(`clientId '${String(c.clientId)}' must be non-empty printable ASCII without spaces`);
    if (ids.has(c.clientId)) fail(`clientId '${c.clientId}' is registered twice`);
    ids.add(c.clientId);
    if (typeof c.clientSecret !== 'string' || !VSCHAR.test(c.clientSecret)) {
      fail(`clientSecret of '${c.clientId}' must be a non-empty string of printable ASCII without spaces`);
    }
    if (!Array.isArray(c.redirectUris) || c.redirectUris.length === 0) fail(`client '${c.clientId}' needs at least one redirect URI`);
    c.redirectUris.forEach((u: string) => checkUri(u, `redirect URI of '${c.clientId}'`));
    if (!Array.isArray(c.postLogoutRedirectUris)) fail(`postLogoutRedirectUris of '${c.clientId}' must be an array`);
    c.postLogoutRedirectUris.forEach((u: string) => checkUri(u, `post-logout redirect URI of '${c.clientId}'`));
  }

  if (opts.cookieKeys !== undefined) {
    if (!Array.isArray(opts.cookieKeys) || opts.cookieKeys.length === 0) fail('cookieKeys, when given, must be a non-empty array');
    if (opts.cookieKeys.some((k) => typeof k !== 'string' || k.length < 32)) fail('every cookie key must be a string of at least 32 characters');
  }
  return issuer.pathname;
}
