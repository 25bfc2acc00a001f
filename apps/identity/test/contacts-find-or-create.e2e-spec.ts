import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RpcClient } from '@helpdesk/kit';
import { withDatabase } from '@helpdesk/testing';
import { connect } from 'nats';
import { randomUUID } from 'node:crypto';
import { rejection } from '@helpdesk/testing';
import { startIdentity, type IdentityUnderTest } from './identity-under-test.js';

// identity.contacts.findOrCreate: how a form submission finds its requester (forms' relay calls it).

let identity: IdentityUnderTest;
let client: RpcClient;
let accountId: string;

beforeAll(async () => {
  identity = await startIdentity('helpdesk_test_identity_find_or_create');
  client = identity.client;
  accountId = identity.demo.accountId;
  await client.send('identity.contactProperties.create', {
    accountId,
    name: 'seats',
    label: 'Seats',
    type: 'number',
  });
  await client.send('identity.contactProperties.create', {
    accountId,
    name: 'plan',
    label: 'Plan',
    type: 'enumeration',
    options: [{ value: 'pro', label: 'Pro' }],
  });
}, 60_000);

afterAll(async () => {
  await identity?.stop();
});

const contactRows = (email: string) =>
  withDatabase(identity.databaseUrl, async (db) => {
    const result = await db.query('select id from identity.contact where account_id = $1 and email = $2', [
      accountId,
      email,
    ]);
    return result.rows.map((row: { id: string }) => row.id);
  });

describe('identity.contacts.findOrCreate', () => {
  it('creates a missing contact with the names and the property values that fit', async () => {
    const contact = await client.send('identity.contacts.findOrCreate', {
      accountId,
      email: ' Gina@Example.TEST ',
      firstName: 'Gina',
      lastName: 'Green',
      properties: { seats: 3, plan: 'gold', nope: 'x' },
    });
    expect(contact).toMatchObject({
      email: 'gina@example.test',
      firstName: 'Gina',
      lastName: 'Green',
      primaryCompanyId: null,
      properties: { seats: 3 },
    });
    expect(await contactRows('gina@example.test')).toEqual([contact.id]);
  });

  it('finds an existing contact and fills only what it has no value for', async () => {
    const alice = identity.demo.contacts['alice@acme.test'];
    const found = await client.send('identity.contacts.findOrCreate', {
      accountId,
      email: 'ALICE@acme.test',
      firstName: 'Mallory',
      lastName: 'Mallet',
      properties: { seats: 7 },
    });
    expect(found).toMatchObject({
      id: alice.id,
      firstName: 'Alice',
      lastName: 'Anderson',
      primaryCompanyId: alice.companyId,
      properties: { seats: 7 },
    });
    const again = await client.send('identity.contacts.findOrCreate', {
      accountId,
      email: 'alice@acme.test',
      properties: { seats: 99, plan: 'pro' },
    });
    expect(again.properties).toEqual({ seats: 7, plan: 'pro' });
  });

  it('announces contact.updated when it fills a blank, before it answers, and not when nothing changed', async () => {
    const events = await connect({ servers: identity.nats.url });
    const updated: string[] = [];
    events.subscribe('contact.updated', {
      callback: (_error, message) =>
        updated.push(message.json<{ data: { contactId: string } }>().data.contactId),
    });
    await events.flush();
    try {
      const { bob, carol } = {
        bob: identity.demo.contacts['bob@acme.test'],
        carol: identity.demo.contacts['carol@globex.test'],
      };
      const fill = () =>
        client.send('identity.contacts.findOrCreate', {
          accountId,
          email: bob.email,
          properties: { seats: 2 },
        });
      const announced = async (count: number) => {
        for (const deadline = Date.now() + 2_000; updated.length < count && Date.now() < deadline;)
          await new Promise((resolve) => setTimeout(resolve, 10));
        return updated;
      };
      await fill();
      expect(await announced(1)).toEqual([bob.id]);
      await fill(); // nothing left to fill
      await client.send('identity.contacts.update', { accountId, id: carol.id, lastName: 'Cole' });
      expect(await announced(2)).toEqual([bob.id, carol.id]);
    } finally {
      await events.close();
    }
  });

  it('makes one contact when many ask for the same new email at once', async () => {
    const email = `race-${randomUUID().slice(0, 8)}@example.test`;
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        client.send('identity.contacts.findOrCreate', { accountId, email, firstName: `Racer ${i}` }),
      ),
    );
    const ids = new Set(answers.map((contact) => contact.id));
    expect(ids.size).toBe(1);
    expect(await contactRows(email)).toEqual([...ids]);
    expect(answers.every((contact) => contact.firstName.startsWith('Racer'))).toBe(true);
  });

  it('refuses an account that does not exist and an email that is not one', async () => {
    expect(
      (
        await rejection(
          client.send('identity.contacts.findOrCreate', { accountId: randomUUID(), email: 'a@b.test' }),
        )
      )?.code,
    ).toBe('ACCOUNT_NOT_FOUND');
    expect(
      await rejection(client.send('identity.contacts.findOrCreate', { accountId, email: 'not an email' })),
    ).toMatchObject({ code: 'VALIDATION_FAILED', fields: { email: ['must be an email address'] } });
  });
});
