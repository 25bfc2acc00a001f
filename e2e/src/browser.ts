import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { System } from './system.js';

// What browser tests share: Debian's Chromium driven by playwright-core (playwright's own browser
// download does not work here), a page that collects script and CSP errors, the portal's login form
// and axe-core's verdict on a page.

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const desktop = { width: 1280, height: 800 };
export const phone = { width: 390, height: 844 };

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** The gateway's URL as a browser uses it: Chromium resolves localhost (and *.localhost), the demo's portal domain, to this machine. */
export const browserUrl = (system: System) => system.url.replace('127.0.0.1', 'localhost');

export interface BrowserPage {
  context: BrowserContext;
  page: Page;
  /** Script errors and console errors (a CSP violation shows up here). */
  errors: string[];
}

/** A page in a browser context of its own: its own cookies, so its own session. */
export async function newPage(browser: Browser, viewport = desktop): Promise<BrowserPage> {
  const context = await browser.newContext({ viewport, acceptDownloads: true, locale: 'en-GB' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().includes('favicon')) errors.push(message.text());
  });
  return { context, page, errors };
}

/** Fills in and sends the portal's login form; where it leads is the caller's to wait for. */
export async function submitLogin(page: Page, portalUrl: string, email: string, password = 'demo-password') {
  await page.goto(`${portalUrl}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Logs in to the portal at `portalUrl` (e.g. `http://localhost:3000/support`) and waits for the ticket list. */
export async function logIn(page: Page, portalUrl: string, email: string) {
  await submitLogin(page, portalUrl, email);
  await page.waitForURL(`${portalUrl}/tickets`);
}

/**
 * Serious and critical WCAG 2.2 A/AA problems axe-core finds on the page, as `rule: selectors`.
 * axe is evaluated through the DevTools protocol, which the page's CSP does not govern, so any page
 * can be checked as served.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const found = await page.evaluate(`axe
    .run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] })
    .then((result) => result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`);
  return found as string[];
}

/**
 * Opens an admin page without a session, is sent to the admin login and logs in there; where it
 * then leads (the page, or a 403 page) is the caller's to check.
 */
export async function logInAdmin(page: Page, baseUrl: string, email: string, path: string) {
  await page.goto(`${baseUrl}${path}`);
  await page.waitForURL(/\/admin\/login\?next=/);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Clicks a form's button and returns the answer to its POST (before any redirect is followed). */
export async function postAnswer(page: Page, baseUrl: string, button: string) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.url().startsWith(`${baseUrl}/admin/`)),
    page.getByRole('button', { name: button, exact: true }).click(),
  ]);
  await page.waitForLoadState();
  return response;
}
