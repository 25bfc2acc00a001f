import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JobQueues } from '@helpdesk/contracts';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { browserUrl, launchChromium, logIn, newPage, type BrowserPage } from '../src/browser.js';
import { ApiSession, startSystem, type System } from '../src/system.js';

// The queue dashboard (bull-board at /admin/queues, issue 8) in a real browser against the whole
// system: an ops admin sees every service's queue and a customer's CSV export among the completed
// jobs, the page breaks no CSP rule, its actions need the session's CSRF token, and nobody else
// gets in. Screenshots go to SCREENSHOTS_DIR when set (docs/screenshots/ holds the committed one),
// else to a temporary folder.

const screenshots = process.env.SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'queues-shots-'));
const queueNames = Object.values(JobQueues);
/** bull-board's "Clean all" leaves jobs that finished less than this long ago. */
const CLEAN_GRACE_MS = 5_000;

let system: System;
let browser: Browser;
let base: string;
/** The CSV export Alice started in the portal: its job's id is the export's. */
let exportId: string;

beforeAll(async () => {
  system = await startSystem({ database: 'helpdesk_test_e2e_queues' });
  base = browserUrl(system);
  browser = await launchChromium();
  mkdirSync(screenshots, { recursive: true });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await system?.close();
});

/**
 * A page logged in as an internal user through the JSON login, in the page's own context so the
 * session cookie is the browser's. Every CSP violation is reported as an error of the page.
 */
async function internalUserPage(email: string): Promise<BrowserPage> {
  const opened = await newPage(browser);
  await opened.page.addInitScript(`document.addEventListener('securitypolicyviolation', (event) =>
    console.error('CSP violation: ' + event.effectiveDirective + ' ' + event.blockedURI))`);
  const login = await opened.context.request.post(`${base}/api/v1/auth/login`, {
    data: { email, password: 'demo-password' },
  });
  expect(login.status()).toBe(200);
  return opened;
}

/** The dashboard's job counts of one queue, as its JSON API reports them to the session. */
async function jobCounts(session: ApiSession, queue: string): Promise<Record<string, number>> {
  const response = await session.request('GET', `/admin/queues/api/queues?activeQueue=${queue}`);
  expect(response.status).toBe(200);
  const { queues } = (await response.json()) as {
    queues: { name: string; counts: Record<string, number> }[];
  };
  return queues.find((listed) => listed.name === queue)!.counts;
}

describe('the queue dashboard', () => {
  it('shows ops every service’s queue and a customer’s finished export, with no script error or CSP violation', async () => {
    const customer = await newPage(browser);
    await logIn(customer.page, `${base}/support`, 'alice@acme.test');
    await customer.page.getByRole('button', { name: 'Export to CSV' }).click();
    await customer.page.waitForURL(/\/support\/exports\/[0-9a-f-]{36}$/);
    exportId = customer.page.url().split('/').pop()!;
    await customer.page.getByRole('link', { name: 'Download CSV' }).waitFor({ timeout: 20_000 });
    await customer.context.close();

    const { context, page, errors } = await internalUserPage('admin@demo.test');
    await page.goto(`${base}/admin/queues`);
    // The sidebar: bull-board's overview lists the same queues again once it has loaded.
    const sidebar = page.locator('#bull-board-sidebar');
    for (const name of queueNames) await sidebar.getByRole('link', { name, exact: true }).waitFor();
    await sidebar.getByRole('link', { name: JobQueues.ticketExports, exact: true }).click();
    await page.getByRole('link', { name: /^COMPLETED/ }).click();
    await page.waitForURL(/\/admin\/queues\/queue\/tickets\.exports\?status=completed$/);
    await page.getByRole('link', { name: exportId }).waitFor();
    await page.screenshot({ path: join(screenshots, 'admin-queues.png') });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('carries out an action that brings the session’s CSRF token, and refuses one without it', async () => {
    const admin = await ApiSession.login(system.url, 'admin@demo.test', 'demo-password');
    const before = await jobCounts(admin, JobQueues.ticketExports);
    expect(before.completed).toBeGreaterThanOrEqual(1);
    const clean = `/admin/queues/api/queues/${JobQueues.ticketExports}/clean/completed`;
    for (const headers of [{}, { 'x-xsrf-token': 'not-the-session-token' }] as Record<string, string>[]) {
      const refused = await admin.request('PUT', clean, undefined, headers);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    }
    expect(await jobCounts(admin, JobQueues.ticketExports)).toEqual(before);

    // The dashboard's own button: its request carries the token from the page's cookie. It cleans
    // only jobs that finished more than bull-board's grace time (5 s) ago.
    const exportJob = await admin.request(
      'GET',
      `/admin/queues/api/queues/${JobQueues.ticketExports}/${exportId}`,
    );
    const { job } = (await exportJob.json()) as { job: { finishedOn: number } };
    await new Promise((resolve) => setTimeout(resolve, job.finishedOn + CLEAN_GRACE_MS - Date.now()));
    const { context, page, errors } = await internalUserPage('admin@demo.test');
    await page.goto(`${base}/admin/queues/queue/${JobQueues.ticketExports}?status=completed`);
    await page.getByRole('link', { name: exportId }).waitFor();
    const cleaned = page.waitForResponse((response) => response.url().endsWith(clean));
    await page.getByRole('button', { name: 'Clean all' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    expect((await cleaned).status()).toBe(200);
    expect((await jobCounts(admin, JobQueues.ticketExports)).completed).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('sends a visitor without a session to the admin login, and refuses agents and customers', async () => {
    const page = await fetch(`${system.url}/admin/queues`, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/admin/login?next=%2Fadmin%2Fqueues');
    const api = await fetch(`${system.url}/admin/queues/api/queues`);
    expect(api.status).toBe(401);

    const agent = await ApiSession.login(system.url, 'agent@demo.test', 'demo-password');
    const refusedApi = await agent.request('GET', '/admin/queues/api/queues');
    expect(refusedApi.status).toBe(403);
    expect(await refusedApi.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    // The page: the admin area's 403 page, saying which permission it needs.
    const refusedPage = await agent.request('GET', '/admin/queues');
    expect(refusedPage.status).toBe(403);
    const html = await refusedPage.text();
    expect(html).toContain('No access');
    expect(html).toMatch(/The queue dashboard needs the (&quot;|&#34;)ops(&quot;|&#34;) permission/);

    const customer = await newPage(browser);
    await logIn(customer.page, `${base}/support`, 'alice@acme.test');
    const refused = await customer.page.goto(`${base}/admin/queues`);
    expect(refused?.status()).toBe(403);
    await expect(customer.page.getByRole('heading', { name: 'No access' }).isVisible()).resolves.toBe(true);
    expect(await customer.page.textContent('body')).not.toContain(JobQueues.ticketExports);
    await customer.context.close();
  });
});
