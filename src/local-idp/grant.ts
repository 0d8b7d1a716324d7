import type Provider from 'oidc-provider';
import type { Grant, KoaContextWithOIDC } from 'oidc-provider';

/** What to add to a grant: OIDC scopes and claims, and resource-server scopes. */
export interface GrantRequest {
  readonly clientId: string;
  readonly accountId: string;
  readonly grantId?: string;
  readonly scopes: Iterable<string>;
  readonly claims: Iterable<string>;
  readonly resourceScopes?: Readonly<Record<string, string>>;
}

/**
 * Finds the grant (or starts a new one when missing or of another account) and adds everything
 * requested. The local IdP's clients are all first-party (GeNIO itself), so asking the tester
 * for consent would only add a click.
 */
export async function grantEverything(provider: Provider, req: GrantRequest): Promise<Grant> {
  const found = req.grantId ? await provider.Grant.find(req.grantId) : undefined;
  const grant =
    found && found.accountId === req.accountId && found.clientId === req.clientId
      ? found
      : new provider.Grant({ clientId: req.clientId, accountId: req.accountId });
  grant.addOIDCScope([...req.scopes]);
  grant.addOIDCClaims([...req.claims]);
  for (const [resource, scope] of Object.entries(req.resourceScopes ?? {})) grant.addResourceScope(resource, scope);
  await grant.save();
  return grant;
}

/**
 * `loadExistingGrant` for oidc-provider: right after login the grant already covers the request,
 * so the consent prompt never shows up and choosing a citizen finishes the flow in one step.
 */
export async function loadOrCreateGrant(ctx: KoaContextWithOIDC): Promise<Grant | undefined> {
  const { oidc } = ctx;
  const { session, client } = oidc;
  const accountId = session?.accountId;
  if (!session || !accountId || !client) return undefined;
  const consent = oidc.result?.consent as { grantId?: string } | undefined;
  return grantEverything(oidc.provider, {
    clientId: client.clientId,
    accountId,
    grantId: consent?.grantId ?? session.grantIdFor(client.clientId),
    scopes: oidc.requestParamScopes,
    claims: oidc.requestParamClaims,
  });
}
