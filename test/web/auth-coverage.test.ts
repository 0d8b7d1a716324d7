/**
 * Every route of the process is accounted for: the API's are behind the API key
 * (test/e2e/api-contract.test.ts), the local identity provider is its own, and every web route
 * is either in WEB_PUBLIC_ROUTES or under /ente/:enteCode, where nothing answers without a session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_ROUTES } from '../../src/api/app.ts';
import { WEB_PUBLIC_ROUTES } from '../../src/web/app.ts';
import { startWebGenio, type WebGenio } from '../support/web.ts';

let t: WebGenio;
beforeAll(async () => {
  t = await startWebGenio();
}, 30_000);
afterAll(async () => t?.close());

/** The API's public routes cover what is under them (/docs/…); the web's are exact, or end in /*. */
const isApiPublic = (p: string) => PUBLIC_ROUTES.some((pub) => p === pub || p.startsWith(`${pub}/`));
const isWebPublic = (p: string) => WEB_PUBLIC_ROUTES.some((pub) => p === pub || (pub.endsWith('/*') && p.startsWith(pub.slice(0, -1))));

describe('web routes', () => {
  it('are public by name or behind the session and ente check', async () => {
    const paths = [...new Set(t.genio.api.routeList.map((r) => r.url))];
    const web = paths.filter((p) => !p.startsWith('/api/') && !p.startsWith('/idp') && !isApiPublic(p) && !isWebPublic(p));
    expect(web.length).toBeGreaterThan(0);
    const outside = web.filter((p) => !p.startsWith('/ente/:enteCode'));
    expect(outside, 'web routes neither public nor under /ente/:enteCode').toEqual([]);
    for (const p of web) {
      const concrete = p.replace(':enteCode', t.ente.fiscal_code).replace(/:[a-zA-Z]+/g, '01HZZZZZZZZZZZZZZZZZZZZZZZ').replace(/\*/g, 'x');
      for (const method of ['GET', 'POST']) {
        const r = await fetch(`${t.base}${concrete}`, { method, redirect: 'manual', headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, body: method === 'POST' ? '' : undefined });
        // No session: asked to log in (303), or the route does not take that method (404).
        expect([303, 404], `${method} ${concrete}`).toContain(r.status);
        if (r.status === 303) expect(r.headers.get('location'), `${method} ${concrete}`).toMatch(/^\/accedi/);
      }
    }
  });
});
