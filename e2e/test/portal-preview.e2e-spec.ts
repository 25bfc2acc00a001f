import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RpcClient } from '@helpdesk/kit';
import { randomUUID } from 'node:crypto';
import { ApiSession, demoAdmin, demoContactIds, startSystem, type System } from '../src/system.js';
import { listedTickets, PortalClient } from './portal-client.js';

// The admin preview (SPEC P7): an internal user with `portal.settings` opens the portal as a chosen
// contact through a one-time link, sees exactly that contact's tickets under a banner, and cannot
// change anything; the preview ends on request and never lends the contact's login to anyone.

let system: System;
let rpc: RpcClient;
let admin: ApiSession;
let accountId: string;
let contactIds: Map<string, string>;

beforeAll(async () => {
  system = await startSystem({ database: 'helpdesk_test_e2e_portal_preview' });
  rpc = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 5_000 });
  admin = await ApiSession.login(system.url, 'admin@demo.test', 'demo-password');
  ({ accountId } = await demoAdmin(rpc));
  contactIds = await demoContactIds(rpc, accountId, ['alice@acme.test', 'carol@globex.test']);
}, 180_000);

afterAll(async () => {
  await rpc?.close();
  await system?.close();
});

async function previewLink(contactEmail: string, session = admin): Promise<URL> {
  const answer = await session.request('POST', '/api/v1/portal/previews', {
    contactId: contactIds.get(contactEmail),
  });
  expect(answer.status).toBe(201);
  const { url } = (await answer.json()) as { url: string };
  return new URL(url);
}

/** A browser on the portal's host that opened the preview link. */
async function previewing(contactEmail: string): Promise<PortalClient> {
  const link = await previewLink(contactEmail);
  const client = new PortalClient(system.url, link.hostname);
  const opened = await client.get(`${link.pathname}${link.search}`);
  expect([opened.status, opened.location]).toEqual([303, '/support/tickets']);
  return client;
}

describe('the admin preview of the portal', () => {
  it('gives a one-time link on the primary domain only to users with portal.settings', async () => {
    const link = await previewLink('alice@acme.test');
    expect(link.hostname).toBe('localhost');
    expect(link.pathname).toBe('/support/preview');
    expect(link.searchParams.get('token')).toMatch(/^[\w-]{43}$/);

    const agent = await ApiSession.login(system.url, 'agent@demo.test', 'demo-password');
    const refused = await agent.request('POST', '/api/v1/portal/previews', {
      contactId: contactIds.get('alice@acme.test'),
    });
    expect(refused.status).toBe(403);
    const anonymous = await new ApiSession(system.url).request('POST', '/api/v1/portal/previews', {
      contactId: contactIds.get('alice@acme.test'),
    });
    expect(anonymous.status).toBe(401);
    const unknown = await admin.request('POST', '/api/v1/portal/previews', { contactId: randomUUID() });
    expect(unknown.status).toBe(404);
    const malformed = await admin.request('POST', '/api/v1/portal/previews', { contactId: 'alice' });
    expect(malformed.status).toBe(400);
  });

  it("shows the chosen contact's tickets under a banner, and only theirs", async () => {
    const everyTicket = (await rpc.send('tickets.list', { accountId, limit: 100 })).items;
    const carol = contactIds.get('carol@globex.test');
    const client = await previewing('carol@globex.test');
    const page = await client.get('/support/tickets');
    expect(page.status).toBe(200);
    expect(page.body).toContain('class="preview-banner"');
    expect(page.body).toContain('you see the portal as Carol');
    // The preview ends, it does not log out; it offers no action it would refuse.
    for (const action of ['/support/logout', '/support/exports'])
      expect(page.body).not.toContain(`action="${action}"`);
    const listed = listedTickets(page.body).map((ticket) => ticket.id);
    const carols = everyTicket.filter((ticket) => ticket.requesterContactId === carol).map((t) => t.id);
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.sort()).toEqual(carols.sort());
    const alices = everyTicket.filter(
      (ticket) => ticket.requesterContactId === contactIds.get('alice@acme.test'),
    );
    expect((await client.get(`/support/tickets/${alices[0].id}`)).status).toBe(404);
    expect((await client.get(`/support/tickets/${carols[0]}`)).status).toBe(200);
  });

  it('refuses every change: replies, closing, exports, logging out as the contact', async () => {
    const client = await previewing('alice@acme.test');
    // An open ticket, so that closing it would show.
    const list = await client.get('/support/tickets?status=open');
    const ticketId = listedTickets(list.body)[0].id;
    const detail = await client.get(`/support/tickets/${ticketId}`);
    expect(detail.body).not.toContain(`action="/support/tickets/${ticketId}/reply"`);
    expect(detail.body).not.toContain(`action="/support/tickets/${ticketId}/close"`);
    const csrf = PortalClient.csrfOf(detail.body);
    const before = await rpc.send('inbox.timeline.get', { accountId, ticketId });
    const ticketBefore = await rpc.send('tickets.get', { accountId, id: ticketId });

    for (const [path, fields] of [
      [`/support/tickets/${ticketId}/reply`, { _csrf: csrf, body: 'Sent from a preview' }],
      [`/support/tickets/${ticketId}/close`, { _csrf: csrf }],
      ['/support/exports', { _csrf: csrf }],
      ['/support/logout', { _csrf: csrf }],
    ] as const) {
      const refused = await client.post(path, fields);
      expect([path, refused.status]).toEqual([path, 403]);
      expect(refused.body).toContain('Read-only preview');
    }
    expect(await rpc.send('inbox.timeline.get', { accountId, ticketId })).toEqual(before);
    expect(await rpc.send('tickets.get', { accountId, id: ticketId })).toEqual(ticketBefore);
  });

  it('works once per link, ends on request and leaves no login behind', async () => {
    const link = await previewLink('alice@acme.test');
    const client = new PortalClient(system.url, link.hostname);
    expect((await client.get(`${link.pathname}${link.search}`)).status).toBe(303);
    const stranger = new PortalClient(system.url, link.hostname);
    expect((await stranger.get(`${link.pathname}${link.search}`)).status).toBe(400); // used up
    expect((await stranger.get('/support/preview?token=forged')).status).toBe(400);

    const page = await client.get('/support/tickets');
    const ended = await client.post('/support/preview/end', { _csrf: PortalClient.csrfOf(page.body) });
    expect(ended.status).toBe(200);
    expect(ended.body).toContain('Preview ended');
    const after = await client.get('/support/tickets');
    expect([after.status, after.location]).toEqual([303, '/support/login?next=%2Fsupport%2Ftickets']);
  });

  it("keeps the admin's own session when admin area and portal share a host", async () => {
    const link = await previewLink('alice@acme.test');
    const client = new PortalClient(system.url, link.hostname);
    client.cookie = admin.sessionCookie;
    expect((await client.get(`${link.pathname}${link.search}`)).status).toBe(303);
    expect((await client.get('/support/tickets')).body).toContain('class="preview-banner"');
    // The admin is still logged in to the API with the same session.
    const me = await admin.request('GET', '/api/v1/auth/me');
    expect(me.status).toBe(200);
  });
});
