// Portal single sign-on through the identity service over NATS, against a real OpenID provider
// (oidc-provider on 127.0.0.1): start, the visitor's sign-in at the provider, complete.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RpcClient } from '@helpdesk/kit';
import {
  signInAtProvider,
  startTestOidcProvider,
  withDatabase,
  type TestOidcProvider,
  type TestOidcUser,
  type TestService,
} from '@helpdesk/testing';
import type { IdentityDemo } from '../src/demo-seed.js';
import { rejection } from '@helpdesk/testing';
import { startIdentity, type IdentityUnderTest } from './identity-under-test.js';

const REDIRECT_URI = 'http://localhost:3000/support/sso/callback';
const CLIENT_ID = 'helpdesk-portal';
const CLIENT_SECRET = 'sso-login-client-secret-never-shown';

/** The provider's people, by subject (deliberately unlike their emails). */
const USERS: Record<string, TestOidcUser> = {
  'u-alice': { email: 'alice@acme.test', email_verified: true, name: 'Alice Acme' },
  'u-nina': { email: 'nina@newco.test', email_verified: true, name: 'Nina van der Berg' },
  // Claims a demo contact's address, which the provider has not verified.
  'u-mallory': { email: 'bob@acme.test', email_verified: false, name: 'Mallory' },
  'u-oscar': { email: 'oscar@newco.test', email_verified: false, name: 'Oscar' },
  'u-alice-shouting': { email: 'Alice@ACME.test', email_verified: true, name: 'Alice Acme' },
  'u-paula': { email: 'paula@newco.test', email_verified: true, name: 'Paula Park' },
};

let identity: IdentityUnderTest;
let idp: TestOidcProvider;
let databaseUrl: string;
let service: TestService;
let client: RpcClient;
let demo: IdentityDemo;
let adminId: string;
/** Every authorization code the provider issued, to check none reaches the logs. */
const issuedCodes = new Set<string>();

const accountId = () => demo.accountId;

/** The whole login as the gateway drives it: start, the visitor signs in at the provider, complete. */
async function ssoLogin(subject: string) {
  const { authorizationUrl, secrets } = await client.send('identity.sso.start', {
    accountId: accountId(),
    redirectUri: REDIRECT_URI,
  });
  const callbackUrl = await signInAtProvider(authorizationUrl, subject);
  const code = new URL(callbackUrl).searchParams.get('code');
  if (code) issuedCodes.add(code);
  return client.send('identity.sso.complete', { accountId: accountId(), callbackUrl, secrets });
}

const linksOf = (subject: string) =>
  withDatabase(databaseUrl, async (db) => {
    const result = await db.query<{ contact_id: string; issuer: string; subject: string }>(
      'select contact_id, issuer, subject from identity.sso_link where account_id = $1 and subject = $2',
      [accountId(), subject],
    );
    return result.rows;
  });

const contactsWithEmail = (email: string) =>
  withDatabase(databaseUrl, async (db) => {
    const result = await db.query<{ id: string; first_name: string; last_name: string }>(
      'select id, first_name, last_name from identity.contact where account_id = $1 and lower(email) = lower($2)',
      [accountId(), email],
    );
    return result.rows;
  });

/** Updates the access section from its current value (the stored client secret is kept when omitted). */
async function setAccess(change: Record<string, unknown>) {
  const { access } = await client.send('identity.portal.get', { accountId: accountId() });
  return client.send('identity.portal.update', {
    accountId: accountId(),
    actorUserId: adminId,
    section: 'access',
    settings: { ...access, ...change },
  });
}

beforeAll(async () => {
  idp = await startTestOidcProvider({
    users: USERS,
    redirectUri: REDIRECT_URI,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
  });
  identity = await startIdentity('helpdesk_test_identity_sso', { OIDC_ALLOW_INSECURE_HTTP: 'true' });
  ({ databaseUrl, service, client, demo, adminId } = identity);
  const configured = await setAccess({
    authentication: 'oidc',
    oidc: { issuer: idp.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
  });
  expect(JSON.stringify(configured)).not.toContain(CLIENT_SECRET);
}, 60_000);

afterAll(async () => {
  await identity?.stop();
  await idp?.close();
});

describe('identity: portal single sign-on through an OpenID provider', () => {
  it('keeps the configured client secret out of the portal settings and the audit', async () => {
    const portal = await client.send('identity.portal.get', { accountId: accountId() });
    expect(portal.access).toMatchObject({
      authentication: 'oidc',
      oidcSecretSet: true,
      oidc: { issuer: idp.issuer, clientId: CLIENT_ID },
    });
    expect(portal.access.oidc).not.toHaveProperty('clientSecret');
    expect(JSON.stringify(portal)).not.toContain(CLIENT_SECRET);
    const audit = await client.send('identity.portal.audit', { accountId: accountId(), limit: 5 });
    expect(audit.items.some((entry) => entry.section === 'access')).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(CLIENT_SECRET);
  });

  it('logs in a demo contact whose verified email the provider vouches for, and links (issuer, subject)', async () => {
    const alice = demo.contacts['alice@acme.test'];
    const login = await ssoLogin('u-alice');
    expect(login.contact).toMatchObject({ id: alice.id, email: 'alice@acme.test' });
    expect(await linksOf('u-alice')).toEqual([
      { contact_id: alice.id, issuer: idp.issuer, subject: 'u-alice' },
    ]);
  });

  it('finds the linked contact by (issuer, subject) after the email changes at the provider', async () => {
    const alice = demo.contacts['alice@acme.test'];
    const before = USERS['u-alice'].email;
    USERS['u-alice'].email = 'alice.anderson@acme-mail.test';
    try {
      const login = await ssoLogin('u-alice');
      expect(login.contact).toMatchObject({ id: alice.id, email: 'alice@acme.test' });
    } finally {
      USERS['u-alice'].email = before;
    }
    expect(await linksOf('u-alice')).toHaveLength(1);
    expect(await contactsWithEmail('alice.anderson@acme-mail.test')).toEqual([]);
  });

  it('refuses a verified newcomer while the portal admits access group members only', async () => {
    expect(await rejection(ssoLogin('u-nina'))).toMatchObject({ code: 'PORTAL_ACCESS_DENIED' });
    expect(await contactsWithEmail('nina@newco.test')).toEqual([]);
    expect(await linksOf('u-nina')).toEqual([]);
  });

  it('never links an unverified email, not even to an existing contact', async () => {
    expect(await rejection(ssoLogin('u-mallory'))).toMatchObject({
      code: 'PORTAL_ACCESS_DENIED',
      message: expect.stringContaining('did not confirm your email'),
    });
    expect(await linksOf('u-mallory')).toEqual([]);
  });

  it('makes a verified newcomer a contact under self-registration, named as at the provider', async () => {
    await setAccess({ mode: 'self_registration' });
    try {
      const login = await ssoLogin('u-nina');
      expect(login.contact).toMatchObject({
        email: 'nina@newco.test',
        firstName: 'Nina',
        lastName: 'van der Berg',
      });
      expect(await contactsWithEmail('nina@newco.test')).toEqual([
        { id: login.contact.id, first_name: 'Nina', last_name: 'van der Berg' },
      ]);
      expect(await linksOf('u-nina')).toEqual([
        { contact_id: login.contact.id, issuer: idp.issuer, subject: 'u-nina' },
      ]);
      // And the next time it is the same contact.
      expect((await ssoLogin('u-nina')).contact.id).toBe(login.contact.id);

      // An unverified newcomer is still no one.
      expect(await rejection(ssoLogin('u-oscar'))).toMatchObject({ code: 'PORTAL_ACCESS_DENIED' });
      expect(await contactsWithEmail('oscar@newco.test')).toEqual([]);
      expect(await linksOf('u-oscar')).toEqual([]);
    } finally {
      await setAccess({ mode: 'access_groups' });
    }
  });

  it('refuses to complete with the secrets of another login attempt (state)', async () => {
    const start = () =>
      client.send('identity.sso.start', { accountId: accountId(), redirectUri: REDIRECT_URI });
    const first = await start();
    const second = await start();
    const callbackUrl = await signInAtProvider(first.authorizationUrl, 'u-alice');
    issuedCodes.add(new URL(callbackUrl).searchParams.get('code')!);
    expect(
      await rejection(
        client.send('identity.sso.complete', {
          accountId: accountId(),
          callbackUrl,
          secrets: second.secrets,
        }),
      ),
    ).toMatchObject({ code: 'SSO_FAILED', message: expect.stringContaining('state') });
    // The code never reached the provider, so the genuine attempt still completes.
    const genuine = await client.send('identity.sso.complete', {
      accountId: accountId(),
      callbackUrl,
      secrets: first.secrets,
    });
    expect(genuine.contact.id).toBe(demo.contacts['alice@acme.test'].id);
  });

  it('lets a verified provider identity in while its self-registration still awaits email confirmation', async () => {
    await setAccess({ mode: 'self_registration' });
    try {
      const portal = await client.send('identity.portal.get', { accountId: accountId() });
      const domainId = portal.domains.find((d) => d.primary)!.id;
      await client.send('identity.portal.register', {
        accountId: accountId(),
        domainId,
        email: 'paula@newco.test',
        firstName: 'Paula',
        lastName: 'Park',
        password: 'an uncommon passphrase',
      });
      const login = await ssoLogin('u-paula');
      expect(login.contact.email).toBe('paula@newco.test');
    } finally {
      await setAccess({ mode: 'access_groups' });
    }
  });

  it('matches a verified email to a contact regardless of case', async () => {
    const login = await ssoLogin('u-alice-shouting');
    expect(login.contact.id).toBe(demo.contacts['alice@acme.test'].id);
  });

  it('refuses single sign-on while the portal uses passwords', async () => {
    await setAccess({ authentication: 'password' });
    try {
      expect(
        await rejection(
          client.send('identity.sso.start', { accountId: accountId(), redirectUri: REDIRECT_URI }),
        ),
      ).toMatchObject({ code: 'SSO_FAILED', message: expect.stringContaining('not set up') });
      const secrets = { state: 's'.repeat(43), nonce: 'n'.repeat(43), codeVerifier: 'v'.repeat(43) };
      expect(
        await rejection(
          client.send('identity.sso.complete', {
            accountId: accountId(),
            callbackUrl: `${REDIRECT_URI}?code=abc&state=${secrets.state}`,
            secrets,
          }),
        ),
      ).toMatchObject({ code: 'SSO_FAILED' });
    } finally {
      await setAccess({ authentication: 'oidc' });
    }
  });

  it('never logs the client secret or an authorization code', () => {
    const logged = JSON.stringify(service.logs.lines);
    // The logs cover the logins: every request, and each refusal with its reason.
    expect(service.logs.find((line) => line.subject === 'identity.sso.complete').length).toBeGreaterThan(5);
    expect(
      service.logs.find((line) => line.stage === 'complete' && String(line.msg).includes('state mismatch')),
    ).toHaveLength(1);
    expect(issuedCodes.size).toBeGreaterThanOrEqual(6);
    expect(logged).not.toContain(CLIENT_SECRET);
    for (const code of issuedCodes) expect(logged).not.toContain(code);
    expect(logged).not.toMatch(/eyJ|access_token|id_token/);
  });
});
