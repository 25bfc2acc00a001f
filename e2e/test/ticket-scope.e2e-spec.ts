import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Filter, TicketListItem } from '@helpdesk/contracts';
import { RpcClient } from '@helpdesk/kit';
import { demoAdmin, startSystem, type System } from '../src/system.js';

// Identity computes who sees what (S4) and tickets applies it (S7): the demo data through both real
// services, for every permission mode, against what the rules say each contact should see.

let system: System;
let client: RpcClient;
let accountId: string;
let adminId: string;
let everyTicket: TicketListItem[];
const contacts = new Map<string, { id: string; companyId: string | null }>();

const noFilter: Filter = { groups: [] };
const ownerDisplay = { mode: 'first_name' as const, alias: null };

beforeAll(async () => {
  system = await startSystem({ database: 'helpdesk_test_e2e_ticket_scope' });
  client = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 5_000 });
  ({ accountId, adminId } = await demoAdmin(client));
  for (const email of ['alice@acme.test', 'bob@acme.test', 'carol@globex.test']) {
    const [contact] = (await client.send('identity.contacts.list', { accountId, search: email })).items;
    contacts.set(email, { id: contact.id, companyId: contact.primaryCompanyId });
  }
  everyTicket = (await client.send('tickets.list', { accountId, limit: 100 })).items;
}, 180_000);

afterAll(async () => {
  await client?.close();
  await system?.close();
});

async function setPermissions(mode: 'own' | 'company' | 'segment', segment: Filter = noFilter) {
  await client.send('identity.portal.update', {
    accountId,
    actorUserId: adminId,
    section: 'permissions',
    settings: { mode, segment },
  });
}

/** The ids one contact's portal list shows (every page), with the scope identity computes for them. */
async function portalListOf(email: string, visibility: Filter = noFilter, show?: 'mine') {
  const viewer = await client.send('identity.viewer.scope', {
    accountId,
    contactId: contacts.get(email)!.id,
  });
  const ids: string[] = [];
  let after: string | undefined;
  do {
    const page = await client.send('tickets.portal.list', {
      accountId,
      viewer,
      visibility,
      ownerDisplay,
      show,
      limit: 5,
      after,
    });
    ids.push(...page.items.map((ticket) => ticket.id));
    after = page.nextCursor ?? undefined;
  } while (after);
  return { viewer, ids: ids.sort() };
}

/** What the rules say: own tickets, plus the primary company's when the contact may see them. */
function expectedFor(email: string, seesCompany: boolean, keep = (_: TicketListItem) => true) {
  const { id, companyId } = contacts.get(email)!;
  return everyTicket
    .filter((t) => t.requesterContactId === id || (seesCompany && t.companyId === companyId))
    .filter(keep)
    .map((t) => t.id)
    .sort();
}

/** Every demo ticket opened by id as this contact: found exactly when the list shows it. */
async function openableBy(email: string, visibility: Filter = noFilter) {
  const viewer = await client.send('identity.viewer.scope', {
    accountId,
    contactId: contacts.get(email)!.id,
  });
  const found: string[] = [];
  for (const ticket of everyTicket) {
    const outcome = await client
      .send('tickets.portal.get', { accountId, id: ticket.id, viewer, visibility })
      .then(
        () => 'found',
        (error: { code?: string }) => error.code,
      );
    if (outcome === 'found') found.push(ticket.id);
    else expect(outcome).toBe('TICKET_NOT_FOUND');
  }
  return found.sort();
}

describe('who sees which ticket, as identity and tickets decide it together', () => {
  it('has demo tickets of every contact to tell the modes apart', () => {
    for (const { id } of contacts.values())
      expect(everyTicket.filter((t) => t.requesterContactId === id).length).toBeGreaterThan(0);
    const acme = contacts.get('alice@acme.test')!.companyId;
    // Bob's tickets are Acme's, so Alice sees more in company mode than in own mode.
    expect(everyTicket.filter((t) => t.companyId === acme).length).toBeGreaterThan(
      everyTicket.filter((t) => t.requesterContactId === contacts.get('alice@acme.test')!.id).length,
    );
  });

  it('own: every contact sees exactly their own tickets, by list and by id', async () => {
    await setPermissions('own');
    for (const email of contacts.keys()) {
      const { viewer, ids } = await portalListOf(email);
      expect(viewer.seesCompanyTickets).toBe(false);
      expect(ids).toEqual(expectedFor(email, false));
      expect(await openableBy(email)).toEqual(ids);
    }
  });

  it('company: every contact sees their company’s tickets, and only their own under Owned by me', async () => {
    await setPermissions('company');
    for (const email of contacts.keys()) {
      const { viewer, ids } = await portalListOf(email);
      expect(viewer.seesCompanyTickets).toBe(true);
      expect(ids).toEqual(expectedFor(email, true));
      expect(await openableBy(email)).toEqual(ids);
      expect((await portalListOf(email, noFilter, 'mine')).ids).toEqual(expectedFor(email, false));
    }
    // Carol (Globex) never sees an Acme ticket, and Acme never sees hers.
    const carol = (await portalListOf('carol@globex.test')).ids;
    const alice = (await portalListOf('alice@acme.test')).ids;
    expect(carol.filter((id) => alice.includes(id))).toEqual([]);
  });

  it('segment: a contact in the segment sees company tickets, one outside sees only their own', async () => {
    await setPermissions('segment', {
      groups: [[{ property: 'email', operator: 'eq', value: 'alice@acme.test' }]],
    });
    const inside = await portalListOf('alice@acme.test');
    expect(inside.viewer.seesCompanyTickets).toBe(true);
    expect(inside.ids).toEqual(expectedFor('alice@acme.test', true));
    const outside = await portalListOf('bob@acme.test');
    expect(outside.viewer.seesCompanyTickets).toBe(false);
    expect(outside.ids).toEqual(expectedFor('bob@acme.test', false));
    expect(await openableBy('bob@acme.test')).toEqual(outside.ids);
    expect(await openableBy('alice@acme.test')).toEqual(inside.ids);
  });

  it('the visibility filter hides what it names, from the list and from opening by id', async () => {
    await setPermissions('company');
    const notClosed: Filter = { groups: [[{ property: 'status', operator: 'eq', value: 'open' }]] };
    const { ids } = await portalListOf('alice@acme.test', notClosed);
    const expected = expectedFor('alice@acme.test', true, (t) => !t.closed);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(expectedFor('alice@acme.test', true).length);
    expect(ids).toEqual(expected);
    expect(await openableBy('alice@acme.test', notClosed)).toEqual(expected);
  });
});
