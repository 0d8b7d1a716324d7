/**
 * In a real browser: login through the local OpenID Connect provider, the dashboard, ente
 * switching, another ente's pages answering 404, and logout (here and at the provider).
 * axe-core checks every page; screenshots go to test-output/screenshots.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { buildEnte } from '../support/factories.ts';
import { browserLogin, describeInBrowser, expectAccessible, launchBrowser, newPage, screenshot } from '../support/browser.ts';
import { BIANCHI, ESPOSITO_L1, FERRARI, ROSSI, startWebGenio, type WebGenio } from '../support/web.ts';
import { loginButtonLabel } from '../../src/local-idp/login-page.ts';
import type { Ente } from '../../src/store/enti.ts';

let t: WebGenio;
let browser: Browser;
let other: Ente;

describeInBrowser('web UI login in a browser', () => {
  beforeAll(async () => {
    t = await startWebGenio();
    other = await buildEnte(t.genio.database.db, { name: 'Comune di Altrove' });
    await t.grant(ROSSI, 'manager');
    await t.grant(ROSSI, 'viewer', other.id);
    await t.grant(BIANCHI, 'sender');
    await t.grant(ESPOSITO_L1, 'sender');
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('landing page, login through the identity provider, dashboard with name and level', async () => {
    const page = await newPage(browser);
    await page.goto(`${t.base}/`);
    await expect(page.getByRole('link', { name: 'Entra con SPID, CIE o CNS' })).toBeTruthy();
    await expectAccessible(page, 'landing page');
    await screenshot(page, '01-accesso');

    await page.getByRole('link', { name: 'Entra con SPID, CIE o CNS' }).click();
    await page.waitForURL(/\/idp\//);
    await expectAccessible(page, 'local identity provider');
    await screenshot(page, '02-identity-provider');
    await page.getByRole('button', { name: loginButtonLabel(BIANCHI) }).click();
    await page.waitForURL(`${t.base}/ente/${t.ente.fiscal_code}/`);
    expect(await page.getByTestId('viewer').textContent()).toContain('Giulia Bianchi');
    expect(await page.getByTestId('level').textContent()).toBe('SPID/CIE livello 2');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Cruscotto');
    await expectAccessible(page, 'Cruscotto');
    await screenshot(page, '03-cruscotto');
    await page.context().close();
  });

  it('switches between enti, and another ente’s pages answer 404', async () => {
    const page = await newPage(browser);
    await browserLogin(page, t.base, ROSSI);
    expect(new URL(page.url()).pathname).toBe('/');
    await expectAccessible(page, 'choose ente');
    await page.getByRole('link', { name: other.name }).click();
    await page.waitForURL(`${t.base}/ente/${other.fiscal_code}/`);
    expect(await page.getByTestId('role').textContent()).toBe('Consultazione');
    await page.getByLabel('Ente').selectOption(t.ente.fiscal_code);
    await page.getByRole('button', { name: 'Cambia' }).click();
    await page.waitForURL(`${t.base}/ente/${t.ente.fiscal_code}/`);
    expect(await page.getByTestId('role').textContent()).toBe('Gestione');
    await page.context().close();

    const bianchi = await newPage(browser);
    await browserLogin(bianchi, t.base, BIANCHI);
    const res = await bianchi.goto(`${t.base}/ente/${other.fiscal_code}/`);
    expect(res?.status()).toBe(404);
    expect(await bianchi.getByRole('heading', { level: 1 }).textContent()).toBe('Pagina non trovata');
    await expectAccessible(bianchi, '404 page');
    await bianchi.context().close();
  });

  it('the pages that refuse pass axe too: no role, level too low, a role that does not allow it', async () => {
    const noRole = await newPage(browser);
    await browserLogin(noRole, t.base, FERRARI);
    expect(await noRole.getByRole('heading', { level: 1 }).textContent()).toBe('Non hai ancora accesso a GeNIO');
    expect(await noRole.getByTestId('own-fiscal-code').textContent()).toBe(FERRARI.fiscalCode);
    await expectAccessible(noRole, 'no role');
    await screenshot(noRole, '04-nessun-ruolo');
    await noRole.context().close();

    const levelOne = await newPage(browser);
    await browserLogin(levelOne, t.base, ESPOSITO_L1);
    expect(await levelOne.getByRole('heading', { level: 1 }).textContent()).toBe('Accesso non riuscito');
    await expectAccessible(levelOne, 'login refused');
    await levelOne.context().close();

    const viewer = await newPage(browser);
    await browserLogin(viewer, t.base, ROSSI, `/ente/${other.fiscal_code}/invio`);
    expect(await viewer.getByRole('heading', { level: 1 }).textContent()).toBe('Operazione non consentita');
    await expectAccessible(viewer, '403 page');
    await viewer.context().close();
  });

  it('logout ends the session here and at the identity provider', async () => {
    const page = await newPage(browser);
    await browserLogin(page, t.base, BIANCHI);
    await page.getByRole('button', { name: 'Esci' }).click();
    // The provider asks to confirm (RP-initiated logout), then comes back.
    await page.waitForURL(/\/idp\//);
    await expectAccessible(page, 'identity provider logout');
    await page.getByRole('button', { name: /esci|conferma/i }).first().click();
    await page.waitForURL(`${t.base}/uscita`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sei uscito da GeNIO');
    await expectAccessible(page, 'logged out');
    const back = await page.goto(`${t.base}/ente/${t.ente.fiscal_code}/`);
    // Asked to log in again, and the provider asks again which identity (its session ended too).
    await page.waitForURL(/\/idp\//);
    expect(back?.ok()).toBe(true);
    await expect(page.getByRole('button', { name: loginButtonLabel(BIANCHI) }).isVisible()).resolves.toBe(true);
    await page.context().close();
  });
});
