import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RpcClient } from '@helpdesk/kit';
import { withDatabase } from '@helpdesk/testing';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  accessibilityProblems,
  type BrowserPage,
  browserUrl,
  launchChromium,
  logIn,
  logInAdmin,
  newPage,
  postAnswer,
} from '../src/browser.js';
import { addInternalUser } from '../src/accounts.js';
import { demoAdmin, startSystem, type System } from '../src/system.js';

// The agent inbox in the admin area (issue 8, SPEC S3, S8) in Chromium, against the whole system
// with the demo data: the agent answers Alice's "Printer on fire" and closes it, and Alice's portal
// (another browser context, so another session) shows what a customer may see of it.
// Screenshots go to SCREENSHOTS_DIR when set.

const DATABASE = 'helpdesk_test_e2e_admin_inbox';
const screenshots = process.env.SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'admin-inbox-shots-'));

let system: System;
let browser: Browser;
let rpc: RpcClient;
let base: string;
let accountId: string;
/** The agent's page, logged in once. */
let agent: BrowserPage;
let page: Page;
/** Alice's portal, logged in once. */
let customer: BrowserPage;
/** "Printer on fire": Alice's open demo ticket, and its (only, original) thread. */
let ticketId: string;
let threadId: string;

beforeAll(async () => {
  system = await startSystem({ database: DATABASE });
  base = browserUrl(system);
  rpc = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 10_000 });
  ({ accountId } = await demoAdmin(rpc));
  const inboxes = await rpc.send('inbox.inboxes.list', { accountId });
  const support = inboxes.find((inbox) => inbox.name === 'Support inbox')!;
  const threads = await rpc.send('inbox.threads.list', { accountId, inboxId: support.id, limit: 100 });
  const printer = threads.items.find((thread) => thread.subject === 'Printer on fire')!;
  ({ ticketId, id: threadId } = printer);
  browser = await launchChromium();
  agent = await newPage(browser);
  page = agent.page;
  await logInAdmin(page, base, 'agent@demo.test', '/admin/inbox');
  await page.waitForURL(`${base}/admin/inbox`);
  customer = await newPage(browser);
  await logIn(customer.page, `${base}/support`, 'alice@acme.test');
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await rpc?.close();
  await system?.close();
});

const submit = (button: string) => postAnswer(page, base, button);

/** A page looked at: a screenshot, no serious accessibility problem, no script or CSP error. */
async function checkPage(name: string) {
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  expect(await accessibilityProblems(page)).toEqual([]);
  expect(agent.errors).toEqual([]);
}

const threadRows = () => page.locator('table.thread-table tbody tr');
const messages = () => page.locator('ol.messages > li');
const thread = (id: string) => rpc.send('inbox.threads.get', { accountId, threadId: id });

/** Alice's page of the ticket in the portal, freshly loaded. */
async function portalTicket(): Promise<Page> {
  await customer.page.goto(`${base}/support/tickets/${ticketId}`);
  return customer.page;
}

describe('the inbox list', () => {
  it('lists the inboxes and help desks and the chosen one’s threads with contact, time and status', async () => {
    await page.goto(`${base}/admin/inbox`);
    const inboxLinks = page.getByRole('navigation', { name: 'Inboxes and help desks' }).getByRole('link');
    await expect(inboxLinks.allInnerTexts()).resolves.toEqual([
      expect.stringMatching(/^Support inbox\s+Inbox$/),
      expect.stringMatching(/^Help desk\s+Help desk$/),
    ]);
    await expect(inboxLinks.first().getAttribute('aria-current')).resolves.toBe('page');
    // Demo tickets 0, 1, 3, 4, 6, 7, 9, 10 went to the support inbox.
    await expect(threadRows().count()).resolves.toBe(8);
    const printer = threadRows().filter({ hasText: 'Printer on fire' });
    await expect(printer.locator('td').nth(0).innerText()).resolves.toContain('Alice Anderson');
    await expect(printer.locator('td').nth(1).locator('time').getAttribute('datetime')).resolves.toMatch(
      /^\d{4}-\d\d-\d\dT/,
    );
    await expect(printer.locator('td').nth(2).innerText()).resolves.toBe('Waiting on us');
    const expired = threadRows().filter({ hasText: 'Password reset link expired' });
    await expect(expired.locator('.badge-closed').innerText()).resolves.toBe('Closed');
    await checkPage('inbox-list');

    await inboxLinks.filter({ hasText: 'Help desk' }).click();
    await page.waitForURL(/\/admin\/inbox\?inbox=[0-9a-f-]{36}$/);
    await expect(
      page.getByRole('heading', { level: 2, name: 'Help desk', exact: true }).count(),
    ).resolves.toBe(1);
    const subjects = await threadRows().locator('th').allInnerTexts();
    // Demo tickets 2, 5, 8 and 11 went to the help desk.
    expect(subjects.sort()).toEqual([
      'Dashboard loads slowly in the morning',
      'Invoice 2026-114 shows the wrong VAT',
      'Kirjautuminen ei onnistu mobiilissa',
      'Tulostin ei tulosta',
    ]);
  });

  it('pages through an inbox 25 threads at a time', async () => {
    const helpDesk = (await rpc.send('inbox.inboxes.list', { accountId })).find(
      (i) => i.kind === 'help_desk',
    )!;
    for (let n = 1; n <= 22; n++) {
      const ticket = await rpc.send('tickets.create', { accountId, subject: `Bulk question ${n}` });
      await rpc.send('inbox.threads.open', {
        accountId,
        ticketId: ticket.id,
        inboxId: helpDesk.id,
        requester: { contactId: null, name: 'Bulk Sender', email: 'bulk@example.test' },
        subject: ticket.subject,
        bodyText: `Question number ${n}`,
        idempotencyKey: `admin-inbox-e2e:${n}`,
      });
    }
    await page.goto(`${base}/admin/inbox?inbox=${helpDesk.id}`);
    await expect(threadRows().count()).resolves.toBe(25);
    await expect(threadRows().first().innerText()).resolves.toContain('Bulk question 22');
    await page.getByRole('link', { name: 'Next page ›' }).click();
    await page.waitForURL(/after=/);
    await expect(threadRows().count()).resolves.toBe(1);
    await page.getByRole('link', { name: '‹ First page' }).click();
    await page.waitForURL(`${base}/admin/inbox?inbox=${helpDesk.id}`);
    await expect(threadRows().count()).resolves.toBe(25);
  });

  it('answers 404 for an unknown inbox and 400 for a cursor no page gave', async () => {
    const unknown = await page.goto(`${base}/admin/inbox?inbox=${randomUUID()}`);
    expect(unknown?.status()).toBe(404);
    const badCursor = await page.goto(`${base}/admin/inbox?after=${'x'.repeat(600)}`);
    expect(badCursor?.status()).toBe(400);
    // The browser logs each refused page load; those two were the point here.
    agent.errors.splice(0);
  });
});

describe('a thread', () => {
  it('shows the messages oldest first, customer and agent apart, with the ticket beside them', async () => {
    await page.goto(`${base}/admin/inbox`);
    await page.getByRole('link', { name: 'Printer on fire' }).click();
    await page.waitForURL(`${base}/admin/inbox/threads/${threadId}`);
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Printer on fire');
    await expect(messages().count()).resolves.toBe(2);
    await expect(messages().nth(0).locator('.role-badge').innerText()).resolves.toBe('Customer');
    await expect(messages().nth(0).innerText()).resolves.toContain(
      'Printer on fire. Details from the customer.',
    );
    await expect(messages().nth(1).locator('.role-badge').innerText()).resolves.toBe('Agent');
    await expect(page.getByLabel('Stage').inputValue()).resolves.toBe(
      (await rpc.send('tickets.get', { accountId, id: ticketId })).stageId,
    );
    await expect(page.getByLabel('Priority').inputValue()).resolves.toBe('urgent');
    await expect(page.getByLabel('Owner').locator('option:checked').innerText()).resolves.toBe('Sam Agent');
    // Every internal user of the account can be picked, or nobody.
    await expect(page.getByLabel('Owner').locator('option').allInnerTexts()).resolves.toEqual([
      'Unassigned',
      'Demo Admin',
      'Sam Agent',
    ]);
    await checkPage('inbox-thread');
  });

  it('sends a reply that the customer sees on the ticket in the portal', async () => {
    await page.goto(`${base}/admin/inbox/threads/${threadId}`);
    await page.getByLabel('Reply to Alice Anderson').fill('We replaced the fuser.\n\nIt prints again.');
    const response = await submit('Send reply');
    expect(response.status()).toBe(303);
    await expect(page.getByRole('status').innerText()).resolves.toBe('Reply sent to the customer.');
    await expect(messages().count()).resolves.toBe(3);
    const reply = messages().nth(2);
    await expect(reply.locator('.role-badge').innerText()).resolves.toBe('Agent');
    await expect(reply.locator('.author').innerText()).resolves.toBe('Sam Agent');
    await expect(reply.locator('.message-body p').allInnerTexts()).resolves.toEqual([
      'We replaced the fuser.',
      'It prints again.',
    ]);
    expect(page.url()).toMatch(/#message-[0-9a-f-]{36}$/);

    const portal = await portalTicket();
    await expect(portal.locator('ol.messages > li').last().innerText()).resolves.toContain(
      'We replaced the fuser.',
    );
  });

  it('keeps an empty reply’s form and says why, storing nothing', async () => {
    await page.goto(`${base}/admin/inbox/threads/${threadId}`);
    const before = (await thread(threadId)).messageCount;
    await page.getByLabel('Reply to Alice Anderson').fill('   \n  ');
    const response = await submit('Send reply');
    expect(response.status()).toBe(400);
    agent.errors.splice(0); // the browser logs the refused post's 400, which is the point here
    await expect(page.locator('#reply-error').innerText()).resolves.toBe('The reply is required.');
    await expect(page.getByLabel('Reply to Alice Anderson').getAttribute('aria-invalid')).resolves.toBe(
      'true',
    );
    expect((await thread(threadId)).messageCount).toBe(before);
    await checkPage('inbox-thread-empty-reply');
  });

  it('sends a reply with a file that the customer downloads from the portal', async () => {
    await page.goto(`${base}/admin/inbox/threads/${threadId}`);
    await page.getByLabel('Reply to Alice Anderson').fill('The new driver is attached.');
    await expect(page.locator('#reply-files-hint').innerText()).resolves.toMatch(
      /^Up to \d+ files, at most \d+ MB each: PDF, PNG/,
    );
    await page.getByLabel('Attach files').setInputFiles({
      name: 'driver-notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Install the 2.1 driver, then restart.\n'),
    });
    const response = await submit('Send reply');
    expect(response.status()).toBe(303);
    const reply = messages().last();
    await expect(reply.locator('.message-body').innerText()).resolves.toBe('The new driver is attached.');
    await expect(reply.locator('.attachment-name').innerText()).resolves.toBe('driver-notes.txt');

    const portal = await portalTicket();
    const link = portal
      .locator('ol.messages > li')
      .last()
      .getByRole('link', { name: /driver-notes\.txt/ });
    const download = await portal.request.get(new URL((await link.getAttribute('href'))!, base).href);
    expect(download.status()).toBe(200);
    expect(await download.text()).toBe('Install the 2.1 driver, then restart.\n');
  });

  it('keeps the reply’s text when a file is refused, storing nothing', async () => {
    await page.goto(`${base}/admin/inbox/threads/${threadId}`);
    const before = (await thread(threadId)).messageCount;
    await page.getByLabel('Reply to Alice Anderson').fill('Run this fix.');
    await page.getByLabel('Attach files').setInputFiles({
      name: 'fix.exe',
      mimeType: 'application/octet-stream',
      buffer: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(1_000, 1)]),
    });
    const response = await submit('Send reply');
    expect(response.status()).toBe(400);
    agent.errors.splice(0); // the browser logs the refused post's 400, which is the point here
    await expect(page.locator('#reply-error').innerText()).resolves.toMatch(
      /^The files were not attached: fix\.exe/,
    );
    await expect(page.getByLabel('Reply to Alice Anderson').inputValue()).resolves.toBe('Run this fix.');
    expect((await thread(threadId)).messageCount).toBe(before);
    await checkPage('inbox-thread-refused-file');
  });

  it('adds an internal note that agents see marked as such and the portal never shows', async () => {
    const shownBefore = await (await portalTicket()).locator('ol.messages > li').count();
    await page.goto(`${base}/admin/inbox/threads/${threadId}`);
    await page.getByLabel('Internal note').fill('Customer has a spare printer; no hurry.');
    const response = await submit('Add note');
    expect(response.status()).toBe(303);
    await expect(page.getByRole('status').innerText()).resolves.toBe('Internal note added.');
    const note = messages().last();
    await expect(note.getAttribute('class')).resolves.toContain('message-note');
    await expect(note.locator('.role-badge').innerText()).resolves.toBe('Internal note');
    await expect(note.innerText()).resolves.toContain('Customer has a spare printer');
    // The timeline lists it as internal, newest first.
    const newest = page.locator('ol.timeline > li').first();
    await expect(newest.locator('.timeline-kind').innerText()).resolves.toBe('Internal note');

    const portal = await portalTicket();
    await expect(portal.locator('body').innerText()).resolves.not.toContain('spare printer');
    await expect(portal.locator('ol.messages > li').count()).resolves.toBe(shownBefore);
  });

  it('saves the stage, priority and owner through tickets: a closed stage shows the ticket closed in the portal', async () => {
    await page.goto(`${base}/admin/inbox/threads/${threadId}`);
    await page.getByLabel('Stage').selectOption({ label: 'Closed' });
    await page.getByLabel('Priority').selectOption({ label: 'Low' });
    await page.getByLabel('Owner').selectOption({ label: 'Demo Admin' });
    const response = await submit('Save ticket');
    expect(response.status()).toBe(303);
    await expect(page.getByRole('status').innerText()).resolves.toBe('Ticket saved.');
    await expect(page.locator('.thread-head .badge').innerText()).resolves.toBe('Closed');
    const ticket = await rpc.send('tickets.get', { accountId, id: ticketId });
    const { adminId } = await demoAdmin(rpc);
    expect(ticket).toMatchObject({ closed: true, priority: 'low', ownerId: adminId });
    await expect(page.getByLabel('Owner').locator('option:checked').innerText()).resolves.toBe('Demo Admin');

    const portal = await portalTicket();
    await expect(portal.locator('.ticket-title .badge').innerText()).resolves.toBe('Closed');
  });

  it('refuses a stage of no pipeline at the field, and changes nothing', async () => {
    await page.goto(`${base}/admin/inbox/threads/${threadId}`);
    const before = await rpc.send('tickets.get', { accountId, id: ticketId });
    const response = await page.request.post(`${base}/admin/inbox/threads/${threadId}/ticket`, {
      form: {
        _csrf: await page.locator('#ticket-properties input[name=_csrf]').inputValue(),
        stageId: randomUUID(),
        priority: 'high',
      },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(400);
    expect(await response.text()).toContain('is not a stage of the pipeline');
    const wrongPriority = await page.request.post(`${base}/admin/inbox/threads/${threadId}/ticket`, {
      form: {
        _csrf: await page.locator('#ticket-properties input[name=_csrf]').inputValue(),
        stageId: before.stageId,
        priority: 'whenever',
      },
      maxRedirects: 0,
    });
    expect(wrongPriority.status()).toBe(400);
    expect(await rpc.send('tickets.get', { accountId, id: ticketId })).toMatchObject({
      stageId: before.stageId,
      priority: before.priority,
    });
  });

  it('marks the original thread as the one the customer sees, also from a later thread', async () => {
    // Identity and inbox offer no subject that starts a second thread on a ticket (a later email
    // does): add one in this run's own database, newer than the original.
    const laterId = randomUUID();
    await withDatabase(system.databaseUrl, (db) =>
      db.query(
        `insert into inbox.thread (id, account_id, inbox_id, ticket_id, subject, requester_contact_id,
           requester_name, requester_email, created_at, last_message_at, message_count)
         select $1, account_id, inbox_id, ticket_id, 'Fwd: Printer on fire', requester_contact_id,
           requester_name, requester_email, now(), now(), 0
           from inbox.thread where id = $2`,
        [laterId, threadId],
      ),
    );
    await page.goto(`${base}/admin/inbox/threads/${laterId}`);
    const card = page.getByRole('region', { name: 'Conversations' });
    const items = card.locator('li');
    await expect(items.count()).resolves.toBe(2);
    await expect(items.nth(0).innerText()).resolves.toContain('Printer on fire');
    await expect(items.nth(0).innerText()).resolves.toContain('Visible in the customer portal');
    await expect(items.nth(1).innerText()).resolves.not.toContain('Visible in the customer portal');
    await expect(items.nth(1).getByRole('link').getAttribute('aria-current')).resolves.toBe('page');

    // A reply on the later thread is the agent's, but not the portal's (S8: the original only).
    await page.getByLabel('Reply to Alice Anderson').fill('Answered on the forwarded thread.');
    expect((await submit('Send reply')).status()).toBe(303);
    const portal = await portalTicket();
    await expect(portal.locator('body').innerText()).resolves.not.toContain('forwarded thread');
    await checkPage('inbox-thread-later');
  });
});

describe('access', () => {
  it('sends an anonymous visitor to the login', async () => {
    const anonymous = await newPage(browser);
    await anonymous.page.goto(`${base}/admin/inbox/threads/${threadId}`);
    expect(anonymous.page.url()).toBe(
      `${base}/admin/login?next=${encodeURIComponent(`/admin/inbox/threads/${threadId}`)}`,
    );
    await anonymous.context.close();
  });

  it('answers 403 on every inbox page and post to a user without the inbox permission', async () => {
    // Both demo users hold `inbox`: the agent's copy, with the tickets permission only.
    await addInternalUser(system.databaseUrl, {
      like: 'agent@demo.test',
      email: 'no-inbox@demo.test',
      name: 'No Inbox',
      permissions: ['tickets'],
    });
    const outsider = await newPage(browser);
    await logInAdmin(outsider.page, base, 'no-inbox@demo.test', '/admin/inbox');
    await outsider.page.waitForLoadState();
    await expect(outsider.page.getByRole('heading', { name: 'No access' }).isVisible()).resolves.toBe(true);
    for (const path of ['/admin/inbox', `/admin/inbox/threads/${threadId}`]) {
      const response = await outsider.page.goto(`${base}${path}`);
      expect([path, response?.status()]).toEqual([path, 403]);
    }
    const before = (await thread(threadId)).messageCount;
    for (const action of ['reply', 'note', 'ticket']) {
      const response = await outsider.page.request.post(`${base}/admin/inbox/threads/${threadId}/${action}`, {
        form: { body: 'sneaky', stageId: randomUUID(), priority: 'high' },
        maxRedirects: 0,
      });
      expect([action, response.status()]).toEqual([action, 403]);
    }
    expect((await thread(threadId)).messageCount).toBe(before);
    await outsider.context.close();
  });
});
