import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PortalSettings } from '@helpdesk/contracts';
import { RpcClient } from '@helpdesk/kit';
import {
  signInAtProvider,
  startTestOidcProvider,
  startTestSmtp,
  withDatabase,
  type TestOidcProvider,
  type TestSmtp,
} from '@helpdesk/testing';
import { Redis } from 'ioredis';
import { createHash, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { demoAdmin, startSystem, type System } from '../src/system.js';
import { PortalClient, listedTickets, type PortalResponse } from './portal-client.js';

// The portal's account pages over plain HTTP (SPEC S10, S11): registration with the domain's consent
// notice, email verification, password reset, invitations and single sign-on, with the emails taken
// from a real SMTP server and the sign-in at a real OpenID provider.

const DATABASE = 'helpdesk_test_e2e_portal_account';
const databaseUrl = (() => {
  const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/${DATABASE}`;
  return url.toString();
})();
const PER_IP = 20;
const PER_ADDRESS = 3;
/** What the PortalClient's Host header (`localhost`, no port) makes the gateway's callback address. */
const REDIRECT_URI = 'http://localhost/support/sso/callback';

let system: System;
let smtp: TestSmtp;
let idp: TestOidcProvider;
let rpc: RpcClient;
let redis: Redis;
let accountId: string;
let adminId: string;

beforeAll(async () => {
  smtp = await startTestSmtp();
  idp = await startTestOidcProvider({
    redirectUri: REDIRECT_URI,
    users: {
      'u-alice': { email: 'alice@acme.test', email_verified: true, name: 'Alice Acme' },
      'u-mallory': { email: 'mallory@evil.test', email_verified: false, name: 'Mallory' },
    },
  });
  system = await startSystem({
    database: DATABASE,
    env: {
      SMTP_URL: smtp.url,
      OIDC_ALLOW_INSECURE_HTTP: 'true',
      // The rate limit test tells clients apart by X-Forwarded-For.
      TRUST_PROXY: 'true',
      PORTAL_MAIL_LIMIT_PER_IP: String(PER_IP),
      PORTAL_MAIL_LIMIT_PER_ADDRESS: String(PER_ADDRESS),
    },
  });
  rpc = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 5_000 });
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  ({ accountId, adminId } = await demoAdmin(rpc));
}, 180_000);

afterAll(async () => {
  redis?.disconnect();
  await rpc?.close();
  await system?.close();
  await idp?.close();
  await smtp?.stop();
});

/** Changes one section of the portal's settings from its current value. */
async function updatePortal<S extends 'access' | 'consent'>(section: S, change: Partial<PortalSettings[S]>) {
  const portal = await rpc.send('identity.portal.get', { accountId });
  await rpc.send('identity.portal.update', {
    accountId,
    actorUserId: adminId,
    section,
    settings: { ...portal[section], ...change },
  });
}

/** Waits until the gateway has dropped its cached portal (portal.updated) and the page answers so. */
async function untilStatus(path: string, status: number) {
  const client = new PortalClient(system.url);
  const deadline = Date.now() + 5_000;
  let answer = await client.get(path);
  while (answer.status !== status && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    answer = await client.get(path);
  }
  expect([path, answer.status]).toEqual([path, status]);
}

const followed = new Set<string>();
/**
 * The link to a portal page in the next mail to `to` (one not followed before), checked to point at
 * one of the demo portal's domains on this gateway: a PortalClient opens a link to `localhost` as it
 * is. With the mail, for what it says.
 */
async function mailedLink(to: string, page: string, host = 'localhost') {
  const isNew = (link: string) => link.includes(`/support/${page}?token=`) && !followed.has(link);
  const mail = await smtp.waitFor(to, (m) => smtp.links(m).some(isNew));
  const link = smtp.links(mail).find(isNew)!;
  followed.add(link);
  expect(new URL(link).origin).toBe(`http://${host}:${new URL(system.url).port}`);
  return { link, mail };
}

const tokenOf = (path: string) => new URL(path, 'http://x').searchParams.get('token')!;

/** Posts a page's form: the page is fetched first for its CSRF token. */
async function submit(client: PortalClient, path: string, fields: Record<string, string>, formPath = path) {
  const page = await client.get(formPath);
  expect([formPath, page.status]).toEqual([formPath, 200]);
  return client.post(path, { _csrf: PortalClient.csrfOf(page.body), ...fields });
}

async function loggedIn(email: string, password: string): Promise<PortalClient> {
  const client = new PortalClient(system.url);
  const answer = await client.login('support', email, password);
  expect([answer.status, answer.location]).toEqual([303, '/support/tickets']);
  return client;
}

const contactNamed = async (email: string) =>
  (await rpc.send('identity.contacts.list', { accountId, search: email })).items.find(
    (c) => c.email === email,
  );

describe('portal account pages while the portal admits access group members (the demo)', () => {
  it('has no registration and no single sign-on pages', async () => {
    const client = new PortalClient(system.url);
    for (const path of ['/support/register', '/support/register/check-email', '/support/sso']) {
      const page = await client.get(path);
      expect([path, page.status]).toEqual([path, 404]);
      expect(page.body).toContain('Page not found');
    }
    const login = await client.get('/support/login');
    const post = await client.post('/support/register', {
      _csrf: PortalClient.csrfOf(login.body),
      firstName: 'Nina',
      lastName: 'Berg',
      email: 'nina@newco.test',
      password: 'a long enough password',
    });
    expect(post.status).toBe(404);
  });

  it('refuses account forms posted without the CSRF token with a 403 page', async () => {
    const client = new PortalClient(system.url);
    await client.get('/support/forgot-password');
    for (const [path, fields] of [
      ['/support/forgot-password', { email: 'bob@acme.test' }],
      [
        '/support/reset-password',
        { token: 'a'.repeat(43), password: 'new password 1', confirm: 'new password 1' },
      ],
      [
        '/support/accept-invitation',
        { token: 'a'.repeat(43), password: 'new password 1', confirm: 'new password 1' },
      ],
    ] as const) {
      const answer = await client.post(path, fields);
      expect([path, answer.status]).toEqual([path, 403]);
      expect(answer.body).toContain('Your form has expired');
    }
  });

  it('answers a reset request the same for a known and an unknown address, and mails only the known one', async () => {
    const known = await submit(new PortalClient(system.url), '/support/forgot-password', {
      email: 'carol@globex.test',
    });
    const unknown = await submit(new PortalClient(system.url), '/support/forgot-password', {
      email: 'nobody@globex.test',
    });
    expect([known.status, known.location]).toEqual([303, '/support/forgot-password/check-email']);
    expect([unknown.status, unknown.location, unknown.body]).toEqual([
      known.status,
      known.location,
      known.body,
    ]);
    const sent = await new PortalClient(system.url).get('/support/forgot-password/check-email');
    expect(sent.status).toBe(200);
    expect(sent.body).toContain('If an account exists for that address, we have sent it a link');
    await mailedLink('carol@globex.test', 'reset-password');
    expect(smtp.mails.filter((mail) => mail.to.includes('nobody@globex.test'))).toEqual([]);
  });

  it('checks the address of a reset request on the page', async () => {
    const answer = await submit(new PortalClient(system.url), '/support/forgot-password', { email: 'bob@' });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('Enter an email address like name@example.com.');
    expect(answer.body).toContain('value="bob@"');
    expect(answer.body).toMatch(/id="email"[^>]*aria-invalid="true"/);
  });

  it('resets a password by the emailed link and ends every other session of the contact', async () => {
    const elsewhere = await loggedIn('bob@acme.test', 'demo-password');
    expect((await elsewhere.get('/support/tickets')).status).toBe(200);

    await submit(new PortalClient(system.url), '/support/forgot-password', { email: 'bob@acme.test' });
    const { link } = await mailedLink('bob@acme.test', 'reset-password');
    const visitor = new PortalClient(system.url);
    const form = await visitor.get(link);
    expect(form.status).toBe(200);
    expect(form.body).toContain('Choose a new password');
    const post = (password: string, confirm = password) =>
      visitor.post('/support/reset-password', {
        _csrf: PortalClient.csrfOf(form.body),
        token: tokenOf(link),
        password,
        confirm,
      });

    const differ = await post('bobs new password', 'bobs new passwort');
    expect(differ.status).toBe(400);
    expect(differ.body).toContain('The passwords do not match.');
    expect(differ.body).not.toContain('bobs new password');
    const short = await post('short');
    expect(short.status).toBe(400);
    expect(short.body).toContain('A password needs at least 8 characters.');
    const common = await post('password123');
    expect(common.status).toBe(400);
    expect(common.body).toContain('This password is one of the most common ones.');

    const done = await post('bobs new password');
    expect(done.status).toBe(200);
    expect(done.body).toContain('Your password is changed');
    expect(done.body).toContain('href="/support/login"');

    // identity's contact.sessions.revoked reaches the gateway as an event: wait for it.
    const deadline = Date.now() + 5_000;
    let after = await elsewhere.get('/support/tickets');
    while (after.status === 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      after = await elsewhere.get('/support/tickets');
    }
    expect([after.status, after.location?.startsWith('/support/login')]).toEqual([303, true]);

    const old = await new PortalClient(system.url).login('support', 'bob@acme.test', 'demo-password');
    expect(old.status).toBe(401);
    await loggedIn('bob@acme.test', 'bobs new password');
    const again = await post('another new password');
    expect(again.status).toBe(400);
    expect(again.body).toContain('This link does not work');
  });

  it('mails a reset asked for on the Finnish domain in Finnish, with a link to that domain', async () => {
    const finnish = new PortalClient(system.url, 'fi.localhost');
    await submit(finnish, '/support/forgot-password', { email: 'alice@acme.test' });
    const { link, mail } = await mailedLink('alice@acme.test', 'reset-password', 'fi.localhost');
    expect(mail.text).toContain('Vaihda salasana');
    const form = await finnish.get(`${new URL(link).pathname}${new URL(link).search}`);
    expect(form.status).toBe(200);
    expect(form.body).toContain('Valitse uusi salasana');
  });

  it('answers missing, malformed, unknown and expired links with a 400 page', async () => {
    const client = new PortalClient(system.url);
    for (const path of [
      '/support/verify-email',
      '/support/verify-email?token=short',
      '/support/verify-email?token=' + 'a'.repeat(43),
      '/support/reset-password',
      '/support/reset-password?token=%3Cscript%3E' + 'a'.repeat(30),
      '/support/accept-invitation?token=',
    ]) {
      const page = await client.get(path);
      expect([path, page.status]).toEqual([path, 400]);
      expect(page.body).toContain('This link does not work');
      expect(page.body).not.toContain('<script>');
    }

    await submit(new PortalClient(system.url), '/support/forgot-password', { email: 'alice@acme.test' });
    const { link } = await mailedLink('alice@acme.test', 'reset-password');
    await withDatabase(databaseUrl, (db) =>
      db.query(
        `update identity.login_token set expires_at = now() - interval '1 minute' where token_hash = $1`,
        [createHash('sha256').update(tokenOf(link)).digest('hex')],
      ),
    );
    const expired = await submit(
      client,
      '/support/reset-password',
      { token: tokenOf(link), password: 'alices new password', confirm: 'alices new password' },
      link,
    );
    expect(expired.status).toBe(400);
    expect(expired.body).toContain('This link does not work');
    expect(expired.body).toContain('href="/support/forgot-password"');
    await loggedIn('alice@acme.test', 'demo-password');
  });

  it('lets an invited access group member set a password and logs them in', async () => {
    const contact = await rpc.send('identity.contacts.create', {
      accountId,
      email: 'ivy@acme.test',
      firstName: 'Ivy',
      lastName: 'Invited',
    });
    const [customers] = (await rpc.send('identity.accessGroups.list', { accountId })).filter(
      (group) => group.name === 'Customers',
    );
    await rpc.send('identity.accessGroups.addMembers', {
      accountId,
      groupId: customers.id,
      contactIds: [contact.id],
    });
    const { link } = await mailedLink('ivy@acme.test', 'accept-invitation');

    const ivy = new PortalClient(system.url);
    const form = await ivy.get(link);
    expect(form.status).toBe(200);
    expect(form.body).toContain('You have been invited to Demo Support. Choose a password to finish.');
    const post = (password: string, confirm: string) =>
      ivy.post('/support/accept-invitation', {
        _csrf: PortalClient.csrfOf(form.body),
        token: tokenOf(link),
        password,
        confirm,
      });
    const differ = await post('ivys own password', 'something else');
    expect(differ.status).toBe(400);
    expect(differ.body).toContain('The passwords do not match.');

    const accepted = await post('ivys own password', 'ivys own password');
    expect([accepted.status, accepted.location]).toEqual([303, '/support/tickets']);
    const list = await ivy.get('/support/tickets');
    expect(list.status).toBe(200);
    expect(list.body).toContain('Ivy Invited');
    const members = await rpc.send('identity.accessGroups.members', {
      accountId,
      groupId: customers.id,
      limit: 100,
    });
    expect(members.items.find((m) => m.contact.id === contact.id)?.invitationStatus).toBe('accepted');

    const reused = await new PortalClient(system.url).get(link);
    expect(reused.status).toBe(200); // the form: only identity knows the link is spent…
    const refused = await submit(
      new PortalClient(system.url),
      '/support/accept-invitation',
      { token: tokenOf(link), password: 'another password', confirm: 'another password' },
      link,
    );
    expect(refused.status).toBe(400); // …and says so when it is used
    expect(refused.body).toContain('The invitation link is invalid, already used or expired.');
  });
});

describe('self-registration with a consent notice (S10, S11)', () => {
  const noticeText =
    'We process your data to answer your requests. Read our [privacy policy](https://acme.test/privacy).\n\n' +
    'Questions? <script>alert(1)</script> [Write to us](javascript:alert(1)).';
  const checkboxText = 'I accept the [terms of service](https://acme.test/terms).';
  const registration = {
    firstName: 'Nina',
    lastName: 'Berg',
    email: 'nina@newco.test',
    password: 'ninas long password',
    consent: 'yes',
  };

  beforeAll(async () => {
    const portal = await rpc.send('identity.portal.get', { accountId });
    const localhost = portal.domains.find((domain) => domain.hostname === 'localhost')!;
    await updatePortal('consent', { notices: [{ domainId: localhost.id, text: noticeText, checkboxText }] });
    await updatePortal('access', { mode: 'self_registration' });
    await untilStatus('/support/register', 200);
  });

  it('shows the form with the notice of the page’s domain, its links as links and nothing else as markup', async () => {
    const page = await new PortalClient(system.url).get('/support/register');
    expect(page.status).toBe(200);
    for (const label of ['First name', 'Last name', 'Email', 'Password'])
      expect(page.body).toMatch(new RegExp(`<label for="\\w+">${label}</label>`));
    expect(page.body).toContain(
      '<a href="https://acme.test/privacy" target="_blank" rel="noopener noreferrer">privacy policy<span class="visually-hidden"> (opens in a new tab)</span></a>',
    );
    expect(page.body).toContain('href="https://acme.test/terms"');
    expect(page.body).toContain(
      'Questions? &lt;script&gt;alert(1)&lt;/script&gt; [Write to us](javascript:alert(1)).',
    );
    expect(page.body).not.toContain('href="javascript:');
    expect(page.body).toMatch(/<input id="consent" name="consent" type="checkbox" value="yes" required/);

    // The Finnish domain has no notice of its own: no consent asked there.
    const finnish = await new PortalClient(system.url, 'fi.localhost').get('/support/register');
    expect(finnish.status).toBe(200);
    expect(finnish.body).toContain('Luo tunnus');
    expect(finnish.body).not.toContain('name="consent"');
  });

  it('refuses a registration without consent with 400, an inline error and the form as typed', async () => {
    const answer = await submit(new PortalClient(system.url), '/support/register', {
      ...registration,
      email: 'no-consent@newco.test',
      consent: '',
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain(
      '<p class="field-problem" id="consent-problem">To register, give your consent.</p>',
    );
    expect(answer.body).toContain('<a href="#consent">To register, give your consent.</a>');
    expect(answer.body).toContain('value="Nina"');
    expect(answer.body).toContain('value="no-consent@newco.test"');
    expect(answer.body).not.toContain(registration.password);
    const missing = await submit(new PortalClient(system.url), '/support/register', { consent: 'yes' });
    expect(missing.status).toBe(400);
    for (const text of [
      'Enter your first name.',
      'Enter your last name.',
      'Enter your email address.',
      'Choose a password.',
    ])
      expect(missing.body).toContain(text);
  });

  it('refuses the registration form without the CSRF token', async () => {
    const client = new PortalClient(system.url);
    await client.get('/support/register');
    expect((await client.post('/support/register', registration)).status).toBe(403);
  });

  it('answers a new and a known address alike, and records what the newcomer consented to', async () => {
    const fresh = await submit(new PortalClient(system.url), '/support/register', registration);
    const known = await submit(new PortalClient(system.url), '/support/register', {
      ...registration,
      email: 'carol@globex.test',
    });
    expect([fresh.status, fresh.location]).toEqual([303, '/support/register/check-email']);
    expect([known.status, known.location, known.body]).toEqual([fresh.status, fresh.location, fresh.body]);
    const sent = await new PortalClient(system.url).get(fresh.location!);
    expect(sent.status).toBe(200);
    expect(sent.body).toContain('Check your email');

    // The owner of the known address gets a reset link; the newcomer a verification link.
    await mailedLink('carol@globex.test', 'reset-password');
    const nina = await contactNamed('nina@newco.test');
    expect(nina).toMatchObject({ firstName: 'Nina', lastName: 'Berg' });
    const records = await withDatabase(databaseUrl, (db) =>
      db.query<{ notice_text: string; checkbox_text: string; consented_at: Date }>(
        'select notice_text, checkbox_text, consented_at from identity.consent_record where contact_id = $1',
        [nina!.id],
      ),
    );
    expect(records.rows).toHaveLength(1);
    expect(records.rows[0]).toMatchObject({ notice_text: noticeText, checkbox_text: checkboxText });
    expect(Date.now() - records.rows[0].consented_at.getTime()).toBeLessThan(60_000);
  });

  it('confirms the address from the link in the mail, once; then the newcomer logs in', async () => {
    const { link } = await mailedLink('nina@newco.test', 'verify-email');
    // The chosen password counts only once the address is confirmed.
    const before = await new PortalClient(system.url).login(
      'support',
      'nina@newco.test',
      registration.password,
    );
    expect(before.status).toBe(401);

    const visitor = new PortalClient(system.url);
    // A link checker's HEAD request does not spend the link.
    const head = await new Promise<number>((resolve, reject) =>
      request(link, { method: 'HEAD' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end(),
    );
    expect(head).toBe(200);
    const verified = await visitor.get(link);
    expect(verified.status).toBe(200);
    expect(verified.body).toContain('Your email address is confirmed');
    expect(verified.body).toContain('href="/support/login"');
    expect((await visitor.get('/support/tickets')).status).toBe(303); // confirming is no login

    const again = await visitor.get(link);
    expect(again.status).toBe(400);
    expect(again.body).toContain('If you have confirmed your address already, just log in');

    const nina = await loggedIn('nina@newco.test', registration.password);
    const list = await nina.get('/support/tickets');
    expect(list.status).toBe(200);
    expect(listedTickets(list.body)).toEqual([]);
  });

  it('limits the requests that send mail per email address and per client address', async () => {
    const base = system.url.replace('127.0.0.1', 'localhost');
    /** A visitor at a client address of its own (the gateway trusts X-Forwarded-For here). */
    const visitorAt = (ip: string) => {
      let cookie = '';
      return async (email: string): Promise<PortalResponse> => {
        const headers = { 'x-forwarded-for': ip, accept: 'text/html' };
        const page = await fetch(`${base}/support/forgot-password`, { headers: { ...headers, cookie } });
        cookie =
          page.headers
            .getSetCookie()
            .find((c) => c.startsWith('hd.sid='))
            ?.split(';')[0] ?? cookie;
        const answer = await fetch(`${base}/support/forgot-password`, {
          method: 'POST',
          redirect: 'manual',
          headers: { ...headers, cookie, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ _csrf: PortalClient.csrfOf(await page.text()), email }).toString(),
        });
        return {
          status: answer.status,
          headers: Object.fromEntries(answer.headers),
          body: await answer.text(),
          location: answer.headers.get('location') ?? undefined,
        };
      };
    };
    const address = `flood-${randomUUID()}@victim.test`;
    for (let i = 0; i < PER_ADDRESS; i++) expect((await visitorAt(`10.1.0.${i}`)(address)).status).toBe(303);
    const refused = await visitorAt('10.1.1.1')(address);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body).toMatch(/Too many requests\. Try again in \d+ minutes\./);
    expect(refused.body).toContain(`value="${address}"`);

    const busy = visitorAt('10.2.0.1');
    for (let i = 0; i < PER_IP; i++) expect((await busy(`person-${i}@many.test`)).status).toBe(303);
    expect((await busy('one-more@many.test')).status).toBe(429);
    expect((await visitorAt('10.2.0.2')('one-more@many.test')).status).toBe(303);
  });
});

describe('single sign-on through the portal’s OpenID provider (S10)', () => {
  beforeAll(async () => {
    await updatePortal('access', {
      mode: 'self_registration',
      authentication: 'oidc',
      oidc: { issuer: idp.issuer, clientId: idp.settings.clientId, clientSecret: idp.settings.clientSecret },
    });
    await untilStatus('/support/sso', 303);
  });

  afterAll(async () => {
    await updatePortal('access', { mode: 'access_groups', authentication: 'password' });
  });

  /** Starts at /sso: the answer sends the browser to the provider. */
  async function start(client: PortalClient, next?: string) {
    const answer = await client.get(`/support/sso${next ? `?next=${encodeURIComponent(next)}` : ''}`);
    expect(answer.status).toBe(303);
    return answer.location!;
  }

  const pathOf = (url: string) => {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  };

  it('has no password pages while contacts sign in with the provider', async () => {
    for (const path of [
      '/support/register',
      '/support/forgot-password',
      '/support/reset-password?token=' + 'a'.repeat(43),
    ])
      expect([path, (await new PortalClient(system.url).get(path)).status]).toEqual([path, 404]);
    const invited = await new PortalClient(system.url).get(
      '/support/accept-invitation?token=' + 'a'.repeat(43),
    );
    expect([invited.status, invited.location]).toEqual([303, '/support/login']);
  });

  it('logs a contact in through the provider, keeping the login secrets in the server-side session', async () => {
    const client = new PortalClient(system.url);
    await client.get('/support/login');
    const before = client.cookie;
    const authorizationUrl = await start(client, '/support/tickets?status=closed');
    expect(authorizationUrl.startsWith(`${idp.issuer}/`)).toBe(true);

    const sessionKey = system.sessionKey(client.cookie!);
    const session = JSON.parse((await redis.get(sessionKey))!) as {
      portalSso: { secrets: { state: string; nonce: string; codeVerifier: string } };
    };
    const { state, codeVerifier } = session.portalSso.secrets;
    expect(new URL(authorizationUrl).searchParams.get('state')).toBe(state);
    expect(authorizationUrl).not.toContain(codeVerifier);
    expect(new URL(authorizationUrl).searchParams.get('code_challenge_method')).toBe('S256');

    const callback = await signInAtProvider(authorizationUrl, 'u-alice');
    expect(callback.startsWith(`${REDIRECT_URI}?`)).toBe(true);
    const done = await client.get(pathOf(callback));
    expect([done.status, done.location]).toEqual([303, '/support/tickets?status=closed']);
    expect(client.cookie).not.toBe(before); // a new session id at login
    const list = await client.get('/support/tickets');
    expect(list.status).toBe(200);
    expect(list.body).toContain('Alice');
    expect(await redis.get(sessionKey)).toBeNull();

    // The provider's answer is good for one login only.
    const replay = await new PortalClient(system.url).get(pathOf(callback));
    expect(replay.status).toBe(400);
  });

  it('refuses a callback whose state is not the one this browser started with', async () => {
    const client = new PortalClient(system.url);
    const callback = new URL(await signInAtProvider(await start(client), 'u-alice'));
    callback.searchParams.set('state', 'x'.repeat(43));
    const forged = await client.get(pathOf(callback.href));
    expect(forged.status).toBe(400);
    expect(forged.body).toContain('Single sign-on did not work');
    expect(forged.body).toContain('Your sign-in could not be completed.');

    const noSession = await new PortalClient(system.url).get('/support/sso/callback?code=abc&state=def');
    expect(noSession.status).toBe(400);
    const missingState = new PortalClient(system.url);
    const url = new URL(await signInAtProvider(await start(missingState), 'u-alice'));
    url.searchParams.delete('state');
    expect((await missingState.get(pathOf(url.href))).status).toBe(400);
  });

  it('sends a person whose email the provider did not verify to the access denied page', async () => {
    const client = new PortalClient(system.url);
    const callback = await signInAtProvider(await start(client), 'u-mallory');
    const answer = await client.get(pathOf(callback));
    expect([answer.status, answer.location]).toEqual([303, '/support/access-denied']);
    expect((await client.get('/support/tickets')).status).toBe(303);
  });
});
