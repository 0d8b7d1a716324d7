/**
 * In a real browser, as a sender: Invio massivo from the upload form through a file with a
 * missing column and one with two bad fiscal codes (the check page tells both plainly), the fixed
 * file confirmed, the progress page following the sending by itself until "Completato", and the
 * report downloaded. axe-core checks every page; screenshots 19, 20, 21.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { validFiscalCode } from '../support/factories.ts';
import { browserLogin, describeInBrowser, expectAccessible, launchBrowser, newPage, screenshot } from '../support/browser.ts';
import { startWebGenio, VERDI, type WebGenio } from '../support/web.ts';

const TEXT = "Gentile famiglia, è disponibile la retta della mensa scolastica di ottobre. Può pagarla con pagoPA dall'app IO.";

let t: WebGenio;
let browser: Browser;
let page: Page;
let dir: string;

/** Writes a small CSV into the test's folder: 10 rows, `bad` maps a row index to a fiscal code. */
function writeCsv(name: string, opts: { bad?: Record<number, string>; columns?: string[] } = {}): string {
  const columns = opts.columns ?? ['codice_fiscale', 'oggetto', 'testo', 'riferimento'];
  const lines = [columns.join(';')];
  for (let i = 0; i < 10; i++) {
    const values: Record<string, string> = {
      codice_fiscale: opts.bad?.[i] ?? validFiscalCode(9000 + i),
      oggetto: `Retta mensa ottobre n. ${i + 1}`,
      testo: TEXT,
      riferimento: `mensa-10-${i + 1}`,
    };
    lines.push(columns.map((c) => values[c]).join(';'));
  }
  const file = path.join(dir, name);
  fs.writeFileSync(file, lines.join('\r\n') + '\r\n');
  return file;
}

const url = (rest: string) => `${t.base}/ente/${t.ente.fiscal_code}${rest}`;
const heading = () => page.getByRole('heading', { level: 1 }).textContent();

/** Chooses the file and uploads it; the check page follows and turns into its outcome by itself. */
async function uploadAndWaitForCheck(file: string): Promise<void> {
  await page.setInputFiles('#file', file);
  await page.getByRole('button', { name: 'Carica e controlla il file' }).click();
  await page.waitForURL(/\/massivo\/[0-9A-Z]{26}$/);
  await page.getByRole('heading', { level: 1, name: 'Controllo del file', exact: true }).waitFor({ timeout: 15_000 });
}

describeInBrowser('Invio massivo in a browser', () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genio-massivo-'));
    // A small IO budget (2 messages a second) so that the sending lasts a few seconds to watch.
    t = await startWebGenio({ config: { ioBudget: { calls: 6, windowMs: 1000 } } });
    await t.grant(VERDI, 'sender');
    browser = await launchBrowser();
    page = await newPage(browser);
    await browserLogin(page, t.base, VERDI);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a file with errors, then the fixed file: check, confirm, progress until done, report', async () => {
    await page.goto(url('/massivo'));
    expect(await heading()).toBe('Invio massivo');
    await expectAccessible(page, 'Invio massivo');
    await screenshot(page, '19-invio-massivo');

    // Sent without a file: the error sits next to the field.
    await page.getByRole('button', { name: 'Carica e controlla il file' }).click();
    await page.waitForSelector('#file-errore');
    expect(await page.locator('#file-errore').textContent()).toContain('Scegli il file CSV o XLSX da caricare.');
    await expectAccessible(page, 'Invio massivo with a form error');

    // A file without the text column.
    await uploadAndWaitForCheck(writeCsv('senza-testo.csv', { columns: ['codice_fiscale', 'oggetto', 'riferimento'] }));
    expect(await page.getByTestId('riepilogo').textContent()).toContain('1 colonna mancante (testo)');

    // Back to the form with the service chosen; the file with two bad fiscal codes.
    await page.getByRole('link', { name: 'Carica il file corretto' }).click();
    await page.waitForURL(/\/massivo\?servizio=tari$/);
    expect(await page.locator('#servizio').inputValue()).toBe('tari');
    await uploadAndWaitForCheck(writeCsv('mensa-ottobre.csv', { bad: { 2: 'RSSMRA80A01H501X', 6: 'VRDGPP80A01H50' } }));
    expect((await page.getByTestId('riepilogo').textContent())?.replace(/\s+/g, ' ').trim()).toBe('Il file ha 2 errori: 2 codici fiscali non validi.');
    const rows = await page.getByTestId('tabella-errori').locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent?.trim())),
    );
    expect(rows).toEqual([['4', 'codice_fiscale', 'RSSMRA80A01H501X'], ['8', 'codice_fiscale', 'VRDGPP80A01H50']]);
    expect(await page.getByTestId('righe-valide').textContent()).toBe('8');
    expect(await page.getByTestId('anteprima').textContent()).toContain('Retta mensa ottobre n. 1');
    await expect(page.getByRole('button', { name: 'Invia solo le righe valide' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page, 'check page with errors');
    await screenshot(page, '20-invio-massivo-controllo');

    // The fixed file: no errors, confirmed, then the page follows the sending by itself.
    await page.getByRole('link', { name: 'Carica il file corretto' }).click();
    await uploadAndWaitForCheck(writeCsv('mensa-ottobre-corretto.csv'));
    expect(await page.getByTestId('stato-lotto').textContent()).toBe('Pronto da confermare');
    await page.getByRole('button', { name: 'Conferma e invia' }).click();
    await page.waitForURL(/\/massivo\/[0-9A-Z]{26}$/);
    const batchUrl = page.url();
    expect(await heading()).toBe('Avanzamento dell’invio');
    expect(await page.getByTestId('fine-prevista').isVisible()).toBe(true);
    // The counts move while the page stays the same page: htmx swaps its live part.
    await page.evaluate(() => ((window as unknown as { samePage: boolean }).samePage = true));
    const first = await page.getByTestId('percentuale').textContent();
    await page.waitForFunction((before) => {
      const now = document.querySelector('[data-testid="percentuale"]')?.textContent;
      return now !== before && now !== '100';
    }, first, { timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as { samePage?: boolean }).samePage)).toBe(true);
    expect(await page.locator('#stato-lotto').getAttribute('hx-trigger')).toBe('every 2s');
    await expectAccessible(page, 'progress page, sending');
    await page.waitForFunction(() => document.querySelector('[data-testid="stato-lotto"]')?.textContent === 'Completato', null, { timeout: 30_000 });
    expect(page.url()).toBe(batchUrl);
    expect(await heading()).toBe('Invio completato');
    expect(await page.getByRole('progressbar', { name: "Avanzamento dell'invio" }).getAttribute('aria-valuenow')).toBe('100');
    // IO tells the outcomes a moment later: the counts follow without a reload.
    await page.waitForFunction(() => document.querySelector('[data-testid="conta-consegnati"]')?.textContent === '10', null, { timeout: 30_000 });
    await expectAccessible(page, 'progress page, done');
    await screenshot(page, '21-invio-massivo-avanzamento');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Scarica il resoconto/ }).click()]);
    expect(download.suggestedFilename()).toMatch(/^esito-[0-9A-Z]{26}\.csv$/);
    const report = fs.readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(report[0]).toBe('riga;codice_fiscale;stato;id_messaggio_io;motivo');
    expect(report.slice(1).map((l) => l.split(';').slice(0, 3))).toEqual(Array.from({ length: 10 }, (_, i) => [String(i + 2), validFiscalCode(9000 + i), 'delivered']));
  }, 90_000);
});
