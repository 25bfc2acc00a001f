import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RpcClient } from '@helpdesk/kit';
import { startSystem, type System } from '../src/system.js';

let system: System;
let client: RpcClient;

beforeAll(async () => {
  system = await startSystem({ database: 'helpdesk_test_e2e_services' });
  client = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 5_000 });
}, 180_000);

afterAll(async () => {
  await client?.close();
  await system?.close();
});

describe('services asking each other', () => {
  it('identity checks the portal’s closed stages against the pipelines the tickets service owns', async () => {
    const admin = await client.send('identity.users.authenticate', {
      email: 'admin@demo.test',
      password: 'demo-password',
    });
    const accountId = admin.accountId;
    const [pipeline] = await client.send('tickets.pipelines.list', { accountId });
    const closed = pipeline.stages.find((stage) => stage.state === 'closed')!;
    const open = pipeline.stages.find((stage) => stage.state === 'open')!;
    const update = (closedStages: Record<string, string>) =>
      client.send('identity.portal.update', {
        accountId,
        actorUserId: admin.id,
        section: 'ticketActions',
        settings: { replyToClosed: true, allowClose: true, closedStages },
      });

    await expect(update({ [pipeline.id]: open.id })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { [`settings.closedStages.${pipeline.id}`]: ['must be a closed stage of this pipeline'] },
    });
    await expect(update({ [open.id]: closed.id })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const saved = await update({ [pipeline.id]: closed.id });
    expect(saved.ticketActions.closedStages).toEqual({ [pipeline.id]: closed.id });
  });

  it('identity checks the portal’s columns and visibility filter against the ticket properties', async () => {
    const admin = await client.send('identity.users.authenticate', {
      email: 'admin@demo.test',
      password: 'demo-password',
    });
    const portal = await client.send('identity.portal.get', { accountId: admin.accountId });
    const update = (ticketDisplay: Record<string, unknown>) =>
      client.send('identity.portal.update', {
        accountId: admin.accountId,
        actorUserId: admin.id,
        section: 'ticketDisplay',
        settings: { ...portal.ticketDisplay, ...ticketDisplay },
      });

    await expect(update({ columns: [{ property: 'shoe_size', label: 'Shoe size' }] })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { 'settings.columns.0.property': ['"shoe_size" is not a ticket property'] },
    });
    await expect(
      update({ visibility: { groups: [[{ property: 'priority', operator: 'eq', value: 'whenever' }]] } }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    const saved = await update({
      label: 'Cases',
      visibility: { groups: [[{ property: 'priority', operator: 'any_of', value: ['high', 'urgent'] }]] },
    });
    expect(saved.ticketDisplay).toMatchObject({ label: 'Cases' });
    await update({}); // back to the seeded display for the next test
  });

  it('seeds the demo tickets in the support pipeline for the demo contacts, some closed', async () => {
    const admin = await client.send('identity.users.authenticate', {
      email: 'admin@demo.test',
      password: 'demo-password',
    });
    const alice = (
      await client.send('identity.contacts.list', { accountId: admin.accountId, search: 'alice' })
    ).items[0];
    const scope = await client.send('identity.viewer.scope', {
      accountId: admin.accountId,
      contactId: alice.id,
    });
    const portal = await client.send('identity.portal.get', { accountId: admin.accountId });
    const page = await client.send('tickets.portal.list', {
      accountId: admin.accountId,
      viewer: scope,
      visibility: portal.ticketDisplay.visibility,
      ownerDisplay: { mode: portal.ticketDisplay.ownerDisplay, alias: portal.ticketDisplay.ownerAlias },
      limit: 100,
    });
    // Company mode: Alice sees Acme's tickets (hers and Bob's), never Globex's.
    expect(scope.seesCompanyTickets).toBe(true);
    expect(page.items.length).toBe(8);
    expect(new Set(page.items.map((t) => t.companyId))).toEqual(new Set([alice.primaryCompanyId]));
    expect(page.items.some((t) => t.closed)).toBe(true);
    expect(page.items.some((t) => t.ownerName === 'Sam')).toBe(true);
  });
});
