import { generateKeyPair, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import Provider, { type ClientMetadata, type Configuration } from 'oidc-provider';
import {
  FISCAL_NUMBER_CLAIMS, SPID_ACR_VALUES, TEST_CITIZENS, citizenClaims, findCitizen, type TestCitizen,
} from './citizens.ts';
import { renderErrorPage } from './error-page.ts';
import { loadOrCreateGrant } from './grant.ts';
import { memoryAdapter } from './memory-adapter.ts';
import { interactions } from './interactions.ts';
import { renderLogoutPage, renderLogoutSuccessPage } from './logout-pages.ts';
import { checkLocalIdpOptions, type LocalIdpClient, type LocalIdpOptions } from './options.ts';

export type { LocalIdpClient, LocalIdpOptions } from './options.ts';

/** The scope that releases the fiscal code claim (in whichever shape the citizen has it). */
export const FISCAL_NUMBER_SCOPE = 'fiscal_number';

/** The scopes a client should request to get everything GeNIO needs. */
export const LOCAL_IDP_SCOPE = `openid profile ${FISCAL_NUMBER_SCOPE}`;

/** A running local OpenID Connect identity provider, ready to be mounted (see `mountLocalIdp`). */
export interface LocalIdp {
  readonly issuer: string;
  /** The issuer's path, e.g. `/idp`: the only prefix it can be mounted under. */
  readonly mountPath: string;
  /**
   * Node request listener of the provider. It expects `req.url` relative to {@link mountPath}
   * and `req.originalUrl` with the full path, as connect/express mounting does.
   */
  readonly callback: (req: IncomingMessage, res: ServerResponse) => void;
  /** The oidc-provider instance, e.g. to listen to its `server_error` event. */
  readonly provider: Provider;
  /** The simulated citizens the login page offers. */
  readonly citizens: readonly TestCitizen[];
}

/** A fresh RS256 signing key: the IdP's tokens are valid only for this process. */
async function signingKey(): Promise<Record<string, unknown>> {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };
}

function clientMetadata(c: LocalIdpClient): ClientMetadata {
  return {
    client_id: c.clientId,
    client_secret: c.clientSecret,
    redirect_uris: [...c.redirectUris],
    post_logout_redirect_uris: [...c.postLogoutRedirectUris],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    // oidc-provider accepts client_secret_post too for a client registered with basic.
    token_endpoint_auth_method: 'client_secret_basic',
  };
}

function configuration(opts: LocalIdpOptions, mountPath: string, jwk: Record<string, unknown>): Configuration {
  const cookieKeys = opts.cookieKeys ? [...opts.cookieKeys] : [randomBytes(32).toString('base64url')];
  // Cookies live under the mount path only, and with names that cannot clash with GeNIO's own.
  const cookie = { httpOnly: true, sameSite: 'lax' as const, path: mountPath };
  return {
    clients: opts.clients.map(clientMetadata),
    jwks: { keys: [jwk] },
    cookies: {
      keys: cookieKeys,
      names: { session: 'genio_idp_session', interaction: 'genio_idp_interaction', resume: 'genio_idp_resume' },
      long: cookie,
      short: cookie,
    },
    // In memory: a test IdP may forget everything on restart (testers just log in again).
    adapter: memoryAdapter(),
    claims: {
      acr: null, auth_time: null, sid: null, iss: null,
      // With openid, so the SPID level is always in the ID token, requested or not (as SPID does).
      openid: ['sub', 'acr'],
      profile: ['given_name', 'family_name', 'name'],
      [FISCAL_NUMBER_SCOPE]: [...FISCAL_NUMBER_CLAIMS],
    },
    scopes: ['openid', 'profile', FISCAL_NUMBER_SCOPE],
    acrValues: SPID_ACR_VALUES,
    // Brokers put the citizen's attributes in the ID token itself; GeNIO reads them there.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    pkce: { required: () => true },
    findAccount: (_ctx, sub) => {
      const c = findCitizen(sub);
      return c && { accountId: c.id, claims: () => citizenClaims(c) };
    },
    loadExistingGrant: loadOrCreateGrant,
    interactions: { url: (_ctx, interaction) => `${mountPath}/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.type = 'html';
          ctx.body = renderLogoutPage(form, ctx.oidc.client?.clientId);
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.type = 'html';
          ctx.body = renderLogoutSuccessPage(ctx.oidc.client?.clientId);
        },
      },
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = renderErrorPage(out.error, out.error_description);
    },
    // Explicit values, also so that oidc-provider does not print "you SHOULD change" notices.
    ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Interaction: 3600, Session: 8 * 3600, Grant: 8 * 3600 },
    clientBasedCORS: () => false,
  };
}

/**
 * Creates GeNIO's built-in OpenID Connect identity provider with simulated SPID citizens, for
 * `npm start` and tests. Never for production: anyone can log in as any test citizen.
 * Throws a `TypeError` naming the problem when the issuer or a client is invalid.
 */
export async function createLocalIdp(opts: LocalIdpOptions): Promise<LocalIdp> {
  const mountPath = checkLocalIdpOptions(opts);
  const provider = new Provider(opts.issuer, configuration(opts, mountPath, await signingKey()));
  provider.proxy = opts.proxy ?? false;
  for (const c of opts.clients) {
    try {
      await provider.Client.validate(clientMetadata(c));
    } catch (err) {
      const e = err as { error_description?: string; message?: string };
      throw new TypeError(`local IdP: client '${c.clientId}' is invalid: ${e.error_description ?? e.message}`);
    }
  }
  provider.use(interactions(provider, mountPath, TEST_CITIZENS));
  return { issuer: opts.issuer, mountPath, callback: provider.callback(), provider, citizens: TEST_CITIZENS };
}
