/**
 * Browser tests: Debian's chromium driven by playwright-core (no browser download here), axe-core
 * for WCAG 2.1 AA on every page, and screenshots under test-output/screenshots (not committed).
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { describe, expect } from 'vitest';
import type { TestCitizen } from '../../src/local-idp/citizens.ts';
import { loginButtonLabel } from '../../src/local-idp/login-page.ts';

export const CHROMIUM = process.env.GENIO_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve('test-output/screenshots');

const HAS_CHROMIUM = fs.existsSync(CHROMIUM);
if (!HAS_CHROMIUM && !process.env.CI && process.env.VITEST) {
  console.warn(`\n*** no chromium at ${CHROMIUM}: the BROWSER TESTS are SKIPPED (apt-get install chromium, or set GENIO_CHROMIUM) ***\n`);
}

/** `describe` for browser tests: skipped (loudly) without chromium, except in CI, where a missing browser fails. */
export const describeInBrowser: typeof describe = HAS_CHROMIUM || process.env.CI ? describe : (describe.skip as typeof describe);

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM}: apt-get install chromium (bash .ci/run does), or set GENIO_CHROMIUM`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A new page with Italian locale, as the operators' browsers are. */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  return context.newPage();
}

/** Logs in through /accedi and the local identity provider, choosing `citizen`. */
export async function browserLogin(page: Page, base: string, citizen: TestCitizen, dopo?: string): Promise<void> {
  await page.goto(`${base}/accedi${dopo ? `?dopo=${encodeURIComponent(dopo)}` : ''}`);
  await page.getByRole('button', { name: loginButtonLabel(citizen) }).click();
  await page.waitForURL((u) => u.href.startsWith(base) && !u.pathname.startsWith('/idp'));
}

/** axe-core on the page as it is now: no serious or critical WCAG 2.1 A/AA violation. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  expect(bad, `accessibility of ${what} (${page.url()})`).toEqual([]);
}

/** A full-page screenshot, named for the page, kept for people to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
