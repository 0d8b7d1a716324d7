/**
 * Login and logout: /accedi sends the person to the identity provider, /auth/callback takes them
 * back, checks who they are (domain/identity.ts) and whether GeNIO gives them any role, then opens
 * a session. POST /esci ends it here and, when the provider supports it, there too.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { identityFromClaims, type IdentityResult } from '../domain/identity.ts';
import { maskFiscalCode } from '../domain/fiscal-code.ts';
import { createWebSession, deleteWebSession } from '../store/web-sessions.ts';
import { findUserByFiscalCode, rolesOf } from '../store/users.ts';
import { decryptSecret, encryptSecret } from '../store/secrets.ts';
import { clearCookie, LOGIN_COOKIE, readLoginCookie, safeReturnPath, SESSION_COOKIE, setLoginCookie, setSessionCookie, type CookieJar } from './cookies.ts';
import type { WebDeps } from './deps.ts';
import { OidcLogin } from './oidc.ts';
import { levelLabel, sendPage } from './render.ts';

export const CALLBACK_PATH = '/auth/callback';
export const LOGGED_OUT_PATH = '/uscita';

const REFUSALS: Record<Exclude<IdentityResult, { ok: true }>['code'], (minLevel: number) => string> = {
  no_fiscal_code: () => "Il gestore dell'identità non ha comunicato il tuo codice fiscale: GeNIO non può riconoscerti.",
  invalid_fiscal_code: () => "Il codice fiscale comunicato dal gestore dell'identità non è valido.",
  level_too_low: (min) => `GeNIO richiede un accesso di livello ${min} o superiore (ad esempio SPID livello 2 o CIE). Accedi di nuovo con un livello adeguato.`,
};

const anonymous = { viewer: null, ente: null, enti: [] };

export function registerLogin(app: FastifyInstance, deps: WebDeps, jar: CookieJar) {
  const { config, database, log } = deps;
  const login = config.oidc ? new OidcLogin(config.oidc, `${config.publicUrl}${CALLBACK_PATH}`) : null;
  const loginProblem = (reply: FastifyReply, text: string, status = 400) =>
    sendPage(reply, anonymous, 'login-problem', { title: 'Accesso non riuscito', status }, { text });

  app.get('/accedi', async (request: FastifyRequest<{ Querystring: { dopo?: string } }>, reply) => {
    if (!login) return sendPage(reply, anonymous, 'login-not-configured', { title: 'Accesso non configurato', status: 503 });
    let started;
    try {
      started = await login.start();
    } catch (err) {
      log.error({ err: String(err) }, 'identity provider unreachable');
      return loginProblem(reply, "Il servizio di identità digitale non risponde. Riprova tra qualche minuto.", 503);
    }
    setLoginCookie(reply, jar, { ...started.checks, returnTo: safeReturnPath(request.query.dopo), at: deps.clock() });
    return reply.redirect(started.url.href, 303);
  });

  app.get(CALLBACK_PATH, async (request: FastifyRequest<{ Querystring: Record<string, string | undefined> }>, reply) => {
    if (!login) return reply.redirect('/accedi', 303);
    const state = readLoginCookie(request, jar, deps.clock());
    clearCookie(reply, jar, LOGIN_COOKIE);
    if (request.query.error) {
      return loginProblem(reply, request.query.error === 'access_denied' ? 'Hai annullato l\'accesso.' : 'Il servizio di identità digitale non ha concluso l\'accesso.');
    }
    if (!state) return loginProblem(reply, 'La richiesta di accesso è scaduta o è stata aperta in un altro browser: accedi di nuovo.');
    let result;
    try {
      result = await login.finish(new URL(request.url, config.publicUrl), state);
    } catch (err) {
      log.warn({ err: String(err) }, 'login refused at token exchange');
      return loginProblem(reply, 'La risposta del servizio di identità digitale non è valida: accedi di nuovo.');
    }
    const who = identityFromClaims(result.claims, config.minLevel);
    if (!who.ok) {
      log.warn({ code: who.code }, 'login refused');
      return loginProblem(reply, REFUSALS[who.code](config.minLevel), 403);
    }
    const { identity } = who;
    const user = await findUserByFiscalCode(database.db, identity.fiscalCode);
    const roles = user ? await rolesOf(database.db, identity.fiscalCode) : [];
    if (!user || !roles.length) {
      log.info({ fiscalCode: maskFiscalCode(identity.fiscalCode) }, 'login without any role');
      const providerLogout = await login.logoutUrl(result.idToken, `${config.publicUrl}${LOGGED_OUT_PATH}`);
      return sendPage(reply, anonymous, 'no-role', { title: 'Non hai ancora accesso a GeNIO', status: 403 }, {
        name: identity.name,
        fiscalCode: identity.fiscalCode,
        level: levelLabel(identity.level),
        contact: config.supportContact,
        providerLogout: providerLogout?.href ?? null,
      });
    }
    if (!user.name && identity.name) await database.db.updateTable('users').set({ name: identity.name }).where('id', '=', user.id).execute();
    const { token } = await createWebSession(database.db, {
      userId: user.id,
      level: identity.level,
      acr: identity.acr,
      idToken: result.idToken ? encryptSecret(deps.masterKey, result.idToken) : null,
      maxMs: config.sessionMaxMs,
    }, deps.clock());
    setSessionCookie(reply, jar, token);
    log.info({ fiscalCode: maskFiscalCode(identity.fiscalCode), level: identity.level }, 'web login');
    return reply.redirect(state.returnTo, 303);
  });

  app.post('/esci', async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    const ended = token ? await deleteWebSession(database.db, token) : undefined;
    clearCookie(reply, jar, SESSION_COOKIE);
    let idToken: string | null = null;
    try {
      idToken = ended?.id_token ? decryptSecret(deps.masterKey, ended.id_token) : null;
    } catch {
      idToken = null;
    }
    const there = ended && login ? await login.logoutUrl(idToken, `${config.publicUrl}${LOGGED_OUT_PATH}`) : null;
    return reply.redirect(there?.href ?? LOGGED_OUT_PATH, 303);
  });

  app.get(LOGGED_OUT_PATH, async (_request, reply) => sendPage(reply, anonymous, 'logged-out', { title: 'Sei uscito da GeNIO' }));
}
