/**
 * In a real browser: Invio singolo filled by keyboard with its live preview and the on-the-spot
 * fiscal code check, sent through to "Consegnato" on the message's page; a template's fields
 * swapped in by htmx; a scheduled message cancelled from its page; the Messaggi search.
 * axe-core checks every page (the form with errors too); screenshots 10, 11, 12.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { messageBody, validFiscalCode } from '../support/factories.ts';
import { TARI_TEMPLATE } from '../support/templates.ts';
import { browserLogin, describeInBrowser, expectAccessible, launchBrowser, newPage, screenshot } from '../support/browser.ts';
import { ROSSI, startWebGenio, type WebGenio } from '../support/web.ts';

let t: WebGenio;
let browser: Browser;
let page: Page;

const url = (rest: string) => `${t.base}/ente/${t.ente.fiscal_code}${rest}`;
const focusedId = () => page.evaluate(() => document.activeElement?.id ?? '');

async function tab(expectedId: string): Promise<void> {
  await page.keyboard.press('Tab');
  expect(await focusedId()).toBe(expectedId);
}

describeInBrowser('Invio singolo and Messaggi in a browser', () => {
  beforeAll(async () => {
    t = await startWebGenio();
    await t.grant(ROSSI, 'sender');
    expect((await t.api('POST', '/api/v1/templates', TARI_TEMPLATE)).status).toBe(201);
    browser = await launchBrowser();
    page = await newPage(browser);
    await browserLogin(page, t.base, ROSSI);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('fills the form by keyboard, sees the preview follow, sends, and watches it reach "Consegnato"', async () => {
    await page.goto(url('/invio'));
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Invio singolo');

    // Sent empty: the form comes back with its errors.
    await page.getByRole('button', { name: 'Invia il messaggio' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('#riepilogo-errori');
    expect(await page.locator('#codice-fiscale-errore').textContent()).toContain('Indica il codice fiscale del destinatario.');
    await expectAccessible(page, 'Invio singolo with errors');

    const subject = 'Avviso TARI 2026';
    const text = 'Gentile cittadino, è disponibile il suo avviso **TARI 2026**: lo trova nella sezione pagamenti del portale del Comune.';
    await page.getByLabel('Servizio').focus();
    await tab('codice-fiscale');
    await page.keyboard.type(validFiscalCode(1).toLowerCase());
    expect(await page.inputValue('#codice-fiscale')).toBe(validFiscalCode(1)); // upper-cased as typed
    await tab('modello');
    await expect.poll(() => page.locator('#codice-fiscale-esito').textContent()).toContain('Codice fiscale corretto.');
    await tab(''); // "Usa questo modello" (a button without an id)
    await tab('oggetto');
    await page.keyboard.type(subject);
    await tab('testo');
    await page.keyboard.insertText(text); // as a paste: one input event for the whole text
    await expect.poll(() => page.locator('#anteprima .genio-preview-subject').textContent()).toBe(subject);
    await expect.poll(() => page.locator('#anteprima').textContent()).toContain(`Testo: ${text.length} caratteri (da 80 a 10.000)`);
    expect(await page.locator('#anteprima .genio-preview-body strong').textContent()).toBe('TARI 2026');
    expect(await page.locator('#anteprima').textContent()).toContain(`Oggetto: ${subject.length} caratteri (da 10 a 120)`);
    await tab('scadenza');
    await screenshot(page, '10-invio-singolo');

    await page.getByRole('button', { name: 'Invia il messaggio' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/messaggi\/[0-9A-Z]{26}\?esito=inviato$/);
    expect(await page.getByRole('status').first().textContent()).toContain('Messaggio accettato');
    // The page polls by itself: no reload here.
    await expect.poll(() => page.getByTestId('stato').textContent(), { timeout: 20_000, interval: 250 }).toBe('Consegnato');
    expect(await page.locator('#annuncio-stato').textContent()).toBe('Stato del messaggio: Consegnato');
    expect(await page.getByTestId('storia').textContent()).toContain('Recapitato');
    await expectAccessible(page, 'message page');
    await screenshot(page, '11-messaggio');
  });

  it('a template shows its fields (htmx) and previews with the values typed so far', async () => {
    await page.goto(url('/invio'));
    await page.getByLabel('Modello (facoltativo)').selectOption({ label: 'Avviso TARI' });
    await page.waitForSelector('#dato-nome');
    expect(await page.locator('#oggetto').count()).toBe(0);
    await page.locator('#dato-nome').focus();
    await page.keyboard.type('Anna Neri');
    await expect.poll(() => page.locator('#anteprima .genio-preview-subject').textContent()).toBe('Avviso TARI [anno] per Anna Neri');
    await expectAccessible(page, 'Invio singolo with a template');
  });

  it('cancels a scheduled message from its page', async () => {
    const r = await t.api('POST', '/api/v1/messages', messageBody('tari', 2, { scheduled_at: '2099-06-01T09:00:00+02:00', reference: 'DA-ANNULLARE' }));
    expect(r.status).toBe(202);
    await page.goto(url(`/messaggi/${r.body.id}`));
    expect(await page.getByTestId('stato').textContent()).toBe('Programmato');
    await page.getByRole('button', { name: 'Annulla invio' }).click();
    await page.waitForURL(/\?esito=annullato$/);
    expect(await page.getByRole('status').first().textContent()).toContain('Invio annullato');
    expect(await page.getByTestId('stato').textContent()).toBe('Annullato');
    expect(await page.getByRole('button', { name: 'Annulla invio' }).count()).toBe(0);
  });

  it('searches on Messaggi by status and reference', async () => {
    await page.goto(url('/messaggi'));
    await page.getByLabel('Stato').selectOption('cancelled');
    await page.getByLabel('Riferimento').fill('DA-ANNULLARE');
    await page.getByRole('button', { name: 'Cerca' }).click();
    await page.waitForURL(/stato=cancelled/);
    const rows = page.getByTestId('risultati').locator('tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Annullato');
    expect(await page.getByLabel('Riferimento').inputValue()).toBe('DA-ANNULLARE');
    await page.goto(url('/messaggi'));
    expect(await page.getByTestId('risultati').locator('tbody tr').count()).toBe(2);
    await expectAccessible(page, 'Messaggi results');
    await screenshot(page, '12-messaggi');
  });
});
