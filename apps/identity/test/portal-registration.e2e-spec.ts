import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RpcClient } from '@helpdesk/kit';
import { withDatabase, type TestSmtp } from '@helpdesk/testing';
import { randomUUID } from 'node:crypto';
import type { IdentityDemo } from '../src/demo-seed.js';
import { rejection } from '@helpdesk/testing';
import { startIdentity, type IdentityUnderTest } from './identity-under-test.js';

// Self-registration and password reset against a real PostgreSQL and SMTP server: a registration may
// never hand someone else's address a password of the registrant's choosing, and the mails follow
// the domain the visitor was on.

let identity: IdentityUnderTest;
let smtp: TestSmtp;
let client: RpcClient;
let demo: IdentityDemo;
let domains: { localhost: string; finnish: string };

/** The link to `page` in the next mail to `to`; the mail is then consumed. */
async function mailedLink(to: string, page: string) {
  const mail = await smtp.waitFor(to, (m) => smtp.links(m).some((link) => link.includes(`/${page}?`)));
  mail.to = [];
  const link = smtp.links(mail).find((l) => l.includes(`/${page}?`))!;
  return { mail, link, token: new URL(link).searchParams.get('token')! };
}

const logIn = (email: string, password: string) =>
  client.send('identity.portal.login', { accountId: demo.accountId, email, password });

const register = (email: string, password: string) =>
  client.send('identity.portal.register', {
    accountId: demo.accountId,
    domainId: domains.localhost,
    email,
    firstName: 'Mallory',
    lastName: 'Registrant',
    password,
  });

beforeAll(async () => {
  identity = await startIdentity('helpdesk_test_identity_registration');
  ({ smtp, client, demo } = identity);
  const portal = await client.send('identity.portal.get', { accountId: demo.accountId });
  domains = {
    localhost: portal.domains.find((d) => d.hostname === 'localhost')!.id,
    finnish: portal.domains.find((d) => d.hostname === 'fi.localhost')!.id,
  };
  await client.send('identity.portal.update', {
    accountId: demo.accountId,
    actorUserId: identity.adminId,
    section: 'access',
    settings: { ...portal.access, mode: 'self_registration', oidc: null },
  });
}, 60_000);

afterAll(async () => {
  await identity?.stop();
});

describe('identity: registering with an address that is a contact’s already', () => {
  it('never makes the registrant’s password the contact’s: the owner gets a link to choose their own', async () => {
    // A customer who has only emailed support: a contact without a portal login.
    const owner = await client.send('identity.contacts.create', {
      accountId: demo.accountId,
      email: `owner-${randomUUID()}@customer.test`,
      firstName: 'Olivia',
    });
    expect(await register(owner.email, 'the registrants password')).toEqual({ accepted: true });

    // The owner opens the mail they did not expect: it asks them to choose a password of their own.
    const { mail, token } = await mailedLink(owner.email, 'reset-password');
    expect(smtp.links(mail).some((link) => link.includes('/verify-email?'))).toBe(false);
    await client.send('identity.portal.resetPassword', {
      accountId: demo.accountId,
      token,
      password: 'olivias own password',
    });
    expect(await rejection(logIn(owner.email, 'the registrants password'))).toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    expect((await logIn(owner.email, 'olivias own password')).contact.id).toBe(owner.id);
    // The registrant's names do not replace the contact's.
    expect(
      await client.send('identity.contacts.get', { accountId: demo.accountId, id: owner.id }),
    ).toMatchObject({
      firstName: owner.firstName,
      lastName: owner.lastName,
    });
  });

  it('answers a new address, a contact without a login and a registered customer alike', async () => {
    const contact = await client.send('identity.contacts.create', {
      accountId: demo.accountId,
      email: `no-login-${randomUUID()}@customer.test`,
    });
    const answers = await Promise.all(
      [`new-${randomUUID()}@newco.test`, contact.email, 'carol@globex.test'].map((email) =>
        register(email, 'some long password'),
      ),
    );
    expect(answers).toEqual([{ accepted: true }, { accepted: true }, { accepted: true }]);
    await mailedLink(contact.email, 'reset-password');
    await mailedLink('carol@globex.test', 'reset-password');
  });

  it('keeps a password chosen by a reset link when an older verification link is opened later', async () => {
    // Someone registers a new address that is not theirs; its owner later sets a password by a reset link.
    const email = `victim-${randomUUID()}@newco.test`;
    await register(email, 'the impostors password');
    const verification = await mailedLink(email, 'verify-email');
    await client.send('identity.portal.requestPasswordReset', { accountId: demo.accountId, email });
    const reset = await mailedLink(email, 'reset-password');
    await client.send('identity.portal.resetPassword', {
      accountId: demo.accountId,
      token: reset.token,
      password: 'the owners password',
    });

    await client.send('identity.portal.verifyEmail', {
      accountId: demo.accountId,
      token: verification.token,
    });
    expect(await rejection(logIn(email, 'the impostors password'))).toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    await expect(logIn(email, 'the owners password')).resolves.toBeDefined();
  });

  it('still lets a newcomer in with the chosen password once the address is confirmed', async () => {
    const email = `newcomer-${randomUUID()}@newco.test`;
    await register(email, 'a newcomers password');
    const { token } = await mailedLink(email, 'verify-email');
    await client.send('identity.portal.verifyEmail', { accountId: demo.accountId, token });
    await expect(logIn(email, 'a newcomers password')).resolves.toBeDefined();
  });
});

describe('identity: the domain of a password reset mail', () => {
  it('writes in the language of the domain the reset was asked on and links to it', async () => {
    await client.send('identity.portal.requestPasswordReset', {
      accountId: demo.accountId,
      email: 'bob@acme.test',
      domainId: domains.finnish,
    });
    const { mail, link } = await mailedLink('bob@acme.test', 'reset-password');
    expect(link.startsWith('http://fi.localhost:3000/support/reset-password?token=')).toBe(true);
    expect(mail.text).toContain('Vaihda salasana');
  });

  it('falls back to the primary domain without a domain, or with another account’s', async () => {
    const otherAccount = randomUUID();
    await withDatabase(identity.databaseUrl, (db) =>
      db.query("insert into identity.account (id, name, created_at) values ($1, 'Other', now())", [
        otherAccount,
      ]),
    );
    const other = await client.send('identity.domains.add', {
      accountId: otherAccount,
      hostname: 'other.test',
      language: 'fi',
    });
    for (const domainId of [undefined, other.domains[0].id]) {
      await client.send('identity.portal.requestPasswordReset', {
        accountId: demo.accountId,
        email: 'bob@acme.test',
        ...(domainId ? { domainId } : {}),
      });
      const { mail, link } = await mailedLink('bob@acme.test', 'reset-password');
      expect(link.startsWith('http://localhost:3000/support/reset-password?token=')).toBe(true);
      expect(mail.text).toContain('Choose a new password');
    }
  });
});
