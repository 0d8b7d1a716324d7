/**
 * The relying-party side of login: openid-client towards the configured provider (a SPID / CIE /
 * CNS broker in production, the local test provider otherwise). Authorization Code with PKCE,
 * state and nonce. Discovery happens on first use and is retried on the next login if the provider
 * was unreachable, so GeNIO starts even while its identity provider is down.
 */
import * as oidc from 'openid-client';
import type { WebConfig } from '../config.ts';

export interface LoginRequest {
  url: URL;
  /** Kept by the browser (in the login cookie) until the provider sends it back. */
  checks: { state: string; nonce: string; verifier: string };
}

export interface LoginResult {
  claims: Record<string, unknown>;
  idToken: string | null;
}

export class OidcLogin {
  private config: Promise<oidc.Configuration> | null = null;

  constructor(
    private readonly settings: NonNullable<WebConfig['oidc']>,
    private readonly redirectUri: string,
  ) {}

  private configuration(): Promise<oidc.Configuration> {
    const { issuer, clientId, clientSecret } = this.settings;
    this.config ??= oidc
      .discovery(new URL(issuer), clientId, { client_secret: clientSecret }, oidc.ClientSecretBasic(clientSecret), {
        // http only for a provider on this machine (the local test provider, a broker on loopback).
        execute: new URL(issuer).protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
        timeout: 10,
      })
      .catch((err: unknown) => {
        this.config = null;
        throw err;
      });
    return this.config;
  }

  async start(): Promise<LoginRequest> {
    const config = await this.configuration();
    const checks = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier() };
    const params: Record<string, string> = {
      redirect_uri: this.redirectUri,
      scope: this.settings.scopes,
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.verifier),
      code_challenge_method: 'S256',
    };
    if (this.settings.acrValues) params.acr_values = this.settings.acrValues;
    return { url: oidc.buildAuthorizationUrl(config, params), checks };
  }

  /** Exchanges the code in `callbackUrl` and returns the ID token's claims merged with userinfo. */
  async finish(callbackUrl: URL, checks: LoginRequest['checks']): Promise<LoginResult> {
    const config = await this.configuration();
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: checks.verifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    const idClaims: Record<string, unknown> = tokens.claims() ?? {};
    let userinfo: Record<string, unknown> = {};
    if (config.serverMetadata().userinfo_endpoint) {
      userinfo = await oidc.fetchUserInfo(config, tokens.access_token, String(idClaims.sub)).catch(() => ({}));
    }
    // The ID token is signed and checked: its claims win over userinfo's.
    return { claims: { ...userinfo, ...idClaims }, idToken: tokens.id_token ?? null };
  }

  /** Where to send the browser to end the session at the provider too, if it supports that. */
  async logoutUrl(idToken: string | null, postLogoutRedirectUri: string): Promise<URL | null> {
    const config = await this.configuration().catch(() => null);
    if (!config?.serverMetadata().end_session_endpoint) return null;
    const params: Record<string, string> = { post_logout_redirect_uri: postLogoutRedirectUri, client_id: this.settings.clientId };
    if (idToken) params.id_token_hint = idToken;
    return oidc.buildEndSessionUrl(config, params);
  }
}
