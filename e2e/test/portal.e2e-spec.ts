import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TicketListItem } from '@helpdesk/contracts';
import { RpcClient } from '@helpdesk/kit';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoAdmin, demoContactIds, startSystem, type System } from '../src/system.js';
import { listedTickets, nextLinkOf, PortalClient } from './portal-client.js';

// The customer portal's pages over plain HTTP, as a browser without script uses them: the demo's
// portal `support` on `localhost` (English) and `fi.localhost` (Finnish), permission mode company.

let system: System;
let rpc: RpcClient;
let redis: Redis;
let accountId: string;
let adminId: string;
let everyTicket: TicketListItem[];
const contactIds = new Map<string, string>();

beforeAll(async () => {
  system = await startSystem({ database: 'helpdesk_test_e2e_portal' });
  rpc = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 5_000 });
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  ({ accountId, adminId } = await demoAdmin(rpc));
  for (const [email, id] of await demoContactIds(rpc, accountId, [
    'alice@acme.test',
    'bob@acme.test',
    'carol@globex.test',
  ]))
    contactIds.set(email, id);
  everyTicket = (await rpc.send('tickets.list', { accountId, limit: 100 })).items;
}, 180_000);

afterAll(async () => {
  redis?.disconnect();
  await rpc?.close();
  await system?.close();
});

const carolsTickets = () =>
  everyTicket.filter((t) => t.requesterContactId === contactIds.get('carol@globex.test'));
const acmeTickets = () =>
  everyTicket.filter((t) => t.requesterContactId !== contactIds.get('carol@globex.test'));

async function loggedIn(email = 'alice@acme.test', host = 'localhost'): Promise<PortalClient> {
  const client = new PortalClient(system.url, host);
  const answer = await client.login('support', email, 'demo-password');
  expect([answer.status, answer.location]).toEqual([303, '/support/tickets']);
  return client;
}

/** Every ticket the list shows, following Next to the last page. */
async function allListed(client: PortalClient, query = '') {
  const seen: { id: string; subject: string }[] = [];
  let path: string | null = `/support/tickets${query}`;
  for (let pages = 0; path && pages < 20; pages++) {
    const page = await client.get(path);
    expect(page.status).toBe(200);
    seen.push(...listedTickets(page.body));
    path = nextLinkOf(page.body);
  }
  return seen;
}

describe('the customer portal over HTTP', () => {
  it('sends visitors to the login page, served in English with a nonce CSP', async () => {
    const client = new PortalClient(system.url);
    const root = await client.get('/support');
    expect([root.status, root.location]).toEqual([302, '/support/login']);
    const login = await client.get('/support/login');
    expect(login.status).toBe(200);
    expect(login.body).toContain('<html lang="en">');
    expect(login.body).toMatch(/<label for="email">Email<\/label>/);
    expect(login.body).not.toContain('Register here'); // access-group portal, no self-registration
    const csp = String(login.headers['content-security-policy']);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(login.body).toContain(`<script nonce="${nonce}"`);
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('answers an unknown portal with a 404 page', async () => {
    const client = new PortalClient(system.url);
    const unknown = await client.get('/no-such-portal/login');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain('Page not found');
    const otherHost = await new PortalClient(system.url, 'elsewhere.test').get('/support/login');
    expect(otherHost.status).toBe(404);
  });

  it('refuses a login post without the CSRF token with a 403 page', async () => {
    const client = new PortalClient(system.url);
    await client.get('/support/login');
    const answer = await client.post('/support/login', {
      email: 'alice@acme.test',
      password: 'demo-password',
    });
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('Your form has expired');
    const forged = await client.post('/support/login', {
      _csrf: 'x'.repeat(43),
      email: 'alice@acme.test',
      password: 'demo-password',
    });
    expect(forged.status).toBe(403);
  });

  it('tells a wrong password and an unknown email apart in no way', async () => {
    const client = new PortalClient(system.url);
    const wrong = await client.login('support', 'alice@acme.test', 'wrong-password');
    const unknown = await client.login('support', 'nobody@acme.test', 'wrong-password');
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body).toContain('Email or password is incorrect.');
    expect(unknown.body).toContain('Email or password is incorrect.');
  });

  it('rotates the session id at login', async () => {
    const client = new PortalClient(system.url);
    const page = await client.get('/support/login');
    const before = client.cookie;
    expect(before).toBeDefined(); // the login form's CSRF token lives in a session
    await client.post('/support/login', {
      _csrf: PortalClient.csrfOf(page.body),
      email: 'alice@acme.test',
      password: 'demo-password',
    });
    expect(client.cookie).toBeDefined();
    expect(client.cookie).not.toBe(before);
  });

  it("lists Acme's tickets for Alice with the default columns, and never Carol's", async () => {
    const alice = await loggedIn();
    const page = await alice.get('/support/tickets');
    expect(page.body).toContain('<title>Demo Support</title>');
    const headings = [...page.body.matchAll(/<th scope="col"[^>]*>\s*(?:<a[^>]*>)?([^<]+)/g)].map((m) =>
      m[1].trim(),
    );
    expect(headings).toEqual([
      'Subject',
      'Requester',
      'Created date',
      'Ticket owner',
      'Last activity date',
      'Status',
    ]);
    expect(page.body).toContain('Organization tickets');
    for (const word of ['Export to CSV', 'Log out', 'Show', 'Search']) expect(page.body).toContain(word);

    const listed = await allListed(alice);
    expect(listed.map((t) => t.id).sort()).toEqual(
      acmeTickets()
        .map((t) => t.id)
        .sort(),
    );
    for (const carols of carolsTickets()) expect(listed.map((t) => t.id)).not.toContain(carols.id);
  });

  it('offers the same list as JSON to scripts, page by page, with the columns the portal shows', async () => {
    const alice = await loggedIn();
    const html = await allListed(alice);
    const listed: { id: string; subject: string }[] = [];
    let path: string | null = '/support/tickets';
    for (let pages = 0; path && pages < 20; pages++) {
      const page = await alice.get(path, 'application/json');
      expect([page.status, page.headers['content-type'], page.headers.vary]).toEqual([
        200,
        'application/json; charset=utf-8',
        expect.stringContaining('Accept'),
      ]);
      const body = JSON.parse(page.body) as {
        columns: { property: string; label: string }[];
        tickets: { id: string; url: string; closed: boolean; cells: { property: string; text: string }[] }[];
        next: string | null;
      };
      expect(body.columns.map((column) => column.label)).toEqual([
        'Subject',
        'Requester',
        'Created date',
        'Ticket owner',
        'Last activity date',
        'Status',
      ]);
      for (const ticket of body.tickets) {
        expect(ticket.url).toBe(`/support/tickets/${ticket.id}`);
        expect(ticket.cells.map((cell) => cell.property)).toEqual(
          body.columns.map((column) => column.property),
        );
        listed.push({ id: ticket.id, subject: ticket.cells[0].text });
      }
      path = body.next;
    }
    expect(listed).toEqual(html);
    const anonymous = await new PortalClient(system.url).get('/support/tickets', 'application/json');
    expect(anonymous.status).not.toBe(200);
  });

  it('narrows the list to her own tickets, by status and by search', async () => {
    const alice = await loggedIn();
    const mine = await allListed(alice, '?show=mine');
    const alicesOwn = everyTicket.filter((t) => t.requesterContactId === contactIds.get('alice@acme.test'));
    expect(mine.map((t) => t.id).sort()).toEqual(alicesOwn.map((t) => t.id).sort());

    const closed = await allListed(alice, '?status=closed');
    expect(closed.length).toBeGreaterThan(0);
    expect(closed.map((t) => t.id).sort()).toEqual(
      acmeTickets()
        .filter((t) => t.closed)
        .map((t) => t.id)
        .sort(),
    );

    const printer = await allListed(alice, '?q=printer');
    expect(printer.map((t) => t.subject)).toEqual(['Printer on fire']);
    const nothing = await alice.get('/support/tickets?q=zebra-unicorn');
    expect(nothing.body).toContain('No tickets match');
    expect(nothing.body).toContain('Clear filters');
  });

  it('sorts by a column and pages with Next and Previous', async () => {
    const alice = await loggedIn();
    const sorted = await allListed(alice, '?sort=subject&dir=asc');
    const subjects = sorted.map((t) => t.subject);
    expect(subjects).toEqual([...subjects].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' })));
    expect((await alice.get('/support/tickets?sort=subject&dir=asc')).body).toMatch(/aria-sort="ascending"/);

    // 25 a page: 24 more tickets of Alice's make two pages of Acme's.
    const contactId = contactIds.get('alice@acme.test')!;
    const [alicesTicket] = everyTicket.filter((t) => t.requesterContactId === contactId);
    for (let i = 1; i <= 24; i++)
      await rpc.send('tickets.create', {
        accountId,
        subject: `Paging ticket ${String(i).padStart(2, '0')}`,
        requesterContactId: contactId,
        requesterName: 'Alice Anderson',
        requesterEmail: 'alice@acme.test',
        companyId: alicesTicket.companyId,
        source: 'portal',
      });
    const first = await alice.get('/support/tickets');
    expect(listedTickets(first.body)).toHaveLength(25);
    expect(first.body).toMatch(/aria-disabled="true">‹ Previous/);
    const second = await alice.get(nextLinkOf(first.body)!);
    const secondIds = listedTickets(second.body).map((t) => t.id);
    expect(secondIds.length).toBe(acmeTickets().length + 24 - 25);
    expect(secondIds.filter((id) => listedTickets(first.body).some((t) => t.id === id))).toEqual([]);
    expect(second.body).toMatch(/aria-disabled="true">Next ›/);
    const previous = /href="([^"]+)" rel="prev"/.exec(second.body)![1].replace(/&amp;/g, '&');
    expect(listedTickets((await alice.get(previous)).body)).toEqual(listedTickets(first.body));
  });

  it("answers Alice's request for Carol's ticket with the same 404 as for no ticket", async () => {
    const alice = await loggedIn();
    const carols = carolsTickets()[0];
    const foreign = await alice.get(`/support/tickets/${carols.id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body).not.toContain(carols.subject);
    expect((await alice.get('/support/tickets/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await alice.get('/support/tickets/42')).status).toBe(404);
    const reply = await alice.post(`/support/tickets/${carols.id}/reply`, {
      _csrf: PortalClient.csrfOf((await alice.get('/support/tickets')).body),
      body: 'Let me in',
    });
    expect(reply.status).toBe(404);
  });

  it('shows a ticket with its conversation, takes a reply as a plain form post and closes it', async () => {
    const alice = await loggedIn();
    const ticket = everyTicket.find((t) => t.subject === 'Printer on fire')!;
    const detail = await alice.get(`/support/tickets/${ticket.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toContain('<h1 class="page-title">Printer on fire</h1>');
    expect(detail.body).toContain('Printer on fire. Details from the customer.');
    expect(detail.body).toContain('Close ticket');

    const refused = await alice.post(`/support/tickets/${ticket.id}/reply`, { body: 'No token' });
    expect(refused.status).toBe(403);

    const csrf = PortalClient.csrfOf(detail.body);
    const empty = await alice.post(`/support/tickets/${ticket.id}/reply`, { _csrf: csrf, body: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.body).toContain('Write a reply first.');

    const sent = await alice.post(`/support/tickets/${ticket.id}/reply`, {
      _csrf: csrf,
      body: 'Still smoking.\nSend help <quickly>.\n\nThanks!',
    });
    expect(sent.status).toBe(303);
    expect(sent.location).toMatch(new RegExp(`^/support/tickets/${ticket.id}\\?notice=replySent#message-`));
    const after = await alice.get(sent.location!.split('#')[0]);
    expect(after.body).toContain('Your reply was sent.');
    expect(after.body).toContain('<p>Still smoking.<br />Send help &lt;quickly&gt;.</p><p>Thanks!</p>');

    const closed = await alice.post(`/support/tickets/${ticket.id}/close`, { _csrf: csrf });
    expect([closed.status, closed.location]).toEqual([
      303,
      `/support/tickets/${ticket.id}?notice=ticketClosedNow`,
    ]);
    const closedPage = await alice.get(closed.location!);
    expect(closedPage.body).toContain('The ticket is now closed.');
    expect(closedPage.body).toContain('This ticket was closed on');
    expect(closedPage.body).not.toContain('>Close ticket<');
    // The demo portal allows replies to closed tickets: the reply box says it reopens the ticket.
    expect(closedPage.body).toContain('Replying reopens it.');
  });

  it('refuses replies to a closed ticket when the portal says so, and says why', async () => {
    const alice = await loggedIn();
    const closed = acmeTickets().find((t) => t.closed)!;
    const portal = await rpc.send('identity.portal.get', { accountId });
    const setReplyToClosed = (replyToClosed: boolean) =>
      rpc.send('identity.portal.update', {
        accountId,
        actorUserId: adminId,
        section: 'ticketActions',
        settings: { ...portal.ticketActions, replyToClosed },
      });
    await setReplyToClosed(false);
    try {
      let page = await alice.get(`/support/tickets/${closed.id}`);
      for (let i = 0; i < 50 && page.body.includes('name="body"'); i++) {
        await new Promise((r) => setTimeout(r, 100)); // until portal.updated has dropped the cached portal
        page = await alice.get(`/support/tickets/${closed.id}`);
      }
      expect(page.body).toContain('Replies to closed tickets are not accepted.');
      expect(page.body).not.toContain('name="body"');
      const refused = await alice.post(`/support/tickets/${closed.id}/reply`, {
        _csrf: PortalClient.csrfOf(page.body),
        body: 'One more thing',
      });
      expect(refused.status).toBe(409);
      expect(refused.body).toContain('Replies to closed tickets are not accepted.');
    } finally {
      await setReplyToClosed(true);
    }
  });

  it('downloads an attachment of a public message through the viewer’s scope only', async () => {
    const ticket = acmeTickets().find((t) => t.subject === 'Email bounces from acme.test')!;
    const [thread] = await rpc.send('inbox.threads.ofTicket', { accountId, ticketId: ticket.id });
    const storageKey = `attachments/${accountId}/${randomUUID()}`;
    const filesDir = system.filesDir;
    await mkdir(join(filesDir, 'attachments', accountId), { recursive: true });
    await writeFile(join(filesDir, storageKey), 'bounce log\n');
    const message = await rpc.send('inbox.messages.agentReply', {
      accountId,
      threadId: thread.id,
      author: { userId: adminId, name: 'Demo Admin' },
      bodyHtml: '<p>The log is attached.</p>',
      attachments: [{ storageKey, fileName: 'bounce log.txt', contentType: 'text/plain', size: 11 }],
    });
    const attachmentId = message.attachments[0].id;

    const alice = await loggedIn();
    const detail = await alice.get(`/support/tickets/${ticket.id}`);
    expect(detail.body).toContain(`href="/support/attachments/${attachmentId}"`);
    const file = await alice.get(`/support/attachments/${attachmentId}`);
    expect(file.status).toBe(200);
    expect(file.body).toBe('bounce log\n');
    expect(file.headers['content-disposition']).toMatch(/^attachment; filename="bounce log.txt"/);
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(file.headers['content-type']).toBe('text/plain; charset=utf-8');

    const carol = await loggedIn('carol@globex.test');
    expect((await carol.get(`/support/attachments/${attachmentId}`)).status).toBe(404);
  });

  it('takes files with a reply, and refuses a type it does not accept with a clear message', async () => {
    const alice = await loggedIn();
    const ticket = acmeTickets().find((t) => t.subject === 'Request: new laptop for the sales team')!;
    const page = await alice.get(`/support/tickets/${ticket.id}`);
    expect(page.body).toContain('enctype="multipart/form-data"');
    const csrf = PortalClient.csrfOf(page.body);

    const form = new FormData();
    form.set('_csrf', csrf);
    form.set('body', 'The quote is attached.');
    form.append(
      'attachments',
      new Blob(['Laptop quote: 3 x 1200 EUR\n'], { type: 'text/plain' }),
      'quote.txt',
    );
    const sent = await alice.postMultipart(`/support/tickets/${ticket.id}/reply`, form);
    expect(sent.status).toBe(303);
    const after = await alice.get(sent.location!.split('#')[0]);
    const link = /href="(\/support\/attachments\/[0-9a-f-]{36})"[^>]*>.*?quote\.txt/s.exec(after.body);
    expect(link).not.toBeNull();
    const file = await alice.get(link![1]);
    expect([file.status, file.body]).toEqual([200, 'Laptop quote: 3 x 1200 EUR\n']);

    const noToken = new FormData();
    noToken.set('body', 'No token');
    noToken.append('attachments', new Blob(['x'], { type: 'text/plain' }), 'x.txt');
    expect((await alice.postMultipart(`/support/tickets/${ticket.id}/reply`, noToken)).status).toBe(403);

    const program = new FormData();
    program.set('_csrf', csrf);
    program.set('body', 'Run this');
    program.append(
      'attachments',
      new Blob([Buffer.from('4d5a90000300000004000000ffff0000', 'hex')]),
      'setup.exe',
    );
    const refused = await alice.postMultipart(`/support/tickets/${ticket.id}/reply`, program);
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('This type of file cannot be attached.');
  });

  it('exports the current view to CSV: a progress page, then the file of exactly those tickets', async () => {
    const alice = await loggedIn();
    const list = await alice.get('/support/tickets?status=open');
    const started = await alice.post('/support/exports', {
      _csrf: PortalClient.csrfOf(list.body),
      show: 'organization',
      status: 'open',
      q: '',
      sort: 'created_at',
      dir: 'desc',
    });
    expect(started.status).toBe(303);
    expect(started.location).toMatch(/^\/support\/exports\/[0-9a-f-]{36}$/);
    const progress = await alice.get(started.location!);
    expect(progress.status).toBe(200);
    expect(progress.body).toContain('Export to CSV');

    let state: { status: string; downloadUrl: string | null } = { status: 'queued', downloadUrl: null };
    const deadline = Date.now() + 20_000;
    while (state.status !== 'done' && state.status !== 'failed' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      state = JSON.parse((await alice.get(`${started.location!}/status`)).body) as typeof state;
    }
    expect(state.status).toBe('done');
    const file = await alice.get(state.downloadUrl!);
    expect(file.status).toBe(200);
    expect(String(file.headers['content-disposition'])).toMatch(/^attachment; filename=/);
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    const lines = file.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines[0]).toBe('Subject,Requester,Created date,Ticket owner,Last activity date,Status');
    const openAcme = acmeTickets().filter((t) => !t.closed && t.subject !== 'Printer on fire');
    for (const ticket of openAcme) expect(file.body).toContain(ticket.subject);
    for (const ticket of carolsTickets()) expect(file.body).not.toContain(ticket.subject);

    // Someone else's session cannot fetch it.
    const bob = await loggedIn('bob@acme.test');
    expect((await bob.get(state.downloadUrl!)).status).toBe(404);
  });

  it('keeps a contact out of the internal API', async () => {
    const alice = await loggedIn();
    const api = await fetch(`${system.url}/api/v1/tickets`, { headers: { cookie: alice.cookie! } });
    expect(api.status).toBe(401);
  });

  it('ends the session on the server at logout', async () => {
    const alice = await loggedIn();
    const page = await alice.get('/support/tickets');
    const stolen = alice.cookie!;
    const refused = await alice.post('/support/logout', {});
    expect(refused.status).toBe(403);
    const out = await alice.post('/support/logout', { _csrf: PortalClient.csrfOf(page.body) });
    expect([out.status, out.location]).toEqual([303, '/support/logout']);
    expect((await alice.get('/support/logout')).body).toContain('You have logged out');

    const replay = new PortalClient(system.url);
    replay.cookie = stolen;
    const again = await replay.get('/support/tickets');
    expect(again.status).toBe(303);
    expect(again.location).toMatch(/^\/support\/login\?next=/);
  });

  it('logs a contact out after the portal’s idle timeout', async () => {
    const alice = await loggedIn();
    const key = system.sessionKey(alice.cookie!);
    const session = JSON.parse((await redis.get(key))!) as { lastSeenAt: number; idleMs: number };
    expect(session.idleMs).toBe(60 * 60_000); // the demo portal's sessionIdleMinutes
    session.lastSeenAt -= session.idleMs + 60_000;
    await redis.set(key, JSON.stringify(session), 'KEEPTTL');
    const answer = await alice.get('/support/tickets');
    expect(answer.status).toBe(303);
    expect(answer.location).toContain('expired=1');
    expect((await alice.get(answer.location!)).body).toContain('Your session has ended.');
  });

  it('ends every session of a contact when identity revokes them', async () => {
    const alice = await loggedIn();
    expect((await alice.get('/support/tickets')).status).toBe(200);
    await rpc.emit('contact.sessions.revoked', {
      accountId,
      contactId: contactIds.get('alice@acme.test')!,
      occurredAt: new Date().toISOString(),
    });
    const deadline = Date.now() + 5_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await alice.get('/support/tickets')).status;
    }
    expect(status).toBe(303);
  });

  it('shows the portal in Finnish on the Finnish domain', async () => {
    const login = await new PortalClient(system.url, 'fi.localhost').get('/support/login');
    expect(login.body).toContain('<html lang="fi">');
    expect(login.body).toContain('Kirjaudu sisään');
    expect(login.body).toContain('Sähköposti');
    const alice = await loggedIn('alice@acme.test', 'fi.localhost');
    const list = await alice.get('/support/tickets');
    for (const word of [
      'Vie CSV-tiedostoon',
      'Kirjaudu ulos',
      'Näytä',
      'Organisaation liput',
      'Omistamani',
      'Hae',
    ])
      expect(list.body).toContain(word);
    expect(list.body).toContain('>Aihe');
    expect(list.body).toMatch(/\d{1,2}\.\d{1,2}\.\d{4}/); // dates as Finns write them
  });

  it('takes a switched-off portal offline at once (portal.updated drops the cache)', async () => {
    const alice = await loggedIn();
    const portal = await rpc.send('identity.portal.get', { accountId });
    const update = (enabled: boolean) =>
      rpc.send('identity.portal.update', {
        accountId,
        actorUserId: adminId,
        section: 'general',
        settings: { ...portal.general, enabled },
      });
    await update(false);
    try {
      const deadline = Date.now() + 5_000;
      let status = 200;
      while (status !== 404 && Date.now() < deadline) {
        status = (await alice.get('/support/tickets')).status;
        if (status !== 404) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(404);
    } finally {
      await update(true);
    }
    const deadline = Date.now() + 5_000;
    let status = 404;
    while (status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await alice.get('/support/tickets')).status;
    }
    expect(status).toBe(200);
  });

  it('follows a contact’s new company and segment on their very next page (the gateway’s kept scope is dropped)', async () => {
    const ids = async (client: PortalClient) => (await allListed(client)).map((ticket) => ticket.id).sort();
    // Earlier tests opened tickets: what each contact may see, by the rules, from today's tickets.
    const tickets = (await rpc.send('tickets.list', { accountId, limit: 100 })).items;
    const seenBy = (contactId: string, companyId: string | null) =>
      tickets
        .filter((t) => t.requesterContactId === contactId || (companyId && t.companyId === companyId))
        .map((t) => t.id)
        .sort();
    const aliceId = contactIds.get('alice@acme.test')!;
    const bobId = contactIds.get('bob@acme.test')!;
    const acme = (await rpc.send('identity.contacts.get', { accountId, id: aliceId })).primaryCompanyId;
    const globex = carolsTickets()[0].companyId;
    const moveAlice = (primaryCompanyId: string | null) =>
      rpc.send('identity.contacts.update', { accountId, id: aliceId, primaryCompanyId });
    const alice = await loggedIn();
    expect(await ids(alice)).toEqual(seenBy(aliceId, acme));
    await moveAlice(globex);
    try {
      // Her own tickets stay hers; Acme's others go, Globex's come.
      expect(await ids(alice)).toEqual(seenBy(aliceId, globex));
    } finally {
      await moveAlice(acme);
    }
    expect(await ids(alice)).toEqual(seenBy(aliceId, acme));

    // Segment mode: Bob enters the segment when an admin sets his tier, and leaves it again.
    await rpc.send('identity.contactProperties.create', {
      accountId,
      name: 'scope_tier',
      label: 'Tier',
      type: 'string',
    });
    const permissions = (await rpc.send('identity.portal.get', { accountId })).permissions;
    const setPermissions = (settings: typeof permissions) =>
      rpc.send('identity.portal.update', {
        accountId,
        actorUserId: adminId,
        section: 'permissions',
        settings,
      });
    const setTier = (scope_tier: string | null) =>
      rpc.send('identity.contacts.update', { accountId, id: bobId, properties: { scope_tier } });
    const bob = await loggedIn('bob@acme.test');
    const bobsOwn = seenBy(bobId, null);
    expect(await ids(bob)).toEqual(seenBy(bobId, acme));
    await setPermissions({
      mode: 'segment',
      segment: { groups: [[{ property: 'scope_tier', operator: 'eq', value: 'gold' }]] },
    });
    try {
      expect(await ids(bob)).toEqual(bobsOwn);
      await setTier('gold');
      expect(await ids(bob)).toEqual(seenBy(bobId, acme));
      await setTier(null);
      expect(await ids(bob)).toEqual(bobsOwn);
    } finally {
      await setPermissions(permissions);
    }
    expect(await ids(bob)).toEqual(seenBy(bobId, acme));
  });

  it('words custom properties as the portal does, filters by yes/no and number ranges, and exports that view with descriptions', async () => {
    const option = (value: string, label: string) => ({ value, label });
    await rpc.send('tickets.properties.create', {
      accountId,
      name: 'region',
      label: 'Region',
      type: 'enumeration',
      options: [option('emea', 'Europe'), option('apac', 'Asia and Pacific')],
    });
    await rpc.send('tickets.properties.create', {
      accountId,
      name: 'on_site',
      label: 'On site',
      type: 'boolean',
    });
    await rpc.send('tickets.properties.create', {
      accountId,
      name: 'devices',
      label: 'Devices',
      type: 'number',
    });
    // Tickets of Alice's with every combination: on site or not, 0 to 4 devices.
    const contactId = contactIds.get('alice@acme.test')!;
    const companyId = everyTicket.find((t) => t.requesterContactId === contactId)!.companyId;
    const fleet: {
      id: string;
      subject: string;
      content: string;
      region: string;
      onSite: boolean;
      devices: number;
    }[] = [];
    for (let i = 0; i < 10; i++) {
      const [subject, content] = [`Fleet ticket ${i}`, `Fleet ticket ${i}'s description, with a comma`];
      const { id } = await rpc.send('tickets.create', {
        accountId,
        subject,
        content,
        requesterContactId: contactId,
        requesterName: 'Alice Anderson',
        companyId,
        source: 'portal',
      });
      const values = { region: i % 3 ? 'apac' : 'emea', onSite: i % 2 === 0, devices: Math.floor(i / 2) };
      await rpc.send('tickets.update', {
        accountId,
        id,
        properties: { region: values.region, on_site: values.onSite, devices: values.devices },
      });
      fleet.push({ id, subject, content, ...values });
    }
    const portal = await rpc.send('identity.portal.get', { accountId });
    const showColumns = (columns: typeof portal.ticketDisplay.columns) =>
      rpc.send('identity.portal.update', {
        accountId,
        actorUserId: adminId,
        section: 'ticketDisplay',
        settings: { ...portal.ticketDisplay, columns },
      });
    await showColumns([
      ...portal.ticketDisplay.columns,
      { property: 'region', label: 'Region' },
      { property: 'on_site', label: 'On site' },
      { property: 'devices', label: 'Devices' },
      { property: 'content', label: 'Description' },
    ]);
    try {
      const alice = await loggedIn();
      // The gateway drops its copy of the portal on portal.updated: the next page has the columns.
      const deadline = Date.now() + 5_000;
      while (!(await alice.get('/support/tickets')).body.includes('data-label="Devices"')) {
        if (Date.now() > deadline) throw new Error('the new columns did not show');
        await new Promise((r) => setTimeout(r, 100));
      }

      // From 1 to 3 devices, on site: both ends belong to the range.
      const query = '?on_site.is=true&devices.from=1&devices.to=3';
      const expected = fleet.filter((t) => t.onSite && t.devices >= 1 && t.devices <= 3);
      expect(expected.map((t) => t.devices)).toEqual([1, 2, 3]);
      const listed = await allListed(alice, query);
      expect(listed.map((t) => t.id).sort()).toEqual(expected.map((t) => t.id).sort());
      const page = await alice.get(`/support/tickets${query}`);
      for (const chip of ['On site: Yes', 'Devices: at least 1', 'Devices: at most 3'])
        expect(page.body).toContain(`aria-label="Remove filter ${chip}"`);
      const regions = [...page.body.matchAll(/class="col-region" data-label="Region"><span>([^<]*)</g)];
      const labels = { emea: 'Europe', apac: 'Asia and Pacific' } as Record<string, string>;
      expect(regions.map((m) => m[1]).sort()).toEqual(expected.map((t) => labels[t.region]).sort());
      const detail = await alice.get(`/support/tickets/${fleet[0].id}`);
      expect(detail.body).toMatch(/<dt>Region<\/dt>\s*<dd><span>Europe<\/span><\/dd>/);

      // Values that are no yes/no or number are ignored, never an error.
      const unfiltered = listedTickets((await alice.get('/support/tickets')).body);
      const odd = await alice.get('/support/tickets?on_site.is=maybe&devices.from=abc&devices.to=1e999');
      expect(odd.status).toBe(200);
      expect(listedTickets(odd.body)).toEqual(unfiltered);
      expect(odd.body).not.toContain('Filters in use');

      // The export posts the same filters and writes the labels and the descriptions.
      const started = await alice.post('/support/exports', {
        _csrf: PortalClient.csrfOf(page.body),
        'on_site.is': 'true',
        'devices.from': '1',
        'devices.to': '3',
      });
      expect(started.status).toBe(303);
      let state: { status: string; downloadUrl: string | null } = { status: 'queued', downloadUrl: null };
      const exportDeadline = Date.now() + 20_000;
      while (state.status !== 'done' && state.status !== 'failed' && Date.now() < exportDeadline) {
        await new Promise((r) => setTimeout(r, 200));
        state = JSON.parse((await alice.get(`${started.location!}/status`)).body) as typeof state;
      }
      expect(state.status).toBe('done');
      const [header, ...rows] = (await alice.get(state.downloadUrl!)).body
        .replace(/^\uFEFF/, '')
        .trim()
        .split(/\r?\n/);
      expect(header).toBe(
        'Subject,Requester,Created date,Ticket owner,Last activity date,Status,Region,On site,Devices,Description',
      );
      // The subject and the last four columns; only the description is quoted (it has a comma).
      const cells = rows.map((row) =>
        /^([^,]*),(?:[^,]*,){5}([^,]*),([^,]*),([^,]*),"([^"]*)"$/.exec(row)?.slice(1),
      );
      expect(cells.sort()).toEqual(
        expected.map((t) => [t.subject, labels[t.region], 'true', String(t.devices), t.content]).sort(),
      );
    } finally {
      await showColumns(portal.ticketDisplay.columns);
    }
  });

  it('shows the access denied page to a contact outside the access groups', async () => {
    const groups = await rpc.send('identity.accessGroups.list', { accountId });
    const customers = groups.find((group) => group.name === 'Customers')!;
    const bob = contactIds.get('bob@acme.test')!;
    await rpc.send('identity.accessGroups.removeMembers', {
      accountId,
      groupId: customers.id,
      contactIds: [bob],
    });
    try {
      const client = new PortalClient(system.url);
      const answer = await client.login('support', 'bob@acme.test', 'demo-password');
      expect([answer.status, answer.location]).toEqual([303, '/support/access-denied']);
      const page = await client.get(answer.location!);
      expect(page.status).toBe(403);
      expect(page.body).toContain('Access denied');
      expect(page.body).toContain('has not been given access to this portal');
      expect((await client.get('/support/tickets')).status).toBe(303); // not logged in
    } finally {
      await rpc.send('identity.accessGroups.addMembers', {
        accountId,
        groupId: customers.id,
        contactIds: [bob],
      });
    }
  });
});
