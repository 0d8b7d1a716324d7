/**
 * Login, sessions and their protections over real HTTP and real OpenID Connect (the built-in
 * provider): who may log in, the cookie's attributes, CSRF and cross-origin refusal, idle and
 * absolute time-outs, logout, the page for a person without a role, and safe return paths.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebClient } from '../support/web-client.ts';
import { BIANCHI, ESPOSITO_L1, FERRARI, loginAs, csrfOf, ROSSI, startWebGenio, VERDI, type WebGenio } from '../support/web.ts';
import { buildEnte } from '../support/factories.ts';
import { DB_KINDS } from '../support/genio.ts';
import { SESSION_COOKIE } from '../../src/web/cookies.ts';
import { sha256Hex } from '../../src/store/secrets.ts';

let t: WebGenio;
const home = () => `/ente/${t.ente.fiscal_code}/`;

beforeAll(async () => {
  t = await startWebGenio();
  await t.grant(ROSSI, 'manager');
  await t.grant(BIANCHI, 'viewer');
  await t.grant(VERDI, 'sender');
}, 30_000);
afterAll(async () => t?.close());

describe('who may log in', () => {
  it.each([
    ['https://attributes.eid.gov.it/fiscal_number with TINIT-', ROSSI],
    ['fiscal_number with TINIT-', BIANCHI],
    ['fiscal_number without prefix (SPID level 3)', VERDI],
  ])('a person with a role, fiscal code in %s, lands on their ente with name and level', async (_shape, citizen) => {
    const client = new WebClient();
    const { res, url, html } = await loginAs(client, t.base, citizen);
    expect(res.status).toBe(200);
    expect(url.pathname).toBe(home());
    expect(html).toContain(`${citizen.givenName} ${citizen.familyName}`);
    expect(html).toContain(`SPID/CIE livello ${citizen.level}`);
  });

  it('fiscalNumber (camel case) is accepted too; without a role the person gets the "ask for access" page and no session', async () => {
    const client = new WebClient();
    const { res, html } = await loginAs(client, t.base, FERRARI);
    expect(res.status).toBe(403);
    expect(html).toContain('Non hai ancora accesso a GeNIO');
    expect(html).toContain(FERRARI.fiscalCode);
    expect(html).toContain('amministratore di GeNIO del tuo ente');
    expect(client.cookie(SESSION_COOKIE)).toBeUndefined();
  });

  it('a level 1 login is refused with a page that says which level is needed', async () => {
    await t.grant(ESPOSITO_L1, 'manager');
    const client = new WebClient();
    const { res, html } = await loginAs(client, t.base, ESPOSITO_L1);
    expect(res.status).toBe(403);
    expect(html).toContain('livello 2 o superiore');
    expect(client.cookie(SESSION_COOKIE)).toBeUndefined();
  });

  it('a callback without the login cookie (another browser, or forged) opens no session', async () => {
    const client = new WebClient();
    const res = await client.fetch(`${t.base}/auth/callback?code=abc&state=xyz`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('accedi di nuovo');
    expect(client.cookie(SESSION_COOKIE)).toBeUndefined();
  });

  it('"Annulla" at the provider comes back as a clear page', async () => {
    const client = new WebClient();
    const chooser = await client.follow(await client.fetch(`${t.base}/accedi`), `${t.base}/accedi`);
    const abort = /<form method="post" action="([^"]+\/abort)"/.exec(await chooser.res.text())![1];
    const back = await client.follow(await client.post(new URL(abort, chooser.url), {}), new URL(abort, chooser.url));
    expect(back.res.status).toBe(400);
    expect(await back.res.text()).toContain('Hai annullato l&#39;accesso');
  });
});

describe('the session cookie and what it protects', () => {
  it('is httpOnly, SameSite=Lax, Secure (localhost is a secure context), for the whole site, and stored only hashed', async () => {
    const client = new WebClient();
    const start = await client.fetch(`${t.base}/accedi`);
    const loginCookie = start.headers.getSetCookie().find((c) => c.startsWith('genio_login='))!;
    expect(loginCookie).toMatch(/HttpOnly/i);
    expect(loginCookie).toMatch(/SameSite=Lax/i);
    expect(loginCookie).toMatch(/Secure/i);

    // Log in by hand to see the Set-Cookie of the callback.
    const chooser = await client.follow(start, `${t.base}/accedi`);
    const action = new URL(/action="([^"]+\/login)"/.exec(await chooser.res.text())![1], chooser.url);
    let res = await client.post(action, { citizen: ROSSI.id });
    let url = action;
    while (!new URL(res.headers.get('location')!, url).pathname.startsWith('/auth/callback')) {
      url = new URL(res.headers.get('location')!, url);
      res = await client.fetch(url);
    }
    const callback = await client.fetch(new URL(res.headers.get('location')!, url));
    const set = callback.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Lax/i);
    expect(set).toMatch(/Secure/i);
    expect(set).toMatch(/Path=\//i);
    const token = client.cookie(SESSION_COOKIE)!;
    const rows = await t.genio.database.db.selectFrom('web_sessions').select('id').execute();
    expect(rows.map((r) => r.id)).toContain(sha256Hex(token));
    expect(rows.map((r) => r.id)).not.toContain(token);
  });

  it('a form post without the CSRF token, or from another site, changes nothing', async () => {
    const client = new WebClient();
    const { html } = await loginAs(client, t.base, ROSSI);
    const token = csrfOf(html);
    const noToken = await client.post(`${t.base}/esci`, {});
    expect(noToken.status).toBe(403);
    expect(await noToken.text()).toContain('Il modulo è scaduto o non è valido');
    const wrong = await client.post(`${t.base}/esci`, { _csrf: 'x'.repeat(token.length) });
    expect(wrong.status).toBe(403);
    const crossSite = await client.post(`${t.base}/esci`, { _csrf: token }, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.text()).toContain('altro sito');
    // Still logged in.
    expect((await client.fetch(`${t.base}${home()}`)).status).toBe(200);
  });

  it('after login the person goes back where they were going, but never to another site', async () => {
    const client = new WebClient();
    const first = await client.fetch(`${t.base}${home()}messaggi?stato=queued`);
    expect(first.status).toBe(303);
    const to = new URL(first.headers.get('location')!, t.base);
    expect(to.pathname).toBe('/accedi');
    const dopo = to.searchParams.get('dopo')!;
    expect(dopo).toBe(`${home()}messaggi?stato=queued`);
    const landed = await loginAs(client, t.base, ROSSI, dopo);
    expect(landed.url.pathname + landed.url.search).toBe(dopo);

    for (const evil of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      const c = new WebClient();
      const out = await loginAs(c, t.base, ROSSI, evil);
      expect(out.url.origin, evil).toBe(t.base);
    }
  });
});

describe('ente boundaries', () => {
  it("another ente's pages answer the same 404 as a page that does not exist", async () => {
    const other = await buildEnte(t.genio.database.db);
    const client = new WebClient();
    await loginAs(client, t.base, BIANCHI);
    for (const path of [`/ente/${other.fiscal_code}/`, `/ente/${other.fiscal_code}/messaggi`, '/ente/12345678903/']) {
      const res = await client.fetch(`${t.base}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text()).toContain('Pagina non trovata');
    }
  });

  it('an aggregator admin may open every ente', async () => {
    const other = await buildEnte(t.genio.database.db);
    const { grantRole, ALL_ENTI } = await import('../../src/store/users.ts');
    await grantRole(t.genio.database.db, { fiscalCode: VERDI.fiscalCode, name: null, enteId: ALL_ENTI, role: 'admin' });
    const client = new WebClient();
    const { url } = await loginAs(client, t.base, VERDI);
    expect(url.pathname).toBe('/');
    const res = await client.fetch(`${t.base}/ente/${other.fiscal_code}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Amministratore');
  });
});

describe('time-outs and logout', () => {
  it('a session ends after the idle time without requests, and after its absolute time whatever the activity', async () => {
    const s = await startWebGenio({ env: { GENIO_SESSION_IDLE: '1s', GENIO_SESSION_MAX: '2500ms' } });
    try {
      await s.grant(ROSSI, 'viewer');
      const page = `${s.base}/ente/${s.ente.fiscal_code}/`;
      const idle = new WebClient();
      await loginAs(idle, s.base, ROSSI);
      await new Promise((r) => setTimeout(r, 1300));
      expect((await idle.fetch(page)).status).toBe(303);

      const busy = new WebClient();
      await loginAs(busy, s.base, ROSSI);
      const started = Date.now();
      while (Date.now() - started < 2000) {
        expect((await busy.fetch(page)).status).toBe(200);
        await new Promise((r) => setTimeout(r, 300));
      }
      await new Promise((r) => setTimeout(r, 700));
      expect((await busy.fetch(page)).status).toBe(303);
    } finally {
      await s.close();
    }
  });

  it('logout deletes the session and sends the browser to end the provider session too', async () => {
    const client = new WebClient();
    const { html } = await loginAs(client, t.base, ROSSI);
    const token = client.cookie(SESSION_COOKIE)!;
    const res = await client.post(`${t.base}/esci`, { _csrf: csrfOf(html) });
    expect(res.status).toBe(303);
    const to = new URL(res.headers.get('location')!);
    expect(to.pathname).toBe('/idp/session/end');
    expect(to.searchParams.get('id_token_hint')).toBeTruthy();
    expect(to.searchParams.get('post_logout_redirect_uri')).toBe(`${t.base}/uscita`);
    expect(client.cookie(SESSION_COOKIE)).toBeUndefined();
    const rows = await t.genio.database.db.selectFrom('web_sessions').select('id').where('id', '=', sha256Hex(token)).execute();
    expect(rows).toEqual([]);
    // The old token is dead even if someone kept it.
    const replay = new WebClient();
    replay.setCookie(SESSION_COOKIE, token);
    expect((await replay.fetch(`${t.base}${home()}`)).status).toBe(303);
  });
});

describe.each(DB_KINDS)('sessions on %s', (db) => {
  it('log in, open a page, log out', async () => {
    const s = await startWebGenio({ db });
    try {
      await s.grant(ROSSI, 'sender');
      const client = new WebClient();
      const { url, html } = await loginAs(client, s.base, ROSSI);
      expect(url.pathname).toBe(`/ente/${s.ente.fiscal_code}/`);
      expect((await client.fetch(`${s.base}${url.pathname}`)).status).toBe(200);
      const out = await client.post(`${s.base}/esci`, { _csrf: csrfOf(html) });
      expect(out.status).toBe(303);
      expect((await client.fetch(`${s.base}${url.pathname}`)).status).toBe(303);
    } finally {
      await s.close();
    }
  });
});
