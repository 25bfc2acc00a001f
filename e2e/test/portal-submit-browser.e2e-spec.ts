import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  accessibilityProblems,
  browserUrl,
  desktop,
  launchChromium,
  logIn,
  newPage,
  phone,
} from '../src/browser.js';
import { startSystem, type System } from '../src/system.js';

// Submit a ticket (SPEC P5) in a real browser against the whole system on the demo data: Alice opens
// the support form from the navigation, sends it and lands on her new ticket. Screenshots go to
// SCREENSHOTS_DIR when set (docs/screenshots/ holds the committed ones), else to a temporary folder.

const screenshots = process.env.SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'portal-submit-shots-'));
const TICKET_PAGE = /\/support\/tickets\/[0-9a-f-]{36}\?notice=ticketSubmitted$/;

let system: System;
let browser: Browser;
let portalUrl: string;

beforeAll(async () => {
  system = await startSystem({
    database: 'helpdesk_test_e2e_portal_submit_browser',
    // Other test systems on this machine post from 127.0.0.1 too, into the same per-address window.
    env: { FORMS_SUBMIT_LIMIT_PER_IP: '1000000' },
  });
  portalUrl = `${browserUrl(system)}/support`;
  browser = await launchChromium();
  mkdirSync(screenshots, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await system?.close();
});

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });

const scrollWidth = async (page: Page) => Number(await page.evaluate('document.documentElement.scrollWidth'));

describe('submitting a ticket in Chromium', () => {
  it('opens the form from the navigation, sends it and lands on the new ticket, which the list shows', async () => {
    const { context, page, errors } = await newPage(browser);
    await logIn(page, portalUrl, 'alice@acme.test');
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Submit a ticket' })
      .click();
    await page.waitForURL(`${portalUrl}/submit`);
    await expect(page.getByRole('heading', { name: 'How can we help?', level: 1 }).isVisible()).resolves.toBe(
      true,
    );
    // Who sends it is known: no email or name to type.
    await expect(page.getByRole('textbox', { name: 'Email' }).count()).resolves.toBe(0);
    expect(await page.locator('.submit-requester').innerText()).toContain('Alice Anderson');
    await shot(page, 'portal-submit-desktop');
    expect(await accessibilityProblems(page)).toEqual([]);

    // Sent empty: the summary takes the focus and leads to each field.
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL(`${portalUrl}/submit`);
    const summary = page.getByRole('alert');
    await expect(summary.isVisible()).resolves.toBe(true);
    expect(await page.evaluate('document.activeElement.hasAttribute("data-error-summary")')).toBe(true);
    // The refused post is answered 400, as it should be; Chromium logs that status as an error.
    expect(errors.splice(0)).toEqual([
      'Failed to load resource: the server responded with a status of 400 (Bad Request)',
    ]);
    await shot(page, 'portal-submit-errors-desktop');
    const subject = page.getByRole('textbox', { name: 'Subject' });
    expect(await subject.getAttribute('aria-invalid')).toBe('true');
    await summary.getByRole('link', { name: 'Subject: Fill in this field.' }).click();
    await expect(
      subject.evaluate((element) => element === element.ownerDocument.activeElement),
    ).resolves.toBe(true);
    expect(await accessibilityProblems(page)).toEqual([]);

    await subject.fill('Monitor flickers after the update');
    await page.getByRole('textbox', { name: 'Description' }).fill('Every few seconds.\nSince Monday.');
    await page.getByRole('combobox', { name: 'Priority' }).selectOption({ label: 'High' });
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL(TICKET_PAGE, { timeout: 20_000 });
    await expect(
      page.getByRole('heading', { name: 'Monitor flickers after the update', level: 1 }).isVisible(),
    ).resolves.toBe(true);
    await expect(
      page.getByRole('status').filter({ hasText: 'Your ticket was created.' }).isVisible(),
    ).resolves.toBe(true);
    await expect(page.getByText('Every few seconds.').isVisible()).resolves.toBe(true);

    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Tickets' })
      .click();
    await page.waitForURL(`${portalUrl}/tickets`);
    await expect(
      page.getByRole('link', { name: 'Monitor flickers after the update' }).isVisible(),
    ).resolves.toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('works without script too: the received page reloads itself until the ticket exists', async () => {
    const context = await browser.newContext({ viewport: desktop, javaScriptEnabled: false });
    const page = await context.newPage();
    await logIn(page, portalUrl, 'bob@acme.test');
    await page.goto(`${portalUrl}/submit`);
    await page.getByRole('textbox', { name: 'Subject' }).fill('Sent without script');
    await page.getByRole('textbox', { name: 'Description' }).fill('Plain form post.');
    // With tickets away the submission is stored but has no ticket yet: the received page waits.
    await system.stop('tickets');
    try {
      await page.getByRole('button', { name: 'Submit' }).click();
      await page.waitForURL(/\/support\/submit\/[0-9a-f-]{36}(\?check=\d+)?$/);
      await expect(
        page.getByRole('heading', { name: 'Your request was received', level: 1 }).isVisible(),
      ).resolves.toBe(true);
      await shot(page, 'portal-submit-received-desktop');
      await page.waitForURL(/\?check=2$/); // it did reload itself, twice
    } finally {
      await system.start('tickets');
    }
    await page.waitForURL(TICKET_PAGE, { timeout: 30_000 });
    await expect(
      page.getByRole('heading', { name: 'Sent without script', level: 1 }).isVisible(),
    ).resolves.toBe(true);
    await context.close();
  });

  it('fits a phone screen', async () => {
    const { context, page, errors } = await newPage(browser, phone);
    await logIn(page, portalUrl, 'alice@acme.test');
    await page.goto(`${portalUrl}/submit`);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(phone.width);
    await shot(page, 'portal-submit-phone');
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
