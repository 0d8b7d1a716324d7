import type Provider from 'oidc-provider';
import { errors, type Interaction } from 'oidc-provider';
import { citizenAcr, findCitizen, type TestCitizen } from './citizens.ts';
import { renderErrorPage } from './error-page.ts';
import { grantEverything } from './grant.ts';
import { renderLoginPage } from './login-page.ts';
import { readForm } from './read-form.ts';

/** `/interaction/<uid>`, `/interaction/<uid>/login`, `/interaction/<uid>/abort`, relative to the mount. */
const ROUTE = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|abort))?$/;

/** Headers of every interaction page: never cached, never framed (it is a login page). */
const PAGE_HEADERS = {
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
};

/** Koa middleware as oidc-provider's `use` takes it (koa itself is not a dependency of GeNIO). */
type Middleware = Parameters<Provider['use']>[0];
type Ctx = Parameters<Middleware>[0];

function sendHtml(ctx: Ctx, status: number, html: string): void {
  ctx.set(PAGE_HEADERS);
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = html;
}

async function finish(ctx: Ctx, provider: Provider, result: Parameters<Provider['interactionResult']>[2]): Promise<void> {
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.set('Cache-Control', 'no-store');
  ctx.redirect(returnTo);
  ctx.status = 303; // after a POST the browser must GET the resume URL
}

/** A consent prompt still comes when the client forces `prompt=consent`: grant it silently. */
async function autoConsent(ctx: Ctx, provider: Provider, details: Interaction): Promise<void> {
  const d = details.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  const grant = await grantEverything(provider, {
    clientId: String(details.params.client_id),
    accountId: details.session?.accountId ?? '',
    grantId: details.grantId,
    scopes: [...String(details.params.scope ?? '').split(' ').filter(Boolean), ...(d.missingOIDCScope ?? [])],
    claims: d.missingOIDCClaims ?? [],
    resourceScopes: Object.fromEntries(
      Object.entries(d.missingResourceScopes ?? {}).map(([r, s]) => [r, s.join(' ')]),
    ),
  });
  await finish(ctx, provider, { consent: { grantId: grant.jti } });
}

async function login(ctx: Ctx, provider: Provider, citizen: TestCitizen | undefined): Promise<void> {
  if (!citizen) {
    sendHtml(ctx, 400, renderErrorPage('invalid_request', 'unknown test citizen'));
    return;
  }
  // remember: false keeps the IdP session in a browser-session cookie, so testers can switch identity.
  await finish(ctx, provider, { login: { accountId: citizen.id, acr: citizenAcr(citizen), remember: false } });
}

/**
 * Koa middleware, installed in front of oidc-provider, that serves the local IdP's own
 * interactions: the citizen chooser, its login and cancel actions, and silent consent.
 */
export function interactions(provider: Provider, mountPath: string, citizens: readonly TestCitizen[]): Middleware {
  return async (ctx, next) => {
    const match = ROUTE.exec(ctx.path);
    if (!match) return next();
    const [, uid, action] = match;
    try {
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      if (details.uid !== uid) throw new errors.SessionNotFound('interaction uid mismatch');

      if (ctx.method === 'GET' && !action) {
        if (details.prompt.name === 'consent' && details.session?.accountId) return await autoConsent(ctx, provider, details);
        const acrValues = typeof details.params.acr_values === 'string' ? details.params.acr_values : undefined;
        return sendHtml(ctx, 200, renderLoginPage({
          interactionPath: `${mountPath}/interaction/${uid}`,
          clientId: String(details.params.client_id),
          acrValues,
          citizens,
        }));
      }
      if (ctx.method === 'POST' && action === 'login') {
        const form = await readForm(ctx.req);
        return await login(ctx, provider, findCitizen(form.get('citizen') ?? ''));
      }
      if (ctx.method === 'POST' && action === 'abort') {
        return await finish(ctx, provider, {
          error: 'access_denied',
          error_description: "l'utente ha annullato l'accesso",
        });
      }
      ctx.set('Allow', action ? 'POST' : 'GET');
      return sendHtml(ctx, 405, renderErrorPage('invalid_request', `method ${ctx.method} not allowed here`));
    } catch (err) {
      // A missing or expired interaction cookie is the usual case: the tester must start again.
      if (err instanceof errors.SessionNotFound) {
        return sendHtml(ctx, 400, renderErrorPage('invalid_session', err.error_description));
      }
      if (err instanceof errors.OIDCProviderError) {
        return sendHtml(ctx, err.statusCode, renderErrorPage(err.error, err.error_description));
      }
      throw err; // a bug: let Koa report it
    }
  };
}
