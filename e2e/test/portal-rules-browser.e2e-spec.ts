import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PortalView } from '@helpdesk/contracts';
import { RpcClient } from '@helpdesk/kit';
import { Redis } from 'ioredis';
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Cookie, Page } from 'playwright-core';
import {
  accessibilityProblems,
  browserUrl,
  launchChromium,
  logIn,
  newPage,
  submitLogin,
} from '../src/browser.js';
import { demoAdmin, startSystem, type System } from '../src/system.js';

// The portal's rules in a real browser against the whole system on the demo data (SPEC S9, S10, S14
// and the tenancy of S4): idle and absolute session limits, the access groups, replies to closed
// tickets, and that one company's customer never reaches another company's tickets. The sessions are
// aged in the gateway's real session store (Redis) instead of waiting.

/** Set for this system, so the test knows the absolute lifetime it checks (the default is 12). */
const ABSOLUTE_HOURS = 2;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

let system: System;
let browser: Browser;
let rpc: RpcClient;
let redis: Redis;
let portal: string;
let accountId: string;
let adminId: string;

beforeAll(async () => {
  system = await startSystem({
    database: 'helpdesk_test_e2e_portal_rules_browser',
    env: { SESSION_ABSOLUTE_HOURS: String(ABSOLUTE_HOURS) },
  });
  portal = `${browserUrl(system)}/support`;
  rpc = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 5_000 });
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  ({ accountId, adminId } = await demoAdmin(rpc));
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  redis?.disconnect();
  await rpc?.close();
  await system?.close();
});

/** Runs `run` with some of a portal settings section changed, and puts the section back afterwards. */
async function withPortalSettings<S extends 'access' | 'ticketActions'>(
  section: S,
  change: Partial<PortalView[S]>,
  run: () => Promise<void>,
) {
  const before = (await rpc.send('identity.portal.get', { accountId }))[section];
  const save = (settings: PortalView[S]) =>
    rpc.send('identity.portal.update', { accountId, actorUserId: adminId, section, settings });
  await save({ ...before, ...change });
  try {
    await run();
  } finally {
    await save(before);
  }
}

/** The gateway drops its cached portal on `portal.updated`: reloads until the page shows the new settings. */
async function reloadUntil(page: Page, ready: () => Promise<boolean>) {
  const deadline = Date.now() + 5_000;
  while (!(await ready()) && Date.now() < deadline) {
    await page.waitForTimeout(100);
    await page.reload();
  }
}

interface StoredSession {
  startedAt: number;
  lastSeenAt: number;
  idleMs: number;
  passport?: { user?: unknown };
}

async function sessionCookieOf(context: BrowserContext): Promise<Cookie> {
  const cookie = (await context.cookies()).find((c) => c.name === 'hd.sid');
  if (!cookie) throw new Error('no session cookie');
  return cookie;
}

/** The session's key in the gateway's Redis store. */
const sessionKeyOf = (cookie: Cookie) => system.sessionKey(cookie.value);

async function storedSession(key: string): Promise<StoredSession | null> {
  const text = await redis.get(key);
  return text === null ? null : (JSON.parse(text) as StoredSession);
}

/** Rewrites the session's clock in the store, as if that much time had passed. */
async function ageSession(key: string, clock: Partial<StoredSession>) {
  const session = await storedSession(key);
  if (!session) throw new Error(`no session ${key}`);
  await redis.set(key, JSON.stringify({ ...session, ...clock }), 'KEEPTTL');
}

/** Asserts the page is the login page telling the visitor their session has ended. */
async function expectExpiredLogin(page: Page) {
  await page.waitForURL((url) => url.pathname === '/support/login');
  expect(new URL(page.url()).searchParams.get('expired')).toBe('1');
  await expect(page.getByRole('heading', { name: 'Log in', level: 1 }).isVisible()).resolves.toBe(true);
  expect(await page.getByRole('status').innerText()).toBe(
    'Your session has ended. Log in again to continue.',
  );
}

/** Every ticket the list at `url` shows, following Next to the last page, and each page's text. */
async function everyListed(page: Page, url: string) {
  const tickets: { id: string; subject: string }[] = [];
  const texts: string[] = [];
  let next: string | null = url;
  for (let pages = 0; next && pages < 20; pages++) {
    await page.goto(next);
    texts.push(await page.locator('main').innerText());
    for (const link of await page.locator('a.ticket-link').all())
      tickets.push({
        id: (await link.getAttribute('href'))!.split('/').pop()!,
        subject: (await link.innerText()).trim(),
      });
    const nextLink = page.locator('a[rel="next"]');
    next = (await nextLink.count()) ? new URL((await nextLink.getAttribute('href'))!, page.url()).href : null;
  }
  return { tickets, texts };
}

/** What a page answered and shows, to tell two answers apart (or not). */
async function answerOf(page: Page, url: string) {
  const response = await page.goto(url);
  return {
    status: response?.status(),
    title: await page.title(),
    text: await page.locator('main').innerText(),
  };
}

/** Every message stored on the ticket, notes included: what inbox holds, not what the portal shows. */
async function storedMessages(ticketId: string) {
  const threads = await rpc.send('inbox.threads.ofTicket', { accountId, ticketId });
  const details = await Promise.all(
    threads.map((thread) => rpc.send('inbox.threads.get', { accountId, threadId: thread.id })),
  );
  return details.flatMap((thread) => thread.messages);
}

describe("the customer portal's rules in Chromium", () => {
  it('logs a customer out after the idle timeout configured for the portal, and forgets that session', async () => {
    await withPortalSettings('access', { sessionIdleMinutes: 5 }, async () => {
      const { context, page, errors } = await newPage(browser);
      await logIn(page, portal, 'alice@acme.test');
      await reloadUntil(page, () =>
        page.getByText('Your session ends after 5 minutes without activity.').isVisible(),
      );
      // This session began before the gateway knew the new timeout: a login from now on gets it.
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.waitForURL(`${portal}/logout`);
      await logIn(page, portal, 'alice@acme.test');
      const cookie = await sessionCookieOf(context);
      const key = sessionKeyOf(cookie);
      expect((await storedSession(key))?.idleMs).toBe(5 * MINUTE);

      await ageSession(key, { lastSeenAt: Date.now() - 4 * MINUTE });
      await page.goto(`${portal}/tickets`);
      expect(page.url()).toBe(`${portal}/tickets`); // within the limit, and the visit counts as activity
      expect((await storedSession(key))!.lastSeenAt).toBeGreaterThan(Date.now() - MINUTE);

      await ageSession(key, { lastSeenAt: Date.now() - 6 * MINUTE });
      await page.goto(`${portal}/tickets?status=closed`);
      await expectExpiredLogin(page);
      expect(await storedSession(key)).toBeNull();
      expect(await accessibilityProblems(page)).toEqual([]);

      const stale = await newPage(browser);
      await stale.context.addCookies([cookie]);
      await stale.page.goto(`${portal}/tickets`);
      await stale.page.waitForURL((url) => url.pathname === '/support/login');
      await stale.context.close();

      // Logging in again leads back to where the customer was going.
      await page.getByLabel('Email').fill('alice@acme.test');
      await page.getByLabel('Password').fill('demo-password');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL(`${portal}/tickets?status=closed`);
      expect(errors).toEqual([]);
      await context.close();
    });
  });

  it('ends a session at its absolute lifetime however active it is', async () => {
    const { context, page, errors } = await newPage(browser);
    await logIn(page, portal, 'alice@acme.test');
    const key = sessionKeyOf(await sessionCookieOf(context));

    await ageSession(key, { startedAt: Date.now() - ABSOLUTE_HOURS * HOUR + MINUTE, lastSeenAt: Date.now() });
    await page.goto(`${portal}/tickets`);
    expect(page.url()).toBe(`${portal}/tickets`);

    await ageSession(key, { startedAt: Date.now() - ABSOLUTE_HOURS * HOUR - MINUTE, lastSeenAt: Date.now() });
    await page.goto(`${portal}/tickets`);
    await expectExpiredLogin(page);
    expect(await storedSession(key)).toBeNull();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows a contact outside the access groups the access denied page, and no further', async () => {
    const [bob] = (await rpc.send('identity.contacts.list', { accountId, search: 'bob@acme.test' })).items;
    const { access } = await rpc.send('identity.portal.get', { accountId });
    expect(access.mode).toBe('access_groups');
    const groups = (await rpc.send('identity.accessGroups.list', { accountId })).filter((group) =>
      access.accessGroupIds.includes(group.id),
    );
    expect(groups.map((group) => group.name)).toEqual(['Customers']);
    const change = { accountId, groupId: groups[0].id, contactIds: [bob.id] };
    await rpc.send('identity.accessGroups.removeMembers', change);
    try {
      const { context, page } = await newPage(browser);
      await submitLogin(page, portal, 'bob@acme.test');
      await page.waitForURL(`${portal}/access-denied`);
      await expect(page.getByRole('heading', { name: 'Access denied', level: 1 }).isVisible()).resolves.toBe(
        true,
      );
      expect(await page.locator('main').innerText()).toContain(
        'Your account has not been given access to this portal.',
      );
      expect((await page.reload())?.status()).toBe(403);
      await expect(page.getByRole('link', { name: 'Back to login' }).isVisible()).resolves.toBe(true);
      expect(await accessibilityProblems(page)).toEqual([]);

      // The session the login form started holds nobody: the tickets ask for a login.
      const session = await storedSession(sessionKeyOf(await sessionCookieOf(context)));
      expect(session).not.toBeNull();
      expect(session?.passport).toBeUndefined();
      await page.goto(`${portal}/tickets`);
      await page.waitForURL((url) => url.pathname === '/support/login');
      await expect(page.getByRole('heading', { name: 'Log in', level: 1 }).isVisible()).resolves.toBe(true);
      await context.close();
    } finally {
      await rpc.send('identity.accessGroups.addMembers', change);
    }
  });

  it('refuses replies to a closed ticket while the portal says so, and reopens it with a reply when allowed', async () => {
    const { context, page, errors } = await newPage(browser);
    await logIn(page, portal, 'alice@acme.test');
    await page.goto(`${portal}/tickets?status=closed`);
    const closed = page.locator('a.ticket-link').first();
    const subject = (await closed.innerText()).trim();
    const ticketUrl = new URL((await closed.getAttribute('href'))!, page.url()).href;
    const ticketId = ticketUrl.split('/').pop()!;
    const replyBox = page.getByRole('textbox', { name: 'Your reply' });
    const stored = await storedMessages(ticketId);

    await withPortalSettings('ticketActions', { replyToClosed: false }, async () => {
      await page.goto(ticketUrl);
      await reloadUntil(page, async () => (await replyBox.count()) === 0);
      await expect(page.getByRole('heading', { name: subject, level: 1 }).isVisible()).resolves.toBe(true);
      expect(await replyBox.count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Reply' }).count()).toBe(0);
      const note = page.locator('main .alert', { hasText: 'This ticket was closed on' });
      expect(await note.innerText()).toContain(
        'Replies to closed tickets are not accepted. If you still need help, submit a new ticket.',
      );
      expect(await note.getByRole('link', { name: 'Submit a ticket' }).getAttribute('href')).toBe(
        '/support/submit',
      );
      expect(await accessibilityProblems(page)).toEqual([]);

      // A reply forged with the page's own token and session, past the form the page does not offer.
      const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
      const forged = await context.request.post(`${ticketUrl}/reply`, {
        form: { _csrf: csrf, body: 'A forged reply to a closed ticket' },
        headers: { accept: 'text/html' },
      });
      expect(forged.status()).toBe(409);
      expect(await forged.text()).toContain(
        'Replies to closed tickets are not accepted. If you still need help, submit a new ticket.',
      );
      const after = await storedMessages(ticketId);
      expect(after.map((message) => message.id)).toEqual(stored.map((message) => message.id));
      expect((await rpc.send('tickets.get', { accountId, id: ticketId })).closed).toBe(true);
    });

    await withPortalSettings('ticketActions', { replyToClosed: true }, async () => {
      await page.goto(ticketUrl);
      await reloadUntil(page, async () => (await replyBox.count()) === 1);
      await expect(page.getByText('This ticket is closed. Replying reopens it.').isVisible()).resolves.toBe(
        true,
      );
      await replyBox.click();
      await page.keyboard.type('It broke again after all.');
      await page.getByRole('button', { name: 'Reply' }).click();
      await page.waitForURL(/notice=replySent/);
      const badge = page.locator('.ticket-title .badge');
      const statusOnArrival = await badge.innerText();
      expect(await page.locator('.message').last().innerText()).toContain('It broke again after all.');
      // Tickets reopens it once inbox's outbox has delivered the reply.
      await reloadUntil(page, async () => (await badge.innerText()) === 'Open');
      expect(await badge.innerText()).toBe('Open');
      expect(await page.getByText('This ticket was closed on').count()).toBe(0);
      expect((await rpc.send('tickets.get', { accountId, id: ticketId })).closed).toBe(false);
      const open = await everyListed(page, `${portal}/tickets?status=open`);
      expect(open.tickets.map((ticket) => ticket.id)).toContain(ticketId);
      // The page the reply leads to already says so: the customer was just told replying reopens it.
      expect(statusOnArrival).toBe('Open');
    });
    expect(errors).toEqual([]);
    await context.close();
  });

  it("keeps Carol's (Globex) tickets from Alice (Acme): not listed, not reachable by URL, not exported", async () => {
    const carol = await newPage(browser);
    await logIn(carol.page, portal, 'carol@globex.test');
    const carols = (await everyListed(carol.page, `${portal}/tickets`)).tickets;
    expect(carols.length).toBeGreaterThan(0);
    // Carol attaches a file to one of her tickets, and can download it herself.
    const carolsTicketUrl = `${portal}/tickets/${carols[0].id}`;
    await carol.page.goto(carolsTicketUrl);
    await carol.page.getByRole('textbox', { name: 'Your reply' }).click();
    await carol.page.keyboard.type('Our contract is attached.');
    await carol.page.getByLabel('Attach files').setInputFiles({
      name: 'globex-contract.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Globex confidential\n'),
    });
    await carol.page.getByRole('button', { name: 'Reply' }).click();
    await carol.page.waitForURL(/notice=replySent/);
    const attachmentLink = carol.page
      .locator('.message')
      .last()
      .getByRole('link', { name: /globex-contract\.txt/ });
    const attachmentUrl = new URL((await attachmentLink.getAttribute('href'))!, carol.page.url()).href;
    const [download] = await Promise.all([carol.page.waitForEvent('download'), attachmentLink.click()]);
    expect(readFileSync(await download.path(), 'utf8')).toBe('Globex confidential\n');
    await carol.context.close();

    const { context, page, errors } = await newPage(browser);
    await logIn(page, portal, 'alice@acme.test');
    expect(await page.getByRole('combobox', { name: 'Show' }).locator('option:checked').innerText()).toBe(
      'Organization tickets',
    );
    const alices = await everyListed(page, `${portal}/tickets`);
    expect(alices.tickets.length).toBeGreaterThan(0);
    const carolsIds = new Set(carols.map((ticket) => ticket.id));
    expect(alices.tickets.filter((ticket) => carolsIds.has(ticket.id))).toEqual([]);
    for (const { subject } of carols) for (const text of alices.texts) expect(text).not.toContain(subject);

    const noTicket = await answerOf(page, `${portal}/tickets/${NO_SUCH_ID}`);
    expect(noTicket.status).toBe(404);
    expect(noTicket.text).toContain('Page not found');
    expect(await answerOf(page, carolsTicketUrl)).toEqual(noTicket);
    const noAttachment = await answerOf(page, `${portal}/attachments/${NO_SUCH_ID}`);
    expect(noAttachment.status).toBe(404);
    expect(await answerOf(page, attachmentUrl)).toEqual(noAttachment);

    await page.goto(`${portal}/tickets`);
    await page.getByRole('button', { name: 'Export to CSV' }).click();
    await page.waitForURL(/\/support\/exports\/[0-9a-f-]{36}$/);
    const link = page.getByRole('link', { name: 'Download CSV' });
    await link.waitFor({ state: 'visible', timeout: 20_000 });
    const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const csv = readFileSync(await file.path(), 'utf8').replace(/^\uFEFF/, '');
    expect(csv.trim().split(/\r?\n/)).toHaveLength(alices.tickets.length + 1);
    for (const { subject } of alices.tickets) expect(csv).toContain(subject);
    for (const { subject } of carols) expect(csv).not.toContain(subject);
    // Chromium reports each 404 page it loaded; nothing else may go wrong.
    expect(errors.filter((error) => !error.includes('status of 404'))).toEqual([]);
    await context.close();
  });
});
