import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PortalView } from '@helpdesk/contracts';
import { RpcClient } from '@helpdesk/kit';
import { demoAdmin, startSystem, type System } from '../src/system.js';
import { PortalClient, type PortalResponse } from './portal-client.js';

// S12: the portal's system pages rendered from templates an admin selects and edits (the
// `systemPages` section of the portal's settings), on the demo's portal `support` on `localhost`.

let system: System;
let rpc: RpcClient;
let accountId: string;
let adminId: string;

beforeAll(async () => {
  system = await startSystem({ database: 'helpdesk_test_e2e_portal_system_pages' });
  rpc = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 5_000 });
  ({ accountId, adminId } = await demoAdmin(rpc));
}, 180_000);

afterAll(async () => {
  await rpc?.close();
  await system?.close();
});

type Pages = PortalView['systemPages']['pages'];

async function updatePages(change: Partial<Pages>) {
  const portal = await rpc.send('identity.portal.get', { accountId });
  await rpc.send('identity.portal.update', {
    accountId,
    actorUserId: adminId,
    section: 'systemPages',
    settings: { pages: { ...portal.systemPages.pages, ...change } },
  });
}

const custom = (source: string) => ({ template: 'custom' as const, source });

/** A page once the gateway has dropped its cached portal (`portal.updated`). */
async function pageWhen(client: PortalClient, path: string, ready: (page: PortalResponse) => boolean) {
  const deadline = Date.now() + 5_000;
  let page = await client.get(path);
  while (!ready(page) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    page = await client.get(path);
  }
  expect(ready(page)).toBe(true);
  return page;
}

const loginPageWhen = (client: PortalClient, ready: (page: PortalResponse) => boolean) =>
  pageWhen(client, '/support/login', ready);

const DEFAULT_INTRO = 'Log in to follow your support tickets and answer them.';
const templateWarnings = () =>
  system.logs.gateway.filter(
    (line) => line.msg === 'custom system page template failed; serving the default one',
  );

const customLogin = `<h1 class="auth-title">Welcome to {{ portal.name }}</h1>
{% if error %}<p class="alert alert-error" role="alert">{{ error }}</p>{% endif %}
<form method="post" action="{{ action }}" class="stack">
  <input type="hidden" name="_csrf" value="{{ csrf }}">
  <input type="hidden" name="next" value="{{ next }}">
  <label for="email">{{ m.email }}</label>
  <input id="email" name="email" type="email" value="{{ email }}">
  <label for="password">{{ m.password }}</label>
  <input id="password" name="password" type="password">
  <button type="submit">{{ m.logIn }}</button>
</form>`;

const customResetRequest = `<h1 class="auth-title">Lost your way into {{ portal.name }}?</h1>
<form method="post" action="{{ action }}" class="stack">
  <input type="hidden" name="_csrf" value="{{ csrf }}">
  <label for="email">{{ m.email }}</label>
  {% if problems.email %}<p class="field-problem" id="email-problem">{{ problems.email }}</p>{% endif %}
  <input id="email" name="email" type="email" value="{{ email }}">
  <button type="submit">{{ m.sendResetLink }}</button>
</form>
<a href="{{ loginHref }}">{{ m.backToLogin }}</a>`;

/** Links of the emails identity wrote to a file (no SMTP server in this system) for an address. */
const mailedLinks = (to: string) =>
  system.logs.identity
    .filter((line) => line.msg === 'email written to file (no SMTP_URL set)' && line.to === to)
    .flatMap((line) => line.links as string[]);

describe('system page templates', () => {
  it('shows a custom login template an admin set, and its form still logs in', async () => {
    await updatePages({
      login: custom(customLogin),
      logout: custom('<h1>Bye from {{ portal.name }}</h1><a href="{{ loginHref }}">{{ m.logInAgain }}</a>'),
    });
    const client = new PortalClient(system.url);
    const page = await loginPageWhen(client, (p) => p.body.includes('Welcome to Demo Support'));
    expect(page.status).toBe(200);
    // Inside the portal layout, with its nonce CSP; the default body is gone.
    expect(page.body).toContain('<html lang="en">');
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'nonce-");
    expect(page.body).not.toContain(DEFAULT_INTRO);

    const wrong = await client.login('support', 'alice@acme.test', 'wrong-password');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain(
      '<p class="alert alert-error" role="alert">Email or password is incorrect.</p>',
    );
    expect(wrong.body).toContain('value="alice@acme.test"');

    const right = await client.login('support', 'alice@acme.test', 'demo-password');
    expect([right.status, right.location]).toEqual([303, '/support/tickets']);
    const list = await client.get('/support/tickets');
    expect(list.status).toBe(200);
    const out = await client.post('/support/logout', { _csrf: PortalClient.csrfOf(list.body) });
    expect([out.status, out.location]).toEqual([303, '/support/logout']);
    const bye = await client.get('/support/logout');
    expect(bye.body).toContain('<h1>Bye from Demo Support</h1><a href="/support/login">Log in again</a>');

    // The messages follow the domain's language.
    const finnish = await new PortalClient(system.url, 'fi.localhost').get('/support/login');
    expect(finnish.body).toContain('<label for="email">Sähköposti</label>');
  });

  it('shows a custom password reset request template, and its form still mails the reset link', async () => {
    await updatePages({ password_reset_request: custom(customResetRequest) });
    const client = new PortalClient(system.url);
    const page = await pageWhen(client, '/support/forgot-password', (p) =>
      p.body.includes('Lost your way into Demo Support?'),
    );
    expect(page.status).toBe(200);
    expect(page.body).toContain('<form method="post" action="/support/forgot-password" class="stack">');
    expect(page.body).toContain('<a href="/support/login">Back to login</a>');
    expect(page.body).not.toContain('autocomplete="email"'); // the default form is gone
    const csrf = PortalClient.csrfOf(page.body);

    const wrong = await client.post('/support/forgot-password', { _csrf: csrf, email: 'bob@<acme>' });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toContain('Lost your way into Demo Support?');
    expect(wrong.body).toContain(
      '<p class="field-problem" id="email-problem">Enter an email address like name@example.com.</p>',
    );
    expect(wrong.body).toContain('value="bob@&lt;acme&gt;"');

    const sent = await client.post('/support/forgot-password', { _csrf: csrf, email: 'bob@acme.test' });
    expect([sent.status, sent.location]).toEqual([303, '/support/forgot-password/check-email']);
    for (let i = 0; i < 50 && mailedLinks('bob@acme.test').length === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(mailedLinks('bob@acme.test')).toEqual([
      expect.stringMatching(/^https?:\/\/localhost(:\d+)?\/support\/reset-password\?token=/),
    ]);
  });

  it.each([
    ['loops for ever', '{% for a in (1..100000) %}{% for b in (1..100000) %}{{ a }}{% endfor %}{% endfor %}'],
    [
      'loops over a kept range',
      '{% assign r = (1..1000) %}{% for a in r %}{% for b in r %}{% for c in r %}x{% endfor %}{% endfor %}{% endfor %}',
    ],
    ['includes a file', "<pre>{% include '/etc/passwd' %}</pre>"],
    ['renders the layout', "{% render 'portal/layout' %}"],
    ['does not parse', '{% if %}<p>never</p>'],
  ])('serves the default login page when the custom one %s', async (_what, source) => {
    const client = new PortalClient(system.url);
    const marker = `Marker ${Math.random().toString(36).slice(2)}`;
    await updatePages({ login: custom(`<h1>${marker}</h1>`) });
    await loginPageWhen(client, (p) => p.body.includes(marker));

    const warnings = templateWarnings().length;
    await updatePages({ login: custom(source) });
    const started = Date.now();
    const page = await loginPageWhen(client, (p) => !p.body.includes(marker));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(page.status).toBe(200);
    expect(page.body).toContain(DEFAULT_INTRO);
    expect(page.body).not.toContain('root:');
    // The warning arrives on the gateway's stdout a moment after the page; exactly one: the failed
    // template is set aside, not tried on every request.
    for (let i = 0; i < 20 && templateWarnings().length === warnings; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(templateWarnings().length).toBe(warnings + 1);
    expect(templateWarnings().at(-1)).toMatchObject({ level: 40, page: 'login' });

    // The default page's form works.
    const login = await client.login('support', 'alice@acme.test', 'demo-password');
    expect([login.status, login.location]).toEqual([303, '/support/tickets']);
  });

  it('goes back to the shipped page when the admin selects the default again', async () => {
    const client = new PortalClient(system.url);
    await updatePages({ login: custom(customLogin) });
    await loginPageWhen(client, (p) => p.body.includes('Welcome to Demo Support'));
    await updatePages({ login: { template: 'default', source: customLogin } });
    const page = await loginPageWhen(client, (p) => !p.body.includes('Welcome to Demo Support'));
    expect(page.body).toContain(DEFAULT_INTRO);
    const login = await client.login('support', 'bob@acme.test', 'demo-password');
    expect([login.status, login.location]).toEqual([303, '/support/tickets']);
  });

  it('links registration and password reset, or offers single sign-on, as the portal’s access says', async () => {
    const portal = await rpc.send('identity.portal.get', { accountId });
    const { oidcSecretSet: _secretSet, ...access } = portal.access;
    const updateAccess = (change: Partial<typeof access>) =>
      rpc.send('identity.portal.update', {
        accountId,
        actorUserId: adminId,
        section: 'access',
        settings: { ...access, ...change },
      });
    const client = new PortalClient(system.url);
    try {
      const before = await client.get('/support/login');
      expect(before.body).toContain('<a class="small-link" href="/support/forgot-password">');
      expect(before.body).not.toContain('Register here');

      await updateAccess({ mode: 'self_registration' });
      const open = await loginPageWhen(client, (p) => p.body.includes('Register here'));
      expect(open.body).toContain('No account yet? <a href="/support/register">Register here</a>');

      await updateAccess({
        mode: 'self_registration',
        authentication: 'oidc',
        oidc: { issuer: 'https://idp.example.test', clientId: 'helpdesk', clientSecret: 'not-used-here' },
      });
      const sso = await loginPageWhen(client, (p) => p.body.includes('/support/sso'));
      expect(sso.body).toContain(
        '<a class="button button-primary button-block" href="/support/sso">Log in with single sign-on</a>',
      );
      expect(sso.body).not.toContain('type="password"');
      expect(sso.body).not.toContain('Register here');
      expect(sso.body).not.toContain('forgot-password');
    } finally {
      await updateAccess({});
    }
  });
});
