/**
 * The built-in local OpenID Connect IdP, mounted at /idp of a bare fastify, driven end to end by
 * openid-client (the RP side GeNIO uses) and by plain fetch acting as the browser.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { checkFiscalCode } from '../../src/domain/fiscal-code.ts';
import {
  FISCAL_NUMBER_CLAIMS, SPID_ACR, SPID_ACR_VALUES, TEST_CITIZENS, citizenName, type TestCitizen,
} from '../../src/local-idp/citizens.ts';
import { mountLocalIdp } from '../../src/local-idp/mount.ts';
import { LOCAL_IDP_SCOPE, createLocalIdp, type LocalIdp } from '../../src/local-idp/provider.ts';
import { FORM, WebClient as Browser } from '../support/web-client.ts';

const CLIENT_ID = 'genio-web';
const SECRET = 'local-idp-test-secret';
let server: Server;
let app: FastifyInstance;
let base: string;
let issuer: string;
let idp: LocalIdp;
let config: oidc.Configuration; // client_secret_post, openid-client's default
let basicConfig: oidc.Configuration;
const consoleSpies: MockInstance[] = [];

const redirectUri = () => `${base}/auth/callback`;
const postLogoutUri = () => `${base}/logged-out`;
const locationOf = (res: Response, from: string | URL) => new URL(res.headers.get('location') ?? '', from);

beforeAll(async () => {
  // Spied from before the IdP exists (oidc-provider's import-time "Unsupported runtime" on Node 20 is earlier).
  for (const m of ['log', 'info', 'warn', 'error'] as const) consoleSpies.push(vi.spyOn(console, m));
  // The port must be known before the IdP exists (it is in the issuer): listen first, then attach fastify.
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  issuer = `${base}/idp`;
  idp = await createLocalIdp({
    issuer,
    clients: [{ clientId: CLIENT_ID, clientSecret: SECRET, redirectUris: [redirectUri()], postLogoutRedirectUris: [postLogoutUri()] }],
  });
  app = Fastify({ serverFactory: (handler) => server.on('request', handler) });
  await app.register(formbody); // a root-level body parser, as GeNIO's web UI has: the IdP must not see it
  app.post('/echo', async (req) => req.body);
  mountLocalIdp(app, idp);
  await app.ready();
  const opts = { execute: [oidc.allowInsecureRequests] };
  config = await oidc.discovery(new URL(issuer), CLIENT_ID, SECRET, undefined, opts);
  basicConfig = await oidc.discovery(new URL(issuer), CLIENT_ID, SECRET, oidc.ClientSecretBasic(SECRET), opts);
});

afterAll(async () => {
  await app.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Starts an authorization request in `browser`; returns the PKCE/state/nonce checks and the first response. */
async function authorize(browser: Browser, extra: Record<string, string> = {}) {
  const checks = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce() };
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri(),
    scope: LOCAL_IDP_SCOPE,
    code_challenge: await oidc.calculatePKCECodeChallenge(checks.verifier),
    code_challenge_method: 'S256',
    state: checks.state,
    nonce: checks.nonce,
    ...extra,
  });
  const res = await browser.fetch(url);
  return { checks, res, url };
}

/** The chooser page's forms: action and the citizen each one logs in as (absent for "Annulla"). */
function forms(html: string): Array<{ action: string; citizen?: string }> {
  return [...html.matchAll(/<form method="post" action="([^"]+)"[^>]*>\s*(?:<input type="hidden" name="citizen" value="([^"]+)">)?/g)]
    .map((m) => ({ action: m[1], citizen: m[2] }));
}

/** Follows the IdP's own redirects until one leaves /idp (to the client) or a page is shown. */
async function followIdp(browser: Browser, res: Response, from: URL): Promise<{ res: Response; url: URL }> {
  let url = from;
  while (res.status === 303 || res.status === 302) {
    const next = locationOf(res, url);
    if (!next.href.startsWith(`${issuer}/`)) return { res, url: next };
    url = next;
    res = await browser.fetch(url);
  }
  return { res, url };
}

/** Full login as `citizen`; returns the callback URL (with the code) and the checks to redeem it. */
async function loginAs(browser: Browser, citizen: TestCitizen, extra: Record<string, string> = {}) {
  const { checks, res, url } = await authorize(browser, extra);
  const page = await followIdp(browser, res, url);
  expect(page.res.status).toBe(200);
  const form = forms(await page.res.text()).find((f) => f.citizen === citizen.id);
  expect(form, `a form for ${citizen.id}`).toBeDefined();
  const action = new URL(form!.action, page.url);
  const back = await followIdp(browser, await browser.post(action, { citizen: citizen.id }), action);
  expect(back.url.origin + back.url.pathname).toBe(redirectUri());
  return { callback: back.url, checks };
}

function redeem(cfg: oidc.Configuration, login: Awaited<ReturnType<typeof loginAs>>) {
  return oidc.authorizationCodeGrant(cfg, login.callback, {
    pkceCodeVerifier: login.checks.verifier,
    expectedState: login.checks.state,
    expectedNonce: login.checks.nonce,
    idTokenExpected: true,
  });
}

const [rossi] = TEST_CITIZENS;

describe('test citizens', () => {
  it('have valid fiscal codes, every claim shape brokers use, exactly one at L1 and one at L3', () => {
    for (const c of TEST_CITIZENS) {
      expect(checkFiscalCode(c.fiscalCode), c.id).toEqual({ ok: true, value: c.fiscalCode });
      expect([c.fiscalCode, `TINIT-${c.fiscalCode}`]).toContain(c.fiscalClaimValue);
    }
    expect(rossi.fiscalCode).toBe('RSSMRA80A01H501U');
    const shapes = TEST_CITIZENS.map((c) => `${c.fiscalClaim}=${c.fiscalClaimValue.startsWith('TINIT-') ? 'TINIT' : 'bare'}`);
    expect(shapes).toEqual(expect.arrayContaining([
      'fiscal_number=TINIT', 'fiscal_number=bare', 'https://attributes.eid.gov.it/fiscal_number=TINIT', 'fiscalNumber=TINIT',
    ]));
    expect(TEST_CITIZENS.filter((c) => c.level === 1)).toHaveLength(1);
    expect(TEST_CITIZENS.filter((c) => c.level === 3)).toHaveLength(1);
    expect(idp.citizens).toBe(TEST_CITIZENS);
  });
});

describe('local IdP mounted at /idp', () => {
  it('publishes discovery under the prefix with its endpoints, scopes, claims and SPID levels', () => {
    const m = config.serverMetadata();
    expect(m.issuer).toBe(issuer);
    expect(m.authorization_endpoint).toBe(`${issuer}/auth`);
    expect(m.token_endpoint).toBe(`${issuer}/token`);
    expect(m.userinfo_endpoint).toBe(`${issuer}/me`);
    expect(m.end_session_endpoint).toBe(`${issuer}/session/end`);
    expect(m.jwks_uri).toBe(`${issuer}/jwks`);
    expect(m.scopes_supported).toEqual(expect.arrayContaining(LOCAL_IDP_SCOPE.split(' ')));
    expect(m.claims_supported).toEqual(expect.arrayContaining([...FISCAL_NUMBER_CLAIMS, 'given_name', 'family_name', 'name', 'acr']));
    expect(m.acr_values_supported).toEqual(SPID_ACR_VALUES);
    expect(m.code_challenge_methods_supported).toEqual(['S256']);
    expect(m.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post']));
  });

  it('shows its own accessible Italian chooser listing every citizen, with a cancel button', async () => {
    const browser = new Browser();
    const { res, url } = await authorize(browser);
    expect(res.status).toBe(303);
    const page = await followIdp(browser, res, url);
    expect(page.url.pathname).toMatch(/^\/idp\/interaction\/[\w-]+$/);
    expect(page.res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.res.text();
    expect(html).toMatch(/^<!DOCTYPE html>\s*<html lang="it">/);
    expect(html).toContain('<main');
    expect(html).toContain('<h1>Accesso di prova — identità simulate</h1>');
    expect(html).toContain('mai per la produzione');
    expect(html).toContain('/static/bootstrap-italia/css/bootstrap-italia.min.css');
    expect(html).toContain('>Entra come Mario Rossi (SPID livello 2)</button>');
    for (const c of TEST_CITIZENS) expect(html).toContain(`>Entra come ${citizenName(c)} (SPID livello ${c.level})</button>`);
    expect(forms(html).map((f) => f.citizen)).toEqual([...TEST_CITIZENS.map((c) => c.id), undefined]);
    expect(html).toMatch(/<button type="submit"[^>]*>Annulla<\/button>/);
  });

  it('logs in each citizen: code + PKCE + state + nonce, ID token and userinfo carry the fiscal claim in its shape and the acr', async () => {
    for (const [i, c] of TEST_CITIZENS.entries()) {
      const login = await loginAs(new Browser(), c, { acr_values: SPID_ACR[2] });
      expect(login.callback.searchParams.get('iss')).toBe(issuer);
      const tokens = await redeem(i % 2 ? basicConfig : config, login); // both client authentication methods
      const claims = tokens.claims()!;
      expect(claims).toMatchObject({
        iss: issuer, aud: CLIENT_ID, sub: c.id, nonce: login.checks.nonce, acr: SPID_ACR[c.level],
        given_name: c.givenName, family_name: c.familyName, name: citizenName(c), [c.fiscalClaim]: c.fiscalClaimValue,
      });
      for (const other of FISCAL_NUMBER_CLAIMS.filter((n) => n !== c.fiscalClaim)) expect(claims[other]).toBeUndefined();
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, c.id);
      expect(userinfo).toMatchObject({ sub: c.id, name: citizenName(c), [c.fiscalClaim]: c.fiscalClaimValue });
    }
  });

  it('without the fiscal_number scope releases no fiscal claim', async () => {
    const tokens = await redeem(config, await loginAs(new Browser(), rossi, { scope: 'openid profile' }));
    expect(tokens.claims()).toMatchObject({ sub: rossi.id, name: 'Mario Rossi', acr: SPID_ACR[2] });
    for (const n of FISCAL_NUMBER_CLAIMS) expect(tokens.claims()![n]).toBeUndefined();
  });

  it('grants prompt=consent silently (first-party clients): no page, straight back with a code', async () => {
    const browser = new Browser();
    await loginAs(browser, rossi);
    const { checks, res, url } = await authorize(browser, { prompt: 'consent' });
    const first = locationOf(res, url);
    expect(first.pathname).toMatch(/^\/idp\/interaction\//); // the consent prompt did happen…
    const back = await followIdp(browser, res, url);
    expect(back.url.origin + back.url.pathname).toBe(redirectUri()); // …and answered itself
    const tokens = await redeem(config, { callback: back.url, checks });
    expect(tokens.claims()).toMatchObject({ sub: rossi.id, [rossi.fiscalClaim]: rossi.fiscalClaimValue });
  });

  it('"Annulla" sends access_denied back to the client', async () => {
    const browser = new Browser();
    const { checks, res, url } = await authorize(browser);
    const page = await followIdp(browser, res, url);
    const abort = forms(await page.res.text()).find((f) => f.citizen === undefined)!;
    const action = new URL(abort.action, page.url);
    expect(action.pathname).toMatch(/\/abort$/);
    const back = await followIdp(browser, await browser.post(action, {}), action);
    expect(back.url.origin + back.url.pathname).toBe(redirectUri());
    expect(back.url.searchParams.get('error')).toBe('access_denied');
    expect(back.url.searchParams.get('state')).toBe(checks.state);
    await expect(oidc.authorizationCodeGrant(config, back.url, { pkceCodeVerifier: checks.verifier, expectedState: checks.state }))
      .rejects.toMatchObject({ error: 'access_denied' });
  });

  it('ends the session with id_token_hint and post_logout_redirect_uri after an Italian confirmation', async () => {
    const browser = new Browser();
    const tokens = await redeem(config, await loginAs(browser, rossi));
    // The IdP session is live: a new request goes straight back to the client.
    const sso = await authorize(browser);
    expect(locationOf(sso.res, sso.url).href.startsWith(redirectUri())).toBe(true);

    const endUrl = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!, post_logout_redirect_uri: postLogoutUri(), state: 'bye',
    });
    const confirm = await browser.fetch(endUrl);
    expect(confirm.status).toBe(200);
    const html = await confirm.text();
    expect(html).toContain('<html lang="it">');
    expect(html).toContain('<h1>Vuoi uscire?</h1>');
    expect(html).toMatch(/<button type="submit" form="op\.logoutForm" name="logout" value="yes"[^>]*>Sì, esci<\/button>/);
    const [, action, xsrf] = /<form id="op\.logoutForm" method="post" action="([^"]+)"><input type="hidden" name="xsrf" value="([^"]+)"/.exec(html)!;
    const done = await browser.post(new URL(action, endUrl), { xsrf, logout: 'yes' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`${postLogoutUri()}?state=bye`);

    const again = await authorize(browser);
    expect(locationOf(again.res, again.url).pathname).toMatch(/^\/idp\/interaction\//);
  });

  it('refuses the token exchange with a wrong client secret or a wrong PKCE verifier', async () => {
    const wrong = await oidc.discovery(new URL(issuer), CLIENT_ID, 'not-the-secret', undefined, { execute: [oidc.allowInsecureRequests] });
    await expect(redeem(wrong, await loginAs(new Browser(), rossi))).rejects.toMatchObject({ error: 'invalid_client' });
    const login = await loginAs(new Browser(), rossi);
    await expect(redeem(config, { ...login, checks: { ...login.checks, verifier: oidc.randomPKCECodeVerifier() } }))
      .rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('shows Italian error pages for an expired interaction and an unregistered redirect_uri', async () => {
    const stale = await fetch(`${issuer}/interaction/nonexistent`);
    expect(stale.status).toBe(400);
    expect(await stale.text()).toMatch(/lang="it"[\s\S]*<h1>Errore durante l’accesso di prova<\/h1>[\s\S]*scaduta/);

    const { res } = await authorize(new Browser(), { redirect_uri: `${base}/elsewhere` });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('<h1>Errore durante l’accesso di prova</h1>');
    expect(html).toContain('redirect_uri did not match any of the client');
  });

  it('trusts X-Forwarded-* only when built with proxy: true', async () => {
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'genio.example.it' };
    const direct = await fetch(`${issuer}/.well-known/openid-configuration`, { headers: forwarded });
    expect((await direct.json()).authorization_endpoint).toBe(`${issuer}/auth`);

    const behindProxy = await createLocalIdp({
      issuer: 'https://genio.example.it/idp',
      clients: [{ clientId: CLIENT_ID, clientSecret: SECRET, redirectUris: [redirectUri()], postLogoutRedirectUris: [] }],
      proxy: true,
    });
    const other = Fastify();
    mountLocalIdp(other, behindProxy);
    const res = await other.inject({ url: '/idp/.well-known/openid-configuration', headers: forwarded });
    expect(res.json().authorization_endpoint).toBe('https://genio.example.it/idp/auth');
    await other.close();
  });

  it('leaves the rest of the fastify instance alone (its body parsers still work outside /idp)', async () => {
    const res = await fetch(`${base}/echo`, { method: 'POST', headers: FORM, body: 'a=1&b=due' });
    expect(await res.json()).toEqual({ a: '1', b: 'due' });
  });

  it('stayed quiet on the console through all of the above', () => {
    expect(consoleSpies.flatMap((s) => s.mock.calls)).toEqual([]);
  });
});

describe('configuration errors', () => {
  const client = { clientId: 'x', clientSecret: 'secret', redirectUris: ['http://localhost/cb'], postLogoutRedirectUris: [] };

  it('rejects invalid clients and issuers with a clear message', async () => {
    await expect(createLocalIdp({ issuer: 'http://localhost:3000/idp', clients: [{ ...client, clientSecret: '' }] }))
      .rejects.toThrow(/clientSecret of 'x'/);
    await expect(createLocalIdp({ issuer: 'http://localhost:3000/idp', clients: [{ ...client, redirectUris: ['/cb'] }] }))
      .rejects.toThrow(/redirect URI of 'x' '\/cb' is not an absolute URL/);
    await expect(createLocalIdp({ issuer: 'http://localhost:3000/', clients: [client] })).rejects.toThrow(/path like \/idp/);
    await expect(createLocalIdp({ issuer: 'http://localhost:3000/idp', clients: [client], cookieKeys: ['short'] }))
      .rejects.toThrow(/cookie key/);
  });

  it('refuses a mount prefix that differs from the issuer path', () => {
    expect(() => mountLocalIdp(Fastify(), idp, '/oidc')).toThrow(/'\/oidc' differs from the issuer's path '\/idp'/);
  });
});
