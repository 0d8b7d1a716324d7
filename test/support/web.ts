/**
 * GeNIO with its web UI for a test: a known port (the issuer and redirect URIs contain it), the
 * built-in identity provider at /idp, and helpers that log a test citizen in over real HTTP and
 * real OpenID Connect.
 */
import { expect } from 'vitest';
import { loadConfig, type Config } from '../../src/config.ts';
import { TEST_CITIZENS, type TestCitizen } from '../../src/local-idp/citizens.ts';
import { grantRole } from '../../src/store/users.ts';
import type { UserRole } from '../../src/store/schema.ts';
import { startTestGenio, type DbKind, type TestGenio } from './genio.ts';
import { WebClient } from './web-client.ts';
import { freePort } from './serve-process.ts';

export { freePort };

export const [ROSSI, BIANCHI, VERDI, FERRARI, ESPOSITO_L1] = TEST_CITIZENS;

export interface WebGenio extends TestGenio {
  base: string;
  grant(citizen: TestCitizen, role: UserRole, enteId?: string): Promise<void>;
}

/** GeNIO with GENIO_LOCAL_IDP=on on a free port; `env` adds GENIO_* variables. */
export async function startWebGenio(opts: { db?: DbKind; env?: Record<string, string>; config?: Partial<Config> } = {}): Promise<WebGenio> {
  // The port is picked before listening (the issuer and redirect URIs contain it): another
  // process may take it meanwhile, so a taken port means trying another.
  let port = 0;
  let web: Config['web'] | undefined;
  let t: TestGenio | undefined;
  for (let attempt = 1; !t; attempt++) {
    port = await freePort();
    web = loadConfig({ GENIO_PORT: String(port), GENIO_LOCAL_IDP: 'on', ...opts.env }).web;
    try {
      t = await startTestGenio({ db: opts.db, config: { port, web, ...opts.config } });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 5) throw err;
    }
  }
  return {
    ...t,
    base: web!.publicUrl,
    grant: async (citizen, role, enteId = t!.ente.id) => {
      await grantRole(t!.genio.database.db, { fiscalCode: citizen.fiscalCode, name: null, enteId, role });
    },
  };
}

/** The chooser's form for `citizen` on the local identity provider's page. */
function citizenAction(html: string, citizen: TestCitizen): string {
  const m = [...html.matchAll(/<form method="post" action="([^"]+)"[^>]*>\s*<input type="hidden" name="citizen" value="([^"]+)">/g)].find((f) => f[2] === citizen.id);
  expect(m, `the identity provider offers ${citizen.id}`).toBeDefined();
  return m![1].replace(/&amp;/g, '&');
}

/** Logs `citizen` in through /accedi and the local provider; returns the page GeNIO lands on. */
export async function loginAs(client: WebClient, base: string, citizen: TestCitizen, dopo?: string): Promise<{ res: Response; url: URL; html: string }> {
  const start = `${base}/accedi${dopo ? `?dopo=${encodeURIComponent(dopo)}` : ''}`;
  const chooser = await client.follow(await client.fetch(start), start);
  expect(chooser.res.status).toBe(200);
  const action = new URL(citizenAction(await chooser.res.text(), citizen), chooser.url);
  const landed = await client.follow(await client.post(action, { citizen: citizen.id }), action);
  return { ...landed, html: await landed.res.text() };
}

/** The CSRF token a page's forms carry. */
export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  expect(m, 'the page has a form with a CSRF token').not.toBeNull();
  return m![1];
}
