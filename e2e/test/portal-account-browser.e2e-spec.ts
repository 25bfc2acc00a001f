import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RpcClient } from '@helpdesk/kit';
import { startTestSmtp, type TestSmtp } from '@helpdesk/testing';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { accessibilityProblems, browserUrl, launchChromium, newPage, submitLogin } from '../src/browser.js';
import { startSystem, type System } from '../src/system.js';

// The portal's account pages in Chromium (SPEC S10, S11): a newcomer registers with the domain's
// consent notice, confirms the address from the mail a real SMTP server received and logs in; a
// customer resets a forgotten password by the emailed link. axe-core checks every page on the way.
// The registration page's screenshot goes to SCREENSHOTS_DIR when set, else to a temporary folder.

const screenshots = process.env.SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'portal-shots-'));

let system: System;
let smtp: TestSmtp;
let browser: Browser;
let rpc: RpcClient;
let portal: string;

beforeAll(async () => {
  smtp = await startTestSmtp();
  system = await startSystem({
    database: 'helpdesk_test_e2e_portal_account_browser',
    env: { SMTP_URL: smtp.url },
  });
  portal = `${browserUrl(system)}/support`;
  rpc = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 5_000 });
  const admin = await rpc.send('identity.users.authenticate', {
    email: 'admin@demo.test',
    password: 'demo-password',
  });
  const current = await rpc.send('identity.portal.get', { accountId: admin.accountId });
  const localhost = current.domains.find((domain) => domain.hostname === 'localhost')!;
  const update = (section: 'access' | 'consent', settings: unknown) =>
    rpc.send('identity.portal.update', {
      accountId: admin.accountId,
      actorUserId: admin.id,
      section,
      settings,
    });
  await update('consent', {
    notices: [
      {
        domainId: localhost.id,
        text: 'Demo Support processes your name and email address to answer your support requests. Read more in our [privacy policy](https://demo.test/privacy).',
        checkboxText: 'I agree that my data is processed as described.',
      },
    ],
  });
  await update('access', { ...current.access, mode: 'self_registration' });
  browser = await launchChromium();
  mkdirSync(screenshots, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await rpc?.close();
  await system?.close();
  await smtp?.stop();
});

/** Opens the link of the next mail to `to` that leads to `page`: the demo portal's domain on this test's gateway. */
async function openMailedLink(page: Page, to: string, target: string) {
  const mail = await smtp.waitFor(to, (m) =>
    smtp.links(m).some((link) => link.includes(`/support/${target}?`)),
  );
  const link = smtp.links(mail).find((l) => l.includes(`/support/${target}?`))!;
  expect(link.startsWith(`${portal}/${target}?`)).toBe(true);
  await page.goto(link);
}

/**
 * Script and CSP errors. Chromium also logs every page answered 400 (a refused form, a dead link):
 * those are what these pages are for.
 */
const unexpected = (errors: string[]) =>
  errors.filter((error) => !error.includes('the server responded with a status of 400 (Bad Request)'));

async function expectAccessible(page: Page) {
  expect([page.url(), await accessibilityProblems(page)]).toEqual([page.url(), []]);
}

describe('the portal’s account pages in Chromium', () => {
  it('registers a newcomer with consent, confirms the address from the mail and logs in', async () => {
    const { context, page, errors } = await newPage(browser);
    // The gateway drops its cached portal on portal.updated: reload until the page exists.
    for (let i = 0; i < 50; i++) {
      const answer = await page.goto(`${portal}/register`);
      if (answer?.status() === 200) break;
      await page.waitForTimeout(100);
    }
    await expect(page.getByRole('heading', { name: 'Create your account' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('link', { name: /privacy policy/ }).getAttribute('href')).resolves.toBe(
      'https://demo.test/privacy',
    );
    await expectAccessible(page);
    await page.screenshot({ path: join(screenshots, 'portal-register-desktop.png'), fullPage: true });

    await page.getByLabel('First name').fill('Nina');
    await page.getByLabel('Last name').fill('Berg');
    await page.getByLabel('Email').fill('nina@newco.test');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByLabel('Show password').check();
    await expect(page.getByLabel('Password', { exact: true }).getAttribute('type')).resolves.toBe('text');
    await page.getByRole('checkbox', { name: 'I agree that my data is processed as described.' }).check();
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('alert').waitFor();
    // Refused on the server: the form comes back as typed, with the problem beside the field.
    await expect(page.getByRole('alert').innerText()).resolves.toContain(
      'A password needs at least 8 characters.',
    );
    await expect(page.getByLabel('First name').inputValue()).resolves.toBe('Nina');
    await expectAccessible(page);

    await page.getByLabel('Password', { exact: true }).fill('ninas long password');
    await page.getByRole('checkbox', { name: 'I agree that my data is processed as described.' }).check();
    await page.getByRole('button', { name: 'Register' }).click();
    await page.waitForURL(`${portal}/register/check-email`);
    await expect(page.getByRole('heading', { name: 'Check your email' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);

    await openMailedLink(page, 'nina@newco.test', 'verify-email');
    await expect(
      page.getByRole('heading', { name: 'Your email address is confirmed' }).isVisible(),
    ).resolves.toBe(true);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Log in' }).click();
    await page.waitForURL(`${portal}/login`);
    await submitLogin(page, portal, 'nina@newco.test', 'ninas long password');
    await page.waitForURL(`${portal}/tickets`);
    await expect(page.getByRole('heading', { name: 'Tickets', level: 1 }).isVisible()).resolves.toBe(true);
    expect(unexpected(errors)).toEqual([]);
    await context.close();
  });

  it('resets a forgotten password by the emailed link, then logs in with the new one', async () => {
    const { context, page, errors } = await newPage(browser);
    await page.goto(`${portal}/forgot-password`);
    await expect(page.getByRole('heading', { name: 'Reset your password' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await page.getByLabel('Email').fill('carol@globex.test');
    await page.getByRole('button', { name: 'Send link' }).click();
    await page.waitForURL(`${portal}/forgot-password/check-email`);
    await expect(page.getByText('If an account exists for that address').isVisible()).resolves.toBe(true);

    await openMailedLink(page, 'carol@globex.test', 'reset-password');
    await expect(page.getByRole('heading', { name: 'Choose a new password' }).isVisible()).resolves.toBe(
      true,
    );
    await expectAccessible(page);
    await page.getByLabel('New password', { exact: true }).fill('carols new password');
    await page.getByLabel('New password again').fill('carols new pasword');
    await page.getByRole('button', { name: 'Save password' }).click();
    await page.getByRole('alert').waitFor();
    await expect(page.getByRole('alert').innerText()).resolves.toContain('The passwords do not match.');
    await expectAccessible(page);

    await page.getByLabel('New password', { exact: true }).fill('carols new password');
    await page.getByLabel('New password again').fill('carols new password');
    await page.getByRole('button', { name: 'Save password' }).click();
    await expect(page.getByRole('heading', { name: 'Your password is changed' }).isVisible()).resolves.toBe(
      true,
    );
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Log in' }).click();
    await page.waitForURL(`${portal}/login`);
    await submitLogin(page, portal, 'carol@globex.test', 'carols new password');
    await page.waitForURL(`${portal}/tickets`);
    await expect(page.getByRole('link', { name: 'Tulostin ei tulosta' }).isVisible()).resolves.toBe(true);
    expect(unexpected(errors)).toEqual([]);
    await context.close();
  });

  it('explains a link that does not work', async () => {
    const { context, page, errors } = await newPage(browser);
    await page.goto(`${portal}/verify-email?token=${'a'.repeat(43)}`);
    await expect(page.getByRole('heading', { name: 'This link does not work' }).isVisible()).resolves.toBe(
      true,
    );
    await expectAccessible(page);
    await page.goto(`${portal}/reset-password?token=nonsense`);
    await expect(page.getByRole('link', { name: 'Ask for a new link' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    expect(unexpected(errors)).toEqual([]);
    await context.close();
  });
});
