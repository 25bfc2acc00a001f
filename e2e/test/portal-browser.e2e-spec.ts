import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  accessibilityProblems,
  browserUrl,
  desktop,
  launchChromium,
  logIn as logInAt,
  newPage as newBrowserPage,
  phone,
} from '../src/browser.js';
import { startSystem, type System } from '../src/system.js';

// The customer portal in a real browser (Debian's Chromium, driven by playwright-core) against the
// whole system on the demo data: what a customer does, by the names a screen reader would read.
// Screenshots go to SCREENSHOTS_DIR when set (docs/screenshots/ holds the committed ones), else to a
// temporary folder.

const screenshots = process.env.SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'portal-shots-'));

let system: System;
let browser: Browser;
let base: string;

beforeAll(async () => {
  system = await startSystem({ database: 'helpdesk_test_e2e_portal_browser' });
  base = browserUrl(system);
  browser = await launchChromium();
  mkdirSync(screenshots, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await system?.close();
});

const newPage = (viewport = desktop) => newBrowserPage(browser, viewport);
const logIn = (page: Page, email = 'alice@acme.test') => logInAt(page, `${base}/support`, email);

/** How wide the page is laid out (wider than the viewport means sideways scrolling). */
const scrollWidth = async (page: Page) => Number(await page.evaluate('document.documentElement.scrollWidth'));

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });

describe('the customer portal in Chromium', () => {
  it('logs in and lists the tickets with the default columns', async () => {
    const { context, page, errors } = await newPage();
    await page.goto(`${base}/support`);
    await expect(page.getByRole('heading', { name: 'Log in' }).isVisible()).resolves.toBe(true);
    await shot(page, 'login-desktop');
    await logIn(page);
    expect(await page.title()).toBe('Demo Support');
    await expect(page.getByRole('heading', { name: 'Tickets', level: 1 }).isVisible()).resolves.toBe(true);
    const headers = await page.getByRole('columnheader').allInnerTexts();
    expect(headers.map((h) => h.trim())).toEqual([
      'Subject',
      'Requester',
      'Created date',
      'Ticket owner',
      'Last activity date',
      'Status',
    ]);
    await expect(page.getByRole('link', { name: 'Printer on fire' }).isVisible()).resolves.toBe(true);
    expect(await page.getByRole('link', { name: 'Tulostin ei tulosta' }).count()).toBe(0); // Carol's (Globex)
    for (const name of ['Export to CSV', 'Log out', 'Search'])
      await expect(page.getByRole('button', { name }).isVisible()).resolves.toBe(true);
    await shot(page, 'list-desktop');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('switches between organization tickets and her own, filters by status and searches', async () => {
    const { context, page, errors } = await newPage();
    await logIn(page);
    const all = await page.locator('a.ticket-link').count();
    await page.getByRole('combobox', { name: 'Show' }).selectOption({ label: 'Owned by me' });
    await page.waitForURL(/show=mine/);
    const mine = await page.locator('a.ticket-link').count();
    expect(mine).toBeGreaterThan(0);
    expect(mine).toBeLessThan(all);
    await expect(page.getByRole('link', { name: 'Cannot log in to the VPN' }).count()).resolves.toBe(0); // Bob's

    await page.getByRole('combobox', { name: 'Show' }).selectOption({ label: 'Organization tickets' });
    await page.waitForURL((url) => !url.search.includes('show=mine'));
    await page.getByRole('combobox', { name: 'Status' }).selectOption({ label: 'Closed' });
    await page.waitForURL(/status=closed/);
    const statuses = await page.locator('td.col-status').allInnerTexts();
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses.map((s) => s.trim()))).toEqual(new Set(['Closed']));

    await page.getByRole('combobox', { name: 'Status' }).selectOption({ label: 'All' });
    await page.waitForURL(/status=all/);
    await page.getByRole('searchbox', { name: 'Search tickets' }).fill('laptop');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=laptop/);
    expect(await page.locator('a.ticket-link').allInnerTexts()).toEqual([
      'Request: new laptop for the sales team',
    ]);

    await page.getByRole('link', { name: /Sort by Subject/ }).click();
    await page.waitForURL(/sort=subject/);
    expect(await page.getByRole('columnheader', { name: /Subject/ }).getAttribute('aria-sort')).toBe(
      'ascending',
    );
    expect(errors).toEqual([]);
    await context.close();
  });

  it('opens a ticket, replies with formatting, closes it and logs out', async () => {
    const { context, page, errors } = await newPage();
    await logIn(page);
    await page.getByRole('link', { name: 'Printer on fire' }).click();
    await page.waitForURL(/\/support\/tickets\/[0-9a-f-]{36}$/);
    await expect(page.getByRole('heading', { name: 'Printer on fire', level: 1 }).isVisible()).resolves.toBe(
      true,
    );
    await expect(page.getByText('Printer on fire. Details from the customer.').isVisible()).resolves.toBe(
      true,
    );
    await shot(page, 'detail-desktop');

    const editor = page.getByRole('textbox', { name: 'Your reply' });
    await editor.click();
    await page.getByRole('button', { name: 'Bold' }).click();
    await page.keyboard.type('Still burning');
    await page.getByRole('button', { name: 'Bold' }).click();
    await page.keyboard.type(', please hurry.');
    await page.getByLabel('Attach files').setInputFiles({
      name: 'smoke.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Smoke level: high\n'),
    });
    await page.getByRole('button', { name: 'Reply' }).click();
    await page.waitForURL(/notice=replySent/);
    await expect(
      page.getByRole('status').filter({ hasText: 'Your reply was sent.' }).isVisible(),
    ).resolves.toBe(true);
    const last = page.locator('.message').last();
    expect(await last.locator('strong').innerText()).toBe('Still burning');
    expect(await last.innerText()).toContain(', please hurry.');
    const [attachment] = await Promise.all([
      page.waitForEvent('download'),
      last.getByRole('link', { name: /smoke\.txt/ }).click(),
    ]);
    expect(readFileSync(await attachment.path(), 'utf8')).toBe('Smoke level: high\n');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Close ticket' }).click();
    await page.waitForURL(/notice=ticketClosedNow/);
    await expect(page.getByText('The ticket is now closed.').isVisible()).resolves.toBe(true);
    expect(await page.getByRole('button', { name: 'Close ticket' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/support\/logout$/);
    await expect(page.getByRole('heading', { name: 'You have logged out' }).isVisible()).resolves.toBe(true);
    await page.goto(`${base}/support/tickets`);
    await page.waitForURL(/\/support\/login/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('keeps the typed reply when a file is refused: only the file needs choosing again', async () => {
    const { context, page, errors } = await newPage();
    await logIn(page);
    await page.getByRole('link', { name: 'Cannot log in to the VPN' }).click();
    await page.waitForURL(/\/support\/tickets\/[0-9a-f-]{36}$/);
    await page.getByRole('textbox', { name: 'Your reply' }).click();
    await page.keyboard.type('The VPN client says error 809.');
    const exe = {
      name: 'vpn-fix.exe',
      mimeType: 'application/octet-stream',
      buffer: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(1_000, 1)]),
    };
    await page.getByLabel('Attach files').setInputFiles(exe);
    await page.getByRole('button', { name: 'Reply' }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'This type of file cannot be attached' });
    await refused.waitFor();
    // The refusal replaced the page (its upload went through script): the text is back, in the editor.
    const editor = page.getByRole('textbox', { name: 'Your reply' });
    expect((await editor.innerText()).trim()).toBe('The VPN client says error 809.');
    await expect(page.getByRole('button', { name: 'Bold' }).isVisible()).resolves.toBe(true);
    // Styled as before (Trix's own styles came along): its link dialog stays closed.
    await expect(page.getByPlaceholder('https://…').isVisible()).resolves.toBe(false);
    await shot(page, 'reply-refused-file');
    // Refused once more, on the page put in place by script: the same again, the theme still allowed.
    await page.evaluate("document.documentElement.dataset.replaced = 'not yet'");
    await page.getByLabel('Attach files').setInputFiles(exe);
    await page.getByRole('button', { name: 'Reply' }).click();
    await page.locator('html[data-replaced]').waitFor({ state: 'detached' });
    await refused.waitFor();
    expect((await editor.innerText()).trim()).toBe('The VPN client says error 809.');
    await editor.click();
    await page.keyboard.type('Thanks!');
    await page.getByRole('button', { name: 'Reply' }).click();
    await page.waitForURL(/notice=replySent/);
    const sent = await page.locator('.message').last().innerText();
    expect(sent).toContain('The VPN client says error 809.');
    expect(sent).toContain('Thanks!');
    // The refusals' own answers are the only failed loads (no CSP refusal of the theme either).
    expect(errors).toEqual([
      expect.stringContaining('status of 400 (Bad Request)'),
      expect.stringContaining('status of 400 (Bad Request)'),
    ]);
    await context.close();
  });

  it('exports the filtered list to CSV with a progress page and a download', async () => {
    const { context, page, errors } = await newPage();
    await logIn(page);
    await page.getByRole('combobox', { name: 'Status' }).selectOption({ label: 'Open' });
    await page.waitForURL(/status=open/);
    const listed = await page.locator('a.ticket-link').allInnerTexts();
    await page.getByRole('button', { name: 'Export to CSV' }).click();
    await page.waitForURL(/\/support\/exports\/[0-9a-f-]{36}$/);
    const link = page.getByRole('link', { name: 'Download CSV' });
    await link.waitFor({ state: 'visible', timeout: 20_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const csv = readFileSync(await download.path(), 'utf8')
      .replace(/^\uFEFF/, '')
      .trim();
    const rows = csv.split(/\r?\n/);
    expect(rows[0]).toBe('Subject,Requester,Created date,Ticket owner,Last activity date,Status');
    expect(rows).toHaveLength(listed.length + 1);
    for (const subject of listed) expect(csv).toContain(subject);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('fits a phone screen', async () => {
    const { context, page, errors } = await newPage(phone);
    await page.goto(`${base}/support`);
    await shot(page, 'login-phone');
    await logIn(page);
    // No sideways scrolling: the table turns into cards.
    expect(await scrollWidth(page)).toBeLessThanOrEqual(phone.width);
    await shot(page, 'list-phone');
    await page.getByRole('link', { name: 'Cannot log in to the VPN' }).click();
    await page.waitForURL(/\/support\/tickets\/[0-9a-f-]{36}$/);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(phone.width);
    await shot(page, 'detail-phone');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('has no serious or critical accessibility problems (axe-core) on its pages', async () => {
    const { context, page } = await newPage();
    const problems: Record<string, string[]> = {};
    const check = async (name: string) => (problems[name] = await accessibilityProblems(page));
    await page.goto(`${base}/support/login`);
    await check('login');
    await page.getByLabel('Email').fill('bob@acme.test');
    await page.getByLabel('Password').fill('demo-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/support\/tickets$/);
    await check('list');
    await page.goto(`${base}/support/tickets?q=nothing-matches-this`);
    await check('empty list');
    await page.goto(`${base}/support/tickets`);
    await page.getByRole('link', { name: 'Email bounces from acme.test' }).click();
    await page.waitForURL(/\/support\/tickets\/[0-9a-f-]{36}$/);
    await check('detail');
    await page.goto(`${base}/support/tickets`);
    await page.getByRole('button', { name: 'Export to CSV' }).click();
    await page.waitForURL(/\/support\/exports\//);
    await check('export');
    await page.goto(`${base}/support/tickets/00000000-0000-4000-8000-000000000000`);
    await check('not found');
    await page.setViewportSize(phone);
    await page.goto(`${base}/support/tickets`);
    await check('list on a phone');
    await page.goto(`${base}/support/logout`);
    await page.getByRole('button', { name: 'Log out' }).first().click();
    await page.waitForURL(/\/support\/logout$/);
    await check('logged out');
    expect(problems).toEqual({
      login: [],
      list: [],
      'empty list': [],
      detail: [],
      export: [],
      'not found': [],
      'list on a phone': [],
      'logged out': [],
    });
    await context.close();
  });

  it('speaks Finnish on the Finnish domain', async () => {
    const { context, page } = await newPage();
    await page.goto(`${base.replace('localhost', 'fi.localhost')}/support`);
    expect(await page.getAttribute('html', 'lang')).toBe('fi');
    await page.getByLabel('Sähköposti').fill('alice@acme.test');
    await page.getByLabel('Salasana').fill('demo-password');
    await page.getByRole('button', { name: 'Kirjaudu sisään' }).click();
    await page.waitForURL(/\/support\/tickets$/);
    for (const name of ['Vie CSV-tiedostoon', 'Kirjaudu ulos', 'Hae'])
      await expect(page.getByRole('button', { name }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('combobox', { name: 'Näytä' }).isVisible()).resolves.toBe(true);
    await shot(page, 'list-desktop-fi');
    await context.close();
  });
});
