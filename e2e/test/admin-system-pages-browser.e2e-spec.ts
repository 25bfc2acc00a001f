import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PortalView } from '@helpdesk/contracts';
import { RpcClient } from '@helpdesk/kit';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import {
  accessibilityProblems,
  type BrowserPage,
  browserUrl,
  launchChromium,
  logInAdmin,
  newPage,
} from '../src/browser.js';
import { ApiSession, startSystem, type System } from '../src/system.js';

// The admin area's audit log of the customer portal's settings and its system page editor (issue 8,
// SPEC S12, "every save is audited") in Chromium, against the whole system with the demo data; the
// demo portal is `support` on localhost. Screenshots go to SCREENSHOTS_DIR when set.

const screenshots = process.env.SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'admin-system-pages-shots-'));

let system: System;
let browser: Browser;
let rpc: RpcClient;
let api: ApiSession;
let base: string;
let accountId: string;
let adminName: string;
/** The admin's page, logged in once. */
let admin: BrowserPage;

beforeAll(async () => {
  system = await startSystem({ database: 'helpdesk_test_e2e_admin_system_pages' });
  base = browserUrl(system);
  rpc = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 10_000 });
  const user = await rpc.send('identity.users.authenticate', {
    email: 'admin@demo.test',
    password: 'demo-password',
  });
  ({ accountId, name: adminName } = user);
  api = await ApiSession.login(system.url, 'admin@demo.test', 'demo-password');
  browser = await launchChromium();
  admin = await newPage(browser);
  await logInAdmin(admin.page, base, 'admin@demo.test', '/admin/portal/audit');
  await admin.page.waitForURL(`${base}/admin/portal/audit`);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await rpc?.close();
  await system?.close();
});

const portal = (): Promise<PortalView> => rpc.send('identity.portal.get', { accountId });

async function saveLabelThroughApi(label: string) {
  const { ticketDisplay } = await portal();
  const response = await api.request('PUT', '/api/v1/portal/sections/ticketDisplay', {
    ...ticketDisplay,
    label,
  });
  expect(response.status).toBe(200);
}

const auditRows = () => admin.page.locator('table.audit-table tbody tr');

/** A page looked at: a screenshot, no serious accessibility problem, no script or CSP error. */
async function checkPage(name: string) {
  await admin.page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  expect(await accessibilityProblems(admin.page)).toEqual([]);
  expect(admin.errors).toEqual([]);
}

/** The demo portal's login page as a customer (a browser context of its own) sees it now. */
async function customerLoginText(): Promise<string> {
  const { context, page } = await newPage(browser);
  await page.goto(`${base}/support/login`);
  const text = await page.locator('main').innerText();
  await context.close();
  return text;
}

const badRequestLogged = 'Failed to load resource: the server responded with a status of 400 (Bad Request)';

const editor = () => admin.page.getByLabel('Template source (Liquid)');

describe('the audit log', () => {
  it('lists a change made through the JSON API: when, who, which section and the changed key', async () => {
    await saveLabelThroughApi('Requests');
    await admin.page.goto(`${base}/admin/portal/audit`);
    const newest = auditRows().first();
    const cells = (await newest.locator('td').allInnerTexts()).map((text) => text.trim());
    expect(cells[0]).toMatch(/^\d{1,2} \w{3} \d{4}, \d{2}:\d{2}:\d{2} UTC$/);
    expect(cells[1]).toContain(adminName);
    expect(cells[1]).toContain('admin@demo.test');
    expect(cells[2]).toBe('Ticket display');
    expect(cells[3]).toBe('label: "Tickets" → "Requests"');
    await checkPage('admin-audit-log');
  });

  it('pages through older and newer entries', async () => {
    for (let index = 0; index < 25; index++) await saveLabelThroughApi(`Requests ${index}`);
    await admin.page.goto(`${base}/admin/portal/audit`);
    expect(await auditRows().count()).toBe(25);
    expect(await auditRows().first().innerText()).toContain('"Requests 23" → "Requests 24"');
    expect(await admin.page.getByRole('link', { name: /Newer/ }).count()).toBe(0);
    await admin.page.getByRole('link', { name: /Older/ }).click();
    await admin.page.waitForURL(/trail=/);
    // 26 saves by this test file and the one before: the oldest, "Tickets" → "Requests", is alone here.
    expect(await auditRows().count()).toBe(1);
    expect(await auditRows().first().innerText()).toContain('"Tickets" → "Requests"');
    expect(await admin.page.getByRole('link', { name: /Older/ }).count()).toBe(0);
    await admin.page.getByRole('link', { name: /Newer/ }).click();
    await admin.page.waitForURL(`${base}/admin/portal/audit`);
    expect(await auditRows().first().innerText()).toContain('"Requests 23" → "Requests 24"');
  });

  it('answers a page address it did not give out with 400, not an error', async () => {
    const response = await admin.page.goto(`${base}/admin/portal/audit?trail=not-a-cursor`);
    expect(response?.status()).toBe(400);
    await admin.page.goto(`${base}/admin/portal/audit?trail=${'x.'.repeat(100)}x`);
    await expect(admin.page.getByRole('heading', { name: 'Not accepted' }).isVisible()).resolves.toBe(true);
    // The browser logs each 400 response as a console error, and nothing else went wrong.
    expect(admin.errors.splice(0)).toEqual([badRequestLogged, badRequestLogged]);
  });
});

describe('the system pages', () => {
  const marker = 'Welcome to the Acme support desk';

  it('lists the six pages, each with its template', async () => {
    await admin.page.goto(`${base}/admin/portal/system-pages`);
    const rows = admin.page.locator('table tbody tr');
    const cells = (await rows.allInnerTexts()).map((row) =>
      row
        .split('\t')
        .slice(0, 3)
        .map((cell) => cell.trim()),
    );
    expect(cells).toEqual([
      ['Login', '/support/login', 'Default template'],
      ['Registration', '/support/register', 'Default template'],
      ['Logout', '/support/logout', 'Default template'],
      ['Access denied', '/support/access-denied', 'Default template'],
      ['Password reset request', '/support/forgot-password', 'Default template'],
      ['Password reset', '/support/reset-password', 'Default template'],
    ]);
    await expect(
      admin.page.getByRole('link', { name: 'Edit the Password reset request page' }).getAttribute('href'),
    ).resolves.toBe('/admin/portal/system-pages/password_reset_request');
    await checkPage('admin-system-pages');
  });

  it('previews an edited login template, then saves it live on the portal', async () => {
    await admin.page.getByRole('link', { name: 'Edit the Login page' }).click();
    await admin.page.waitForURL(`${base}/admin/portal/system-pages/login`);
    const shipped = await editor().inputValue();
    expect(shipped).toContain('{{ m.loginTitle }}');
    await checkPage('admin-system-page-editor');
    await editor().fill(shipped.replace('</h1>', `</h1>\n<p class="lead">${marker}</p>`));
    await admin.page.getByLabel(/A custom template/).check();
    const [preview] = await Promise.all([
      admin.context.waitForEvent('page'),
      admin.page.getByRole('button', { name: /^Preview/ }).click(),
    ]);
    await preview.waitForLoadState();
    await expect(preview.getByText(marker).isVisible()).resolves.toBe(true);
    await expect(preview.getByRole('heading', { name: 'Log in' }).isVisible()).resolves.toBe(true);
    await preview.screenshot({ path: join(screenshots, 'admin-system-page-preview.png'), fullPage: true });
    await preview.close();
    // Previewing saves nothing.
    expect((await portal()).systemPages.pages.login).toEqual({ template: 'default', source: null });
    expect(await customerLoginText()).not.toContain(marker);

    await admin.page.getByRole('button', { name: 'Save' }).click();
    await admin.page.getByRole('status').filter({ hasText: 'Login page saved.' }).waitFor();
    const login = admin.page.locator('table tbody tr').filter({ hasText: 'Login' }).first();
    await expect(login.innerText()).resolves.toContain('Custom template');
    expect((await portal()).systemPages.pages.login?.template).toBe('custom');
    expect(await customerLoginText()).toContain(marker);
    expect(admin.errors).toEqual([]);
  });

  it('refuses a template that does not parse with its message at the editor, and changes nothing', async () => {
    const before = await portal();
    await admin.page.goto(`${base}/admin/portal/system-pages/login`);
    const broken = `<h1>{{ m.loginTitle }}</h1>\n<p>{{ portal.name | shout }}</p>`;
    await editor().fill(broken);
    await admin.page.getByRole('button', { name: 'Save' }).click();
    await admin.page.getByRole('alert').filter({ hasText: 'does not parse' }).waitFor();
    const error = await admin.page.locator('#template-source-error').innerText();
    expect(error).toMatch(/^Line 2, column \d+: .*shout/);
    await expect(editor().inputValue()).resolves.toBe(broken);
    await expect(editor().getAttribute('aria-invalid')).resolves.toBe('true');
    expect(await portal()).toEqual(before);
    expect(await customerLoginText()).toContain(marker);
    expect(admin.errors.splice(0)).toEqual([badRequestLogged]);
    await checkPage('admin-system-page-refused');
  });

  it('says why a template that parses but fails while rendering cannot be previewed, and changes nothing', async () => {
    const before = await portal();
    await admin.page.goto(`${base}/admin/portal/system-pages/login`);
    const heavy = '<h1>{{ m.loginTitle }}</h1>\n{% for i in (1..5000000) %}{{ i }}{% endfor %}';
    await editor().fill(heavy);
    await admin.page.getByLabel(/A custom template/).check();
    const [preview] = await Promise.all([
      admin.context.waitForEvent('page'),
      admin.page.getByRole('button', { name: /^Preview/ }).click(),
    ]);
    await preview.waitForLoadState();
    await expect(preview.locator('#template-source-error').innerText()).resolves.toContain(
      'The template failed while rendering: memory alloc limit exceeded',
    );
    await preview.close();
    expect(await portal()).toEqual(before);
  });

  it('resets a page to the default template', async () => {
    await admin.page.goto(`${base}/admin/portal/system-pages/login`);
    await admin.page.getByRole('button', { name: 'Reset to default' }).click();
    await admin.page
      .getByRole('status')
      .filter({ hasText: 'Login page reset to the default template.' })
      .waitFor();
    expect((await portal()).systemPages.pages.login).toEqual({ template: 'default', source: null });
    expect(await customerLoginText()).not.toContain(marker);
    await admin.page.goto(`${base}/admin/portal/system-pages/login`);
    await expect(editor().inputValue()).resolves.not.toContain(marker);
  });

  it('audits the saves of the system pages', async () => {
    await admin.page.goto(`${base}/admin/portal/audit`);
    const [reset, saved] = await auditRows().all();
    await expect(reset.innerText()).resolves.toContain('System pages');
    await expect(reset.innerText()).resolves.toContain('pages.login.template: "custom" → "default"');
    await expect(saved.innerText()).resolves.toContain('pages.login.template: "default" → "custom"');
  });
});

describe('permissions', () => {
  it('gives an agent without portal.settings 403 on every page and action', async () => {
    const agent = await newPage(browser);
    await logInAdmin(agent.page, base, 'agent@demo.test', '/admin/portal/audit');
    await agent.page.waitForLoadState();
    await expect(agent.page.getByRole('heading', { name: 'No access' }).isVisible()).resolves.toBe(true);
    for (const path of [
      '/admin/portal/audit',
      '/admin/portal/system-pages',
      '/admin/portal/system-pages/login',
    ])
      expect((await agent.page.goto(`${base}${path}`))?.status()).toBe(403);
    const before = await portal();
    for (const path of ['', '/preview', '/reset']) {
      const response = await agent.page.request.post(`${base}/admin/portal/system-pages/login${path}`, {
        form: { template: 'custom', source: 'Hijacked' },
      });
      expect(response.status()).toBe(403);
    }
    expect(await portal()).toEqual(before);
    await agent.context.close();
  });

  it('refuses a save without the session’s CSRF token', async () => {
    const response = await admin.page.request.post(`${base}/admin/portal/system-pages/login`, {
      form: { template: 'custom', source: 'Forged' },
    });
    expect(response.status()).toBe(403);
    expect((await portal()).systemPages.pages.login?.source).toBeNull();
  });

  it('answers an unknown page type with 404', async () => {
    expect((await admin.page.goto(`${base}/admin/portal/system-pages/nope`))?.status()).toBe(404);
  });
});
