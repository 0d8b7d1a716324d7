/**
 * In a real browser, as a manager: an API key created, shown once and copied with the "Copia"
 * button (read back from the clipboard), used against the API, then revoked; a template written
 * with its placeholder rows and live preview following the text, saved, edited to version 2.
 * axe-core checks every page; screenshots 30–33.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserLogin, describeInBrowser, expectAccessible, launchBrowser, newPage, screenshot } from '../support/browser.ts';
import { ROSSI, startWebGenio, type WebGenio } from '../support/web.ts';

let t: WebGenio;
let browser: Browser;
let page: Page;

const url = (rest: string) => `${t.base}/ente/${t.ente.fiscal_code}${rest}`;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describeInBrowser('Chiavi API and Modelli in a browser', () => {
  beforeAll(async () => {
    t = await startWebGenio();
    await t.grant(ROSSI, 'manager');
    browser = await launchBrowser();
    page = await newPage(browser);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.base });
    await browserLogin(page, t.base, ROSSI);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('creates an API key, sees it once, copies it, and revokes it', async () => {
    await page.getByRole('link', { name: 'Chiavi API' }).click();
    await page.waitForURL(url('/chiavi'));
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Chiavi API');
    await expectAccessible(page, 'Chiavi API');
    await screenshot(page, '30-chiavi-api');

    await page.locator('label[for="servizio-tari"]').click();
    await page.locator('label[for="sandbox"]').click();
    await page.getByLabel('Indirizzo di notifica (facoltativo)').fill('https://gestionale.example/genio');
    await page.getByRole('button', { name: 'Crea la chiave' }).click();
    await page.getByRole('heading', { level: 1, name: 'Chiave API creata' }).waitFor();
    const key = (await page.getByTestId('nuova-chiave').textContent())!.trim();
    expect(key).toMatch(/^genio_test_/);
    expect(await page.getByTestId('segreto-notifiche').textContent()).toMatch(/^whsec_/);
    expect(await page.getByTestId('avviso-una-volta').textContent()).toContain('non sarà più mostrata');

    await page.getByRole('button', { name: 'Copia la chiave' }).click();
    await expect.poll(() => page.locator('#chiave-api-copiata').textContent()).toBe('Copiata negli appunti');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    await expectAccessible(page, 'key created');
    await screenshot(page, '31-chiave-creata');
    expect((await t.api('GET', '/api/v1/templates', undefined, bearer(key))).status).toBe(200);

    // Back on the list: the key is not there, its prefix is.
    await page.getByRole('link', { name: 'Torna alle chiavi API' }).click();
    const list = (await page.getByTestId('chiavi-attive').textContent())!;
    expect(list).toContain(key.split('_').slice(0, 3).join('_'));
    expect(await page.content()).not.toContain(key);
    await expectAccessible(page, 'Chiavi API with a key');

    await page.getByRole('link', { name: key.split('_').slice(0, 3).join('_') }).click();
    await page.waitForURL(/\/chiavi\/[0-9A-Z]{26}$/);
    await page.getByRole('button', { name: 'Revoca la chiave' }).click();
    await page.locator('#conferma-revoca-errore').waitFor();
    expect(await page.locator('#conferma-revoca-errore').textContent()).toContain('Spunta la casella');
    await expectAccessible(page, 'key page with an error');
    await page.locator('label[for="conferma-revoca"]').click();
    await page.getByRole('button', { name: 'Revoca la chiave' }).click();
    await page.waitForURL(/\/chiavi\?revocata=/);
    expect(await page.getByRole('status').first().textContent()).toContain('è stata revocata');
    expect(await page.getByTestId('chiavi-revocate').textContent()).toContain(key.split('_').slice(0, 3).join('_'));
    expect((await t.api('GET', '/api/v1/templates', undefined, bearer(key))).status).toBe(401);
  });

  it('writes a template with a placeholder, sees the preview follow, saves it, and edits it to version 2', async () => {
    await page.getByRole('link', { name: 'Modelli' }).click();
    await page.waitForURL(url('/modelli'));
    await page.getByRole('link', { name: 'Nuovo modello' }).click();
    await page.waitForURL(url('/modelli/nuovo'));
    await page.getByLabel('Servizio', { exact: true }).selectOption('tari');
    await page.getByLabel('Nome del modello').fill('Avviso TARI');
    await page.getByLabel('Oggetto', { exact: true }).fill('Avviso TARI {{anno}} per {{nome}}');
    await page.getByLabel('Testo', { exact: true }).fill('Gentile {{nome}},\n\nè disponibile il suo avviso **TARI {{anno}}**: può pagarlo con pagoPA dall’app IO o presso gli sportelli.');

    // One row per placeholder appears, and the preview fills them with example values.
    await page.getByTestId('segnaposto-anno').waitFor();
    await page.getByTestId('segnaposto-nome').waitFor();
    await expect.poll(() => page.locator('#segnaposto-stato').textContent()).toBe('2 segnaposto: anno, nome');
    await expect.poll(() => page.locator('#anteprima .genio-preview-subject').textContent()).toBe('Avviso TARI Mario Rossi per Mario Rossi');
    await page.locator('#ph-0-tipo').selectOption('number');
    await page.locator('#ph-0-schema').fill('\\d{1,4}');
    await expect.poll(() => page.locator('#anteprima .genio-preview-subject').textContent()).toBe('Avviso TARI 12 per Mario Rossi');
    expect(await page.locator('#anteprima .genio-preview-body strong').textContent()).toBe('TARI 12');
    expect(await page.locator('#anteprima').textContent()).toContain('Oggetto: 30 caratteri (da 10 a 120)');

    // A third placeholder: its row joins, the choices made for the others stay.
    await page.getByLabel('Oggetto', { exact: true }).fill('Avviso TARI {{anno}} per {{nome}} ({{pratica}})');
    await page.getByTestId('segnaposto-pratica').waitFor();
    expect(await page.locator('#ph-0-tipo').inputValue()).toBe('number');
    expect(await page.locator('#ph-0-schema').inputValue()).toBe('\\d{1,4}');
    await expect.poll(() => page.locator('#anteprima .genio-preview-subject').textContent()).toBe('Avviso TARI 12 per Mario Rossi (Mario Rossi)');
    await expectAccessible(page, 'new template with preview');
    await screenshot(page, '33-modello');

    await page.getByRole('button', { name: 'Salva il modello' }).click();
    await page.waitForURL(/\/modelli\/[0-9A-Z]{26}\?salvata=1$/);
    expect(await page.getByRole('status').first().textContent()).toBe('Versione 1 salvata.');
    expect(await page.getByTestId('versione').textContent()).toContain('Versione attuale: 1');

    await page.getByLabel('Oggetto', { exact: true }).fill('TARI {{anno}}: avviso per {{nome}} ({{pratica}})');
    await expect.poll(() => page.locator('#anteprima .genio-preview-subject').textContent()).toBe('TARI 12: avviso per Mario Rossi (Mario Rossi)');
    await page.getByRole('button', { name: 'Salva una nuova versione' }).click();
    await page.waitForURL(/\/modelli\/[0-9A-Z]{26}\?salvata=2$/);
    expect(await page.getByRole('status').first().textContent()).toBe('Versione 2 salvata.');
    expect(await page.getByTestId('versione').textContent()).toContain('Versione attuale: 2');
    expect(await page.locator('#ph-0-tipo').inputValue()).toBe('number');

    await page.getByRole('link', { name: 'Modelli' }).first().click();
    await page.waitForURL(url('/modelli'));
    expect(await page.getByTestId('modelli').textContent()).toContain('Avviso TARI');
    await expectAccessible(page, 'Modelli');
    await screenshot(page, '32-modelli');
  });
});
