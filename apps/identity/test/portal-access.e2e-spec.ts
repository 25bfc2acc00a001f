import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { correlation, type RpcClient } from '@helpdesk/kit';
import { pendingSchemaChanges, withDatabase, type TestService, type TestSmtp } from '@helpdesk/testing';
import { randomUUID } from 'node:crypto';
import { connect, JSONCodec, type NatsConnection } from 'nats';
import type { IdentityDemo } from '../src/demo-seed.js';
import { DEMO_PASSWORD } from '../src/demo-seed.js';
import { ormConfig } from '../src/mikro-orm.config.js';
import { rejection } from '@helpdesk/testing';
import { startIdentity, type IdentityUnderTest } from './identity-under-test.js';

let identity: IdentityUnderTest;
let smtp: TestSmtp;
let databaseUrl: string;
let service: TestService;
let client: RpcClient;
let events: NatsConnection;
let demo: IdentityDemo;
let adminId: string;
const received: { subject: string; data: Record<string, unknown> }[] = [];

const tokenFrom = async (to: string, page: string) => {
  const mail = await smtp.waitFor(to, (m) => smtp.links(m).some((link) => link.includes(`/${page}?`)));
  mail.to = []; // consumed: the next wait finds the next mail
  const link = smtp.links(mail).find((l) => l.includes(`/${page}?`))!;
  return { link, token: new URL(link).searchParams.get('token')! };
};

beforeAll(async () => {
  identity = await startIdentity('helpdesk_test_identity_access');
  ({ smtp, databaseUrl, service, client, demo, adminId } = identity);
  events = await connect({ servers: identity.nats.url });
  const codec = JSONCodec<{ data: Record<string, unknown> }>();
  for (const subject of ['portal.updated', 'contact.sessions.revoked']) {
    events.subscribe(subject, {
      callback: (_error, message) => received.push({ subject, data: codec.decode(message.data).data }),
    });
  }
  await events.flush();
}, 60_000);

afterAll(async () => {
  await events?.close();
  await identity?.stop();
});

const accountId = () => demo.accountId;
const alice = () => demo.contacts['alice@acme.test'];

describe('identity: the portal, its settings and the ways into it', () => {
  it('has migrations that match its entities exactly', async () => {
    expect(await pendingSchemaChanges(ormConfig(databaseUrl))).toBe('');
  });

  it('resolves the demo portal by host and slug, in the language of the domain', async () => {
    const english = await client.send('identity.portal.resolve', { host: 'localhost:3000', slug: 'support' });
    expect(english).toMatchObject({
      accountId: accountId(),
      general: { name: 'Demo Support', slug: 'support', enabled: true },
      domain: { hostname: 'localhost', language: 'en' },
    });
    const finnish = await client.send('identity.portal.resolve', { host: 'FI.localhost', slug: 'Support' });
    expect(finnish.domain).toMatchObject({ hostname: 'fi.localhost', language: 'fi' });
    expect(english.access).not.toHaveProperty('oidc.clientSecret');
    expect(
      await rejection(client.send('identity.portal.resolve', { host: 'localhost', slug: 'nope' })),
    ).toMatchObject({ code: 'PORTAL_NOT_FOUND' });
    expect(
      await rejection(client.send('identity.portal.resolve', { host: 'evil.test', slug: 'support' })),
    ).toMatchObject({ code: 'PORTAL_NOT_FOUND' });
  });

  it('refuses invalid settings with field messages and changes nothing', async () => {
    const before = await client.send('identity.portal.get', { accountId: accountId() });
    const columns = Array.from({ length: 11 }, (_, i) => ({ property: `p${i}`, label: `P${i}` }));
    const cases: [string, unknown, string][] = [
      ['ticketDisplay', { ...before.ticketDisplay, columns }, 'settings.columns'],
      ['general', { ...before.general, slug: '' }, 'settings.slug'],
      ['general', { ...before.general, slug: 'Not A Slug!' }, 'settings.slug'],
      ['access', { ...before.access, accessGroupIds: [randomUUID()] }, 'settings.accessGroupIds.0'],
      [
        'permissions',
        { mode: 'segment', segment: { groups: [[{ property: 'nope', operator: 'eq', value: 'x' }]] } },
        'settings.segment.groups.0.0.property',
      ],
      ['theme', { ...before.theme, primaryColor: 'red' }, 'settings.primaryColor'],
    ];
    for (const [section, settings, field] of cases) {
      const error = await rejection(
        client.send('identity.portal.update', {
          accountId: accountId(),
          actorUserId: adminId,
          section: section as never,
          settings,
        }),
      );
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(Object.keys(error!.fields ?? {})).toContain(field);
    }
    const after = await client.send('identity.portal.get', { accountId: accountId() });
    expect(after).toEqual(before);
  });

  it('stores a valid change with an audit entry and announces portal.updated', async () => {
    const before = await client.send('identity.portal.get', { accountId: accountId() });
    const updated = await client.send('identity.portal.update', {
      accountId: accountId(),
      actorUserId: adminId,
      section: 'general',
      settings: { ...before.general, name: 'Acme Help' },
    });
    expect(updated.general.name).toBe('Acme Help');
    const audit = await client.send('identity.portal.audit', { accountId: accountId(), limit: 1 });
    expect(audit.items[0]).toMatchObject({
      actorUserId: adminId,
      section: 'general',
      before: { name: 'Demo Support' },
      after: { name: 'Acme Help' },
    });
    const deadline = Date.now() + 3_000;
    while (!received.some((e) => e.subject === 'portal.updated') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(received.find((e) => e.subject === 'portal.updated')?.data).toMatchObject({
      accountId: accountId(),
      portalId: updated.id,
      section: 'general',
    });
  });

  it('keeps the OIDC client secret write-only', async () => {
    const before = await client.send('identity.portal.get', { accountId: accountId() });
    const withSecret = await client.send('identity.portal.update', {
      accountId: accountId(),
      actorUserId: adminId,
      section: 'access',
      settings: {
        ...before.access,
        oidc: { issuer: 'https://id.example.test', clientId: 'portal', clientSecret: 's3cret-value' },
      },
    });
    expect(withSecret.access).toMatchObject({
      oidcSecretSet: true,
      oidc: { issuer: 'https://id.example.test', clientId: 'portal' },
    });
    expect(JSON.stringify(withSecret)).not.toContain('s3cret-value');
    const audit = await client.send('identity.portal.audit', { accountId: accountId(), limit: 1 });
    expect(JSON.stringify(audit)).not.toContain('s3cret-value');
    // Saving again without the secret keeps it.
    const kept = await client.send('identity.portal.update', {
      accountId: accountId(),
      actorUserId: adminId,
      section: 'access',
      settings: { ...before.access, oidc: { issuer: 'https://id.example.test', clientId: 'portal' } },
    });
    expect(kept.access.oidcSecretSet).toBe(true);
    await client.send('identity.portal.update', {
      accountId: accountId(),
      actorUserId: adminId,
      section: 'access',
      settings: { ...before.access, oidc: null },
    });
  });

  it('scopes viewers by permission mode: own, company, and segment with one contact in and one out', async () => {
    const set = async (permissions: unknown) =>
      client.send('identity.portal.update', {
        accountId: accountId(),
        actorUserId: adminId,
        section: 'permissions',
        settings: permissions,
      });
    const scope = (contactId: string) =>
      client.send('identity.viewer.scope', { accountId: accountId(), contactId });
    const bob = demo.contacts['bob@acme.test'];

    expect(await scope(alice().id)).toEqual({
      contactId: alice().id,
      companyId: alice().companyId,
      seesCompanyTickets: true,
    });

    await set({ mode: 'own', segment: { groups: [] } });
    expect((await scope(alice().id)).seesCompanyTickets).toBe(false);

    await client.send('identity.contactProperties.create', {
      accountId: accountId(),
      name: 'plan',
      label: 'Plan',
      type: 'enumeration',
      options: [
        { value: 'basic', label: 'Basic' },
        { value: 'premium', label: 'Premium' },
      ],
    });
    await client.send('identity.contacts.update', {
      accountId: accountId(),
      id: alice().id,
      properties: { plan: 'premium' },
    });
    await set({
      mode: 'segment',
      segment: { groups: [[{ property: 'plan', operator: 'eq', value: 'premium' }]] },
    });
    expect((await scope(alice().id)).seesCompanyTickets).toBe(true);
    expect((await scope(bob.id)).seesCompanyTickets).toBe(false);

    await set({ mode: 'company', segment: { groups: [] } });
    expect((await scope(bob.id)).seesCompanyTickets).toBe(true);
  });

  it('invites a new access group member, who sets a password and logs in', async () => {
    const dave = await client.send('identity.contacts.create', {
      accountId: accountId(),
      email: 'Dave@Acme.test',
      firstName: 'Dave',
      primaryCompanyId: alice().companyId,
    });
    const [customers] = await client.send('identity.accessGroups.list', { accountId: accountId() });
    await client.send('identity.accessGroups.addMembers', {
      accountId: accountId(),
      groupId: customers.id,
      contactIds: [dave.id],
    });

    const { link, token } = await tokenFrom('dave@acme.test', 'accept-invitation');
    expect(link.startsWith('http://localhost:3000/support/accept-invitation?token=')).toBe(true);
    const members = await client.send('identity.accessGroups.members', {
      accountId: accountId(),
      groupId: customers.id,
      limit: 100,
    });
    expect(members.items.find((m) => m.contact.id === dave.id)?.invitationStatus).toBe('pending');
    const davesGroups = await client.send('identity.accessGroups.ofContact', {
      accountId: accountId(),
      contactId: dave.id,
    });
    expect(davesGroups.map((group) => group.name)).toEqual([customers.name]);
    await expect(
      client.send('identity.accessGroups.ofContact', { accountId: randomUUID(), contactId: dave.id }),
    ).resolves.toEqual([]);

    expect(
      await rejection(
        client.send('identity.portal.acceptInvitation', {
          accountId: accountId(),
          token,
          password: 'password1',
        }),
      ),
    ).toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { password: [expect.stringContaining('common')] },
    });
    await client.send('identity.portal.acceptInvitation', {
      accountId: accountId(),
      token,
      password: 'a long and unusual passphrase',
    });
    const login = await client.send('identity.portal.login', {
      accountId: accountId(),
      email: 'dave@acme.test',
      password: 'a long and unusual passphrase',
    });
    expect(login.contact.id).toBe(dave.id);
    const after = await client.send('identity.accessGroups.members', {
      accountId: accountId(),
      groupId: customers.id,
      limit: 100,
    });
    expect(after.items.find((m) => m.contact.id === dave.id)?.invitationStatus).toBe('accepted');
    expect(
      await rejection(
        client.send('identity.portal.acceptInvitation', {
          accountId: accountId(),
          token,
          password: 'another unusual passphrase',
        }),
      ),
    ).toMatchObject({
      code: 'TOKEN_INVALID',
    });
  });

  it('registers with consent, verifies by email link, then logs in', async () => {
    const portal = await client.send('identity.portal.get', { accountId: accountId() });
    const localhost = portal.domains.find((d) => d.hostname === 'localhost')!;
    await client.send('identity.portal.update', {
      accountId: accountId(),
      actorUserId: adminId,
      section: 'access',
      settings: { ...portal.access, mode: 'self_registration', oidc: null },
    });
    await client.send('identity.portal.update', {
      accountId: accountId(),
      actorUserId: adminId,
      section: 'consent',
      settings: {
        notices: [
          {
            domainId: localhost.id,
            text: 'We process your data as described in [our policy](https://demo.test/privacy).',
            checkboxText: 'I agree',
          },
        ],
      },
    });
    const registration = {
      accountId: accountId(),
      domainId: localhost.id,
      email: 'erin@newco.test',
      firstName: 'Erin',
      lastName: 'Evans',
      password: 'correct horse battery staple',
    };

    expect(
      await rejection(client.send('identity.portal.register', { ...registration, consent: false })),
    ).toMatchObject({ code: 'VALIDATION_FAILED', fields: { consent: expect.any(Array) } });
    expect(await client.send('identity.portal.register', { ...registration, consent: true })).toEqual({
      accepted: true,
    });
    expect(
      await rejection(
        client.send('identity.portal.login', {
          accountId: accountId(),
          email: registration.email,
          password: registration.password,
        }),
      ),
    ).toMatchObject({ code: 'INVALID_CREDENTIALS' });

    const { token } = await tokenFrom('erin@newco.test', 'verify-email');
    const verified = await client.send('identity.portal.verifyEmail', { accountId: accountId(), token });
    const login = await client.send('identity.portal.login', {
      accountId: accountId(),
      email: registration.email,
      password: registration.password,
    });
    expect(login.contact.id).toBe(verified.contact.id);
    const consent = await withDatabase(databaseUrl, (db) =>
      db.query(
        'select notice_text, checkbox_text, consented_at from identity.consent_record where contact_id = $1',
        [login.contact.id],
      ),
    );
    expect(consent.rows).toEqual([
      {
        notice_text: expect.stringContaining('our policy'),
        checkbox_text: 'I agree',
        consented_at: expect.any(Date),
      },
    ]);
    expect(
      await rejection(client.send('identity.portal.verifyEmail', { accountId: accountId(), token })),
    ).toMatchObject({ code: 'TOKEN_INVALID' });

    // Registering again with a known address answers the same, and sends the owner a reset link instead.
    expect(await client.send('identity.portal.register', { ...registration, consent: true })).toEqual({
      accepted: true,
    });
    await tokenFrom('erin@newco.test', 'reset-password');
    await client.send('identity.portal.update', {
      accountId: accountId(),
      actorUserId: adminId,
      section: 'access',
      settings: { ...portal.access, oidc: null },
    });
  });

  it('resets a password by single-use link and revokes the old sessions', async () => {
    expect(
      await client.send('identity.portal.requestPasswordReset', {
        accountId: accountId(),
        email: 'alice@acme.test',
      }),
    ).toEqual({ accepted: true });
    expect(
      await client.send('identity.portal.requestPasswordReset', {
        accountId: accountId(),
        email: 'nobody@acme.test',
      }),
    ).toEqual({ accepted: true });
    const { token } = await tokenFrom('alice@acme.test', 'reset-password');

    await client.send('identity.portal.resetPassword', {
      accountId: accountId(),
      token,
      password: 'brand new passphrase',
    });
    await expect(
      client.send('identity.portal.login', {
        accountId: accountId(),
        email: 'alice@acme.test',
        password: 'brand new passphrase',
      }),
    ).resolves.toBeDefined();
    expect(
      await rejection(
        client.send('identity.portal.login', {
          accountId: accountId(),
          email: 'alice@acme.test',
          password: DEMO_PASSWORD,
        }),
      ),
    ).toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(
      await rejection(
        client.send('identity.portal.resetPassword', {
          accountId: accountId(),
          token,
          password: 'third passphrase here',
        }),
      ),
    ).toMatchObject({ code: 'TOKEN_INVALID' });
    const deadline = Date.now() + 3_000;
    while (
      !received.some((e) => e.subject === 'contact.sessions.revoked' && e.data.contactId === alice().id) &&
      Date.now() < deadline
    )
      await new Promise((r) => setTimeout(r, 20));
    expect(
      received.some((e) => e.subject === 'contact.sessions.revoked' && e.data.contactId === alice().id),
    ).toBe(true);
    expect(smtp.mails.filter((m) => m.to.includes('nobody@acme.test'))).toEqual([]);
  });

  it('answers failed logins alike for unknown emails and wrong passwords', async () => {
    const unknown = await rejection(
      client.send('identity.portal.login', {
        accountId: accountId(),
        email: 'ghost@acme.test',
        password: 'whatever it is',
      }),
    );
    const wrong = await rejection(
      client.send('identity.portal.login', {
        accountId: accountId(),
        email: 'bob@acme.test',
        password: 'whatever it is',
      }),
    );
    expect(unknown).toEqual(wrong);
    expect(unknown).toMatchObject({ code: 'INVALID_CREDENTIALS' });
  });

  it('refuses a contact outside the access groups with a reason, and revokes its sessions on removal', async () => {
    const [customers] = await client.send('identity.accessGroups.list', { accountId: accountId() });
    const bob = demo.contacts['bob@acme.test'];
    await client.send('identity.accessGroups.removeMembers', {
      accountId: accountId(),
      groupId: customers.id,
      contactIds: [bob.id],
    });
    expect(
      await rejection(
        client.send('identity.portal.login', {
          accountId: accountId(),
          email: 'bob@acme.test',
          password: DEMO_PASSWORD,
        }),
      ),
    ).toMatchObject({
      code: 'PORTAL_ACCESS_DENIED',
      message: expect.stringContaining('access'),
    });
    const deadline = Date.now() + 3_000;
    while (
      !received.some((e) => e.subject === 'contact.sessions.revoked' && e.data.contactId === bob.id) &&
      Date.now() < deadline
    )
      await new Promise((r) => setTimeout(r, 20));
    expect(
      received.some((e) => e.subject === 'contact.sessions.revoked' && e.data.contactId === bob.id),
    ).toBe(true);
    await client.send('identity.accessGroups.addMembers', {
      accountId: accountId(),
      groupId: customers.id,
      contactIds: [bob.id],
    });
  });

  it('never resolves, authenticates or lists a contact of one account under another', async () => {
    const otherAccount = randomUUID();
    await withDatabase(databaseUrl, (db) =>
      db.query("insert into identity.account (id, name, created_at) values ($1, 'Other', now())", [
        otherAccount,
      ]),
    );
    await client.send('identity.domains.add', {
      accountId: otherAccount,
      hostname: 'other.test',
      language: 'fi',
    });
    const otherPortal = await client.send('identity.portal.resolve', { host: 'other.test', slug: 'support' });
    expect(otherPortal.accountId).toBe(otherAccount);

    expect(
      await rejection(client.send('identity.contacts.get', { accountId: otherAccount, id: alice().id })),
    ).toMatchObject({ code: 'CONTACT_NOT_FOUND' });
    expect(
      (await client.send('identity.contacts.list', { accountId: otherAccount, search: 'alice' })).items,
    ).toEqual([]);
    expect(
      await rejection(
        client.send('identity.viewer.scope', { accountId: otherAccount, contactId: alice().id }),
      ),
    ).toMatchObject({ code: 'CONTACT_NOT_FOUND' });
    expect(
      await rejection(
        client.send('identity.portal.login', {
          accountId: otherAccount,
          email: 'alice@acme.test',
          password: 'brand new passphrase',
        }),
      ),
    ).toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(
      await rejection(
        client.send('identity.companies.get', { accountId: otherAccount, id: alice().companyId! }),
      ),
    ).toMatchObject({ code: 'COMPANY_NOT_FOUND' });
    expect(
      await rejection(
        client.send('identity.domains.add', { accountId: otherAccount, hostname: 'localhost' }),
      ),
    ).toMatchObject({ code: 'CONFLICT' });
  });

  it('answers bad input with coded errors and stores nothing half-way', async () => {
    const [customers] = await client.send('identity.accessGroups.list', { accountId: accountId() });
    const before = await client.send('identity.accessGroups.members', {
      accountId: accountId(),
      groupId: customers.id,
      limit: 100,
    });
    expect(
      await rejection(
        client.send('identity.accessGroups.addMembers', {
          accountId: accountId(),
          groupId: customers.id,
          contactIds: [alice().id, randomUUID()],
        }),
      ),
    ).toMatchObject({
      code: 'CONTACT_NOT_FOUND',
    });
    const after = await client.send('identity.accessGroups.members', {
      accountId: accountId(),
      groupId: customers.id,
      limit: 100,
    });
    expect(after.items.length).toBe(before.items.length);

    expect(
      await rejection(
        client.send('identity.contacts.create', { accountId: accountId(), email: 'not an email' }),
      ),
    ).toMatchObject({ code: 'VALIDATION_FAILED', fields: { email: expect.any(Array) } });
    expect(
      await rejection(
        client.send('identity.contacts.create', { accountId: accountId(), email: 'alice@acme.test' }),
      ),
    ).toMatchObject({ code: 'EMAIL_TAKEN' });
    expect(
      await rejection(
        client.send('identity.contacts.create', {
          accountId: accountId(),
          email: 'zed@acme.test',
          primaryCompanyId: randomUUID(),
        }),
      ),
    ).toMatchObject({ code: 'COMPANY_NOT_FOUND' });
    expect(
      await rejection(
        client.send('identity.contacts.create', {
          accountId: accountId(),
          email: 'zed@acme.test',
          properties: { plan: 'gold' },
        }),
      ),
    ).toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { 'properties.plan': [expect.stringContaining('basic')] },
    });
    expect(
      (await client.send('identity.contacts.list', { accountId: accountId(), search: 'zed' })).items,
    ).toEqual([]);
    expect(
      await rejection(client.send('identity.contacts.list', { accountId: accountId(), after: 'bogus' })),
    ).toMatchObject({ code: 'INVALID_CURSOR' });
    expect(
      await rejection(
        client.send('identity.portal.update', {
          accountId: accountId(),
          actorUserId: adminId,
          section: 'nope' as never,
          settings: {},
        }),
      ),
    ).toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect(service.logs.find((line) => line.code === 'INTERNAL')).toEqual([]);
  });

  it('pages contacts by email and finds them by name', async () => {
    const first = await client.send('identity.contacts.list', { accountId: accountId(), limit: 2 });
    const second = await client.send('identity.contacts.list', {
      accountId: accountId(),
      limit: 2,
      after: first.nextCursor!,
    });
    const emails = [...first.items, ...second.items].map((c) => c.email);
    expect(emails).toEqual([...emails].sort());
    expect(new Set(emails).size).toBe(emails.length);
    expect(
      (await client.send('identity.contacts.list', { accountId: accountId(), search: 'CAROL' })).items.map(
        (c) => c.email,
      ),
    ).toEqual(['carol@globex.test']);
    await correlation.run({ correlationId: 'identity-test-1234' }, () =>
      client.send('identity.contacts.list', { accountId: accountId(), search: '%' }),
    );
    expect(service.logs.find((line) => line.correlationId === 'identity-test-1234')).toHaveLength(1);
  });
});
