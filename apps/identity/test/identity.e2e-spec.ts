import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RpcClient } from '@helpdesk/kit';
import { pendingSchemaChanges } from '@helpdesk/testing';
import { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { DEMO_PASSWORD, seedIdentityDemo } from '../src/demo-seed.js';
import { ormConfig } from '../src/mikro-orm.config.js';
import { startIdentity, type IdentityUnderTest } from './identity-under-test.js';

let identity: IdentityUnderTest;
let databaseUrl: string;
let client: RpcClient;
let demoAccountId: string;

beforeAll(async () => {
  identity = await startIdentity('helpdesk_test_identity');
  ({ databaseUrl, client } = identity);
  demoAccountId = identity.demo.accountId;
}, 60_000);

afterAll(async () => {
  await identity?.stop();
});

describe('identity service over NATS', () => {
  it('has migrations that match its entities exactly', async () => {
    expect(await pendingSchemaChanges(ormConfig(databaseUrl))).toBe('');
  });

  it('seeds the demo account once, however often the seed runs', async () => {
    const orm = await MikroORM.init(ormConfig(databaseUrl));
    try {
      expect(await seedIdentityDemo(orm)).toMatchObject({
        accountId: demoAccountId,
        created: false,
        contacts: { 'alice@acme.test': expect.any(Object) },
      });
    } finally {
      await orm.close(true);
    }
  });

  it('authenticates the seeded admin with every permission, whatever the email case', async () => {
    const user = await client.send('identity.users.authenticate', {
      email: ' Admin@Demo.TEST ',
      password: DEMO_PASSWORD,
    });
    expect(user).toMatchObject({
      accountId: demoAccountId,
      email: 'admin@demo.test',
      permissions: expect.arrayContaining(['portal.settings', 'tickets']),
    });
    expect(user).not.toHaveProperty('passwordHash');
  });

  it('gives the agent no portal settings permission', async () => {
    const agent = await client.send('identity.users.authenticate', {
      email: 'agent@demo.test',
      password: DEMO_PASSWORD,
    });
    expect(agent.permissions).toEqual(['tickets', 'inbox']);
  });

  it('answers a wrong password and an unknown email identically', async () => {
    const wrongPassword = await client
      .send('identity.users.authenticate', { email: 'admin@demo.test', password: 'nope' })
      .catch((e: unknown) => e);
    const unknownEmail = await client
      .send('identity.users.authenticate', { email: 'nobody@demo.test', password: 'nope' })
      .catch((e: unknown) => e);
    expect(wrongPassword).toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(unknownEmail).toMatchObject({
      code: 'INVALID_CREDENTIALS',
      message: (wrongPassword as Error).message,
    });
  });

  it('finds a user only within its own account', async () => {
    const admin = await client.send('identity.users.authenticate', {
      email: 'admin@demo.test',
      password: DEMO_PASSWORD,
    });
    await expect(
      client.send('identity.users.get', { accountId: demoAccountId, id: admin.id }),
    ).resolves.toMatchObject({ id: admin.id });
    await expect(
      client.send('identity.users.get', { accountId: randomUUID(), id: admin.id }),
    ).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
  });

  it('lists the account’s internal users by name, and no other account’s', async () => {
    const users = await client.send('identity.users.list', { accountId: demoAccountId });
    expect(users.map((user) => user.email)).toEqual(['admin@demo.test', 'agent@demo.test']);
    expect(users[0]).not.toHaveProperty('passwordHash');
    await expect(client.send('identity.users.list', { accountId: randomUUID() })).resolves.toEqual([]);
  });

  it('answers malformed requests with field errors', async () => {
    await expect(
      client.send('identity.users.authenticate', { email: 'not-an-email', password: '' }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { email: ['must be an email address'], password: ['is required'] },
    });
    await expect(
      client.send('identity.users.get', { accountId: demoAccountId, id: 42 } as never),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('answers identity.ping with its database up', async () => {
    await expect(client.send('identity.ping', {})).resolves.toEqual({ service: 'identity', database: 'up' });
  });
});
