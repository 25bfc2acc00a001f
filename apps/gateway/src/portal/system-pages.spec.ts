import { SystemPageType, type ResolvedPortal } from '@helpdesk/contracts';
import { createLogger } from '@helpdesk/kit';
import { describe, expect, it } from '@jest/globals';
import type { Request, Response } from 'express';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { PageViews, VIEWS_DIR } from '../http/page-views.js';
import {
  defaultTemplateSource,
  MAX_BODY_LENGTH,
  MAX_TEMPLATE_LENGTH,
  renderTemplate,
  RENDER_LIMIT_MS,
  SystemPages,
  validateTemplate,
  type SystemPageContent,
} from './system-pages.js';

const pages = (custom: Partial<Record<SystemPageType, string>> = {}) =>
  Object.fromEntries(
    SystemPageType.options.map((type) => [
      type,
      custom[type] === undefined
        ? { template: 'default' as const, source: null }
        : { template: 'custom' as const, source: custom[type] },
    ]),
  ) as ResolvedPortal['systemPages']['pages'];

function portalWith(options: {
  language?: 'en' | 'fi';
  name?: string;
  custom?: Partial<Record<SystemPageType, string>>;
}) {
  const portal: ResolvedPortal = {
    id: '6f1f8f5e-3c1d-4a47-9a55-0c2b1f0f0001',
    accountId: '6f1f8f5e-3c1d-4a47-9a55-0c2b1f0f0002',
    general: { name: options.name ?? 'Demo Support', slug: 'support', enabled: true, destination: null },
    permissions: { mode: 'company', segment: { groups: [] } },
    supportForm: {
      connected: false,
      menuText: 'Submit a ticket',
      headerText: 'Submit a ticket',
      formId: null,
    },
    theme: {
      primaryColor: '#1a5fb4',
      backgroundColor: '#f6f7f9',
      surfaceColor: '#ffffff',
      textColor: '#1f2328',
      fontFamily: 'system',
      logoUrl: null,
      cornerRadius: 8,
    },
    ticketDisplay: {
      label: 'Tickets',
      visibility: { groups: [] },
      columns: [{ property: 'subject', label: 'Subject' }],
      ownerDisplay: 'first_name',
      ownerAlias: null,
      showStages: false,
    },
    ticketActions: { replyToClosed: true, allowClose: true, closedStages: {} },
    access: {
      mode: 'access_groups',
      accessGroupIds: [],
      authentication: 'password',
      oidc: null,
      sessionIdleMinutes: 60,
      oidcSecretSet: false,
    },
    consent: { notices: [] },
    systemPages: { pages: pages(options.custom) },
    domains: [],
    updatedAt: '2026-01-01T00:00:00.000Z',
    domain: {
      id: '6f1f8f5e-3c1d-4a47-9a55-0c2b1f0f0003',
      hostname: 'localhost',
      language: options.language ?? 'en',
      primary: true,
    },
  };
  return portal;
}

/** A SystemPages with the real views and a logger whose lines the test reads. */
function systemPages() {
  const logged: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return {
    pages: new SystemPages(new PageViews(), createLogger({ service: 'test', level: 'warn', destination })),
    logged,
  };
}

const loginPage = (
  overrides: Partial<SystemPageContent<'login'>['data']> = {},
  error: string | null = null,
) => ({
  title: 'Log in',
  error,
  data: {
    action: '/support/login',
    email: '',
    next: '/support/tickets',
    registrationHref: null,
    resetHref: '/support/forgot-password',
    ssoHref: null,
    ...overrides,
  },
});

/** Renders a page as the controller does and returns what would be sent. */
function rendered<T extends SystemPageType>(
  portal: ResolvedPortal,
  type: T,
  page: SystemPageContent<T>,
  pages = systemPages().pages,
) {
  const sent = { status: 0, html: '', headers: {} as Record<string, string> };
  const res = {
    setHeader(name: string, value: string) {
      sent.headers[name] = value;
      return res;
    },
    status(code: number) {
      sent.status = code;
      return res;
    },
    type: () => res,
    send(html: string) {
      sent.html = html;
      return res;
    },
  };
  const req = { session: { csrfToken: 'the-csrf-token' } };
  pages.render(req as unknown as Request, res as unknown as Response, portal, type, page, 200);
  return sent;
}

/** The card's content: what a system page template produced, without the layout around it. */
const cardOf = (html: string) =>
  /<div class="card auth-card[^"]*">([\s\S]*)<\/div>\s*<\/div>\s*<\/main>/.exec(html)![1];

const noProblems = { problems: {}, problemList: [] };

const registrationPage = (
  overrides: Partial<SystemPageContent<'registration'>['data']> = {},
): SystemPageContent<'registration'> => ({
  title: 'Create your account',
  data: {
    ...noProblems,
    action: '/support/register',
    values: { firstName: '', lastName: '', email: '', consent: false },
    passwordHint: 'At least 10 characters.',
    consent: null,
    loginHref: '/support/login',
    ...overrides,
  },
});

const resetPage = (
  overrides: Partial<SystemPageContent<'password_reset'>['data']> = {},
): SystemPageContent<'password_reset'> => ({
  title: 'Choose a new password',
  data: {
    ...noProblems,
    action: '/support/reset-password',
    token: 'the-token',
    done: false,
    passwordHint: 'At least 10 characters.',
    loginHref: '/support/login',
    requestHref: '/support/forgot-password',
    ...overrides,
  },
});

/** A problem on a field, as the account controller gives it: beside the field and in the list at the top. */
const problemOn = (field: string, text: string) => ({
  problems: { [field]: text },
  problemList: [{ field, text }],
});

const data = {
  portal: { name: 'Demo', base: '/support' },
  m: { logIn: 'Log in' },
  csrf: 'token',
  error: '<script>alert(1)</script>',
};

describe('the shipped system pages', () => {
  it('renders the login page inside the portal layout, with the form posting back to login', () => {
    const page = rendered(portalWith({}), 'login', loginPage());
    expect(page.status).toBe(200);
    expect(page.html).toContain('<html lang="en">');
    expect(page.html).toContain('<title>Log in · Demo Support</title>');
    expect(page.html).toContain('<body class="system">');
    expect(page.headers['Content-Security-Policy']).toContain("script-src 'nonce-");
    const card = cardOf(page.html);
    expect(card).toContain('<span class="auth-portal-name">Demo Support</span>');
    expect(card).toContain('<form method="post" action="/support/login"');
    expect(card).toContain('<input type="hidden" name="_csrf" value="the-csrf-token">');
    expect(card).toContain('<input type="hidden" name="next" value="/support/tickets">');
    expect(card).toContain('<label for="email">Email</label>');
    expect(card).toContain('<a class="small-link" href="/support/forgot-password">Forgot your password?</a>');
    expect(card).not.toContain('Register here');
  });

  it('links registration when given, and offers only the SSO button with single sign-on', () => {
    const open = cardOf(
      rendered(portalWith({}), 'login', loginPage({ registrationHref: '/support/register' })).html,
    );
    expect(open).toContain('No account yet? <a href="/support/register">Register here</a>');
    const sso = cardOf(
      rendered(portalWith({}), 'login', loginPage({ ssoHref: '/support/sso', resetHref: null })).html,
    );
    expect(sso).toContain(
      '<a class="button button-primary button-block" href="/support/sso">Log in with single sign-on</a>',
    );
    expect(sso).not.toContain('type="password"');
    expect(sso).not.toContain('<form');
  });

  it('renders logout in both states and access denied, in the domain’s language', () => {
    const portal = portalWith({ language: 'fi' });
    const logout = { action: '/support/logout', loginHref: '/support/login' };
    const out = cardOf(
      rendered(portal, 'logout', { title: 'x', data: { ...logout, stillLoggedIn: false } }).html,
    );
    expect(out).toContain('Olet kirjautunut ulos');
    expect(out).toContain('href="/support/login"');
    const still = cardOf(
      rendered(portal, 'logout', { title: 'x', data: { ...logout, stillLoggedIn: true } }).html,
    );
    expect(still).toContain('<form method="post" action="/support/logout"');
    expect(still).toContain('Kirjaudu ulos');
    const denied = rendered(portal, 'access_denied', {
      title: 'x',
      data: { loginHref: '/support/login' },
    });
    expect(denied.html).toContain('<html lang="fi">');
    expect(cardOf(denied.html)).toContain('Pääsy estetty');
  });

  it('renders the registration form with what was typed, its problems and the consent notice, all escaped', () => {
    const evil = '"><script>alert(1)</script>';
    const page = rendered(
      portalWith({}),
      'registration',
      registrationPage({
        ...problemOn('consent', 'To register, give your consent.'),
        values: { firstName: evil, lastName: 'Smith', email: 'new@example.test', consent: false },
        consent: {
          paragraphs: [
            [
              { text: '<b>We keep</b> your data. ' },
              { text: 'Privacy', href: 'https://example.test/?a=1&b=2' },
            ],
            [{ text: 'Line one' }, { lineBreak: true }, { text: 'line two' }],
          ],
          checkbox: [{ text: 'I accept the ' }, { text: '<i>terms</i>', href: 'https://example.test/terms' }],
        },
      }),
    );
    expect(page.html).toContain('<title>Create your account · Demo Support</title>');
    const card = cardOf(page.html);
    expect(card).not.toContain('<script>');
    expect(card).toContain('<form method="post" action="/support/register"');
    expect(card).toContain('<input type="hidden" name="_csrf" value="the-csrf-token">');
    expect(card).toMatch(
      /<input id="firstName" name="firstName" [^>]*value="&#34;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;"/,
    );
    expect(card).toMatch(/<input id="email" name="email" [^>]*value="new@example.test"/);
    expect(card).toMatch(/<input id="password" name="password" type="password"[^>]*>/);
    expect(card).not.toMatch(/<input id="password"[^>]* value=/);
    expect(card).toContain('<p class="hint" id="password-hint">At least 10 characters.</p>');
    // The notice's text and links are data: markup in them is shown as text.
    expect(card).toContain(
      '<p>&lt;b&gt;We keep&lt;/b&gt; your data. <a href="https://example.test/?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">Privacy<span class="visually-hidden"> (opens in a new tab)</span></a></p>',
    );
    expect(card).toContain('<p>Line one<br>line two</p>');
    expect(card).toContain(
      '<label for="consent">I accept the <a href="https://example.test/terms" target="_blank" rel="noopener noreferrer">&lt;i&gt;terms&lt;/i&gt;',
    );
    expect(card).toContain(
      '<p class="field-problem" id="consent-problem">To register, give your consent.</p>',
    );
    expect(card).toContain('<li><a href="#consent">To register, give your consent.</a></li>');
    expect(card).toMatch(
      /<input id="consent" name="consent" type="checkbox" value="yes" required aria-describedby="consent-text consent-problem" aria-invalid="true">/,
    );
    expect(card).toContain('Already have an account? <a href="/support/login">Log in</a>');
  });

  it('asks no consent on registration without a notice, and shows the rate limit’s error', () => {
    const page = rendered(portalWith({}), 'registration', {
      ...registrationPage(),
      error: 'Too many requests. Try again in 10 minutes.',
    });
    const card = cardOf(page.html);
    expect(card).not.toContain('name="consent"');
    expect(card).toContain(
      '<div class="alert alert-error" role="alert">Too many requests. Try again in 10 minutes.</div>',
    );
    expect(card).toMatch(/<input id="firstName"[^>]* autofocus>/);
  });

  it('renders the password reset request with the email typed and its problem, escaped', () => {
    const page = rendered(portalWith({ language: 'fi' }), 'password_reset_request', {
      title: 'Unohtunut salasana',
      data: {
        ...problemOn('email', 'Enter a valid email address.'),
        action: '/support/forgot-password',
        email: 'bob@<b>',
        loginHref: '/support/login',
      },
    });
    const card = cardOf(page.html);
    expect(card).toContain('<form method="post" action="/support/forgot-password"');
    expect(card).toMatch(
      /<input id="email" name="email" [^>]*value="bob@&lt;b&gt;" aria-invalid="true" aria-describedby="email-problem" autofocus>/,
    );
    expect(card).toContain(
      '<p class="field-problem" id="email-problem" role="alert">Enter a valid email address.</p>',
    );
    expect(card).toContain('Lähetä linkki');
    expect(card).toContain('<p class="auth-links"><a href="/support/login">');
  });

  it('renders the password reset form, its success and the link that does not work', () => {
    const portal = portalWith({});
    const form = cardOf(
      rendered(
        portal,
        'password_reset',
        resetPage({ token: 'a"b<c', ...problemOn('confirm', 'The passwords do not match.') }),
      ).html,
    );
    expect(form).toContain('<form method="post" action="/support/reset-password"');
    expect(form).toContain('<input type="hidden" name="token" value="a&#34;b&lt;c">');
    expect(form).toContain('<p class="field-problem" id="confirm-problem">The passwords do not match.</p>');
    expect(form).toContain('<label for="confirm">New password again</label>');

    const done = cardOf(rendered(portal, 'password_reset', resetPage({ done: true })).html);
    expect(done).toContain('Your password is changed');
    expect(done).toContain('href="/support/login"');
    expect(done).not.toContain('<form');

    const invalid = cardOf(rendered(portal, 'password_reset', resetPage({ token: null })).html);
    expect(invalid).toContain('This link does not work');
    expect(invalid).toContain(
      '<a class="button button-primary button-block" href="/support/forgot-password">Ask for a new link</a>',
    );
    expect(invalid).not.toContain('<form');
  });

  it('are what an admin starts from: the files, each of them a valid template', () => {
    for (const type of SystemPageType.options) {
      const source = defaultTemplateSource(type);
      expect(source).toBe(readFileSync(join(VIEWS_DIR, 'portal', 'system', `${type}.liquid`), 'utf8'));
      expect(source).not.toMatch(/{%-?\s*(layout|include|render)\b/);
      expect(validateTemplate(source)).toEqual([]);
    }
  });

  it('escape what they print: an error or an email with markup stays text', () => {
    const evil = '"><script>alert(1)</script>';
    const card = cardOf(
      rendered(portalWith({ name: '<b>Evil</b>' }), 'login', loginPage({ email: evil }, evil)).html,
    );
    expect(card).not.toContain('<script>');
    expect(card).toContain('value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(card).toContain('&lt;b&gt;Evil&lt;/b&gt;');
  });
});

describe('a custom template', () => {
  it('replaces the page’s body when selected, with the page’s data', () => {
    const portal = portalWith({
      custom: {
        login:
          '<h1>Welcome to {{ portal.name }}</h1><form action="{{ action }}"><input name="_csrf" value="{{ csrf }}"></form>',
      },
    });
    const card = cardOf(rendered(portal, 'login', loginPage()).html);
    expect(card).toContain(
      '<h1>Welcome to Demo Support</h1><form action="/support/login"><input name="_csrf" value="the-csrf-token"></form>',
    );
    expect(card).not.toContain('Forgot your password?');
    // Other pages keep their default.
    const denied = rendered(portal, 'access_denied', {
      title: 'x',
      data: { loginHref: '/support/login' },
    });
    expect(cardOf(denied.html)).toContain('Access denied');
  });

  it('replaces the registration page when selected, with its form data and consent notice', () => {
    const portal = portalWith({
      custom: {
        registration:
          '<h1>Join {{ portal.name }}</h1><form action="{{ action }}"><input name="email" value="{{ values.email }}">' +
          '{% for part in consent.checkbox %}{{ part.text }}{% endfor %}</form>',
      },
    });
    const card = cardOf(
      rendered(
        portal,
        'registration',
        registrationPage({
          values: { firstName: 'A', lastName: 'B', email: '<a@b>', consent: true },
          consent: { paragraphs: [], checkbox: [{ text: 'I <agree>' }] },
        }),
      ).html,
    );
    expect(card).toContain(
      '<h1>Join Demo Support</h1><form action="/support/register"><input name="email" value="&lt;a@b&gt;">I &lt;agree&gt;</form>',
    );
    expect(card).not.toContain('Create your account');
  });

  it('is not used while the default is selected', () => {
    const portal = portalWith({});
    portal.systemPages.pages.login = { template: 'default', source: '<h1>Not this</h1>' };
    expect(rendered(portal, 'login', loginPage()).html).not.toContain('Not this');
  });

  it('escapes output unless it says raw', () => {
    expect(renderTemplate('{{ error }}|{{ error | raw }}', data)).toBe(
      '&lt;script&gt;alert(1)&lt;/script&gt;|<script>alert(1)</script>',
    );
  });

  it.each([
    "{% include '/etc/passwd' %}",
    "{% render 'portal/layout' %}",
    "{% layout 'portal/layout' %}x",
    '{% layout %}x',
    "{% liquid\n  include 'portal/layout'\n%}",
  ])('cannot read a file: %s', (source) => {
    expect(() => renderTemplate(source, data)).toThrow(/tag "(include|render|layout)" not found/);
  });

  it('reads nothing outside its data', () => {
    const probes = [
      '{{ constructor }}',
      '{{ a.constructor.name }}',
      '{{ portal.constructor.name }}',
      '{{ m.constructor }}',
      '{{ m.__proto__ }}',
      '{{ m.hasOwnProperty }}',
      '{{ csrf.constructor }}',
      '{{ process.env }}',
      '{{ global }}',
      '{{ globalThis }}',
      '{{ session }}',
      '{{ req }}',
      "{{ portal['constructor'] }}",
    ];
    expect(renderTemplate(probes.map((probe) => `[${probe}]`).join(''), data)).toBe(
      '[]'.repeat(probes.length),
    );
  });

  it('is stopped by the render limit: nested loops over big ranges end with an error soon after it', () => {
    for (const source of [
      '{% assign r = (1..1000) %}{% for a in r %}{% for b in r %}{% for c in r %}x{% endfor %}{% endfor %}{% endfor %}',
      // An empty loop body used to escape the limit (CVE-2026-44645).
      '{% assign r = (1..1000) %}{% for a in r %}{% for b in r %}{% for c in r %}{% endfor %}{% endfor %}{% endfor %}',
      '{% for a in (1..3000) %}{% for b in (1..3000) %}{% assign x = b %}{% endfor %}{% endfor %}',
    ]) {
      const started = performance.now();
      expect(() => renderTemplate(source, data)).toThrow('template render limit exceeded');
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(RENDER_LIMIT_MS);
      // Without the limit these run for minutes; one loop step past the limit is all it may take.
      expect(elapsed).toBeLessThan(RENDER_LIMIT_MS + 900);
    }
  });

  it('is stopped by the memory limit: a string doubled in a loop, a giant range', () => {
    const heapBefore = process.memoryUsage().heapUsed;
    expect(() =>
      renderTemplate(
        "{% assign s = 'ab' %}{% for i in (1..60) %}{% assign s = s | append: s %}{% endfor %}{{ s }}",
        data,
      ),
    ).toThrow('memory alloc limit exceeded');
    expect(() => renderTemplate('{% for i in (1..1000000000) %}{{ i }}{% endfor %}', data)).toThrow(
      'memory alloc limit exceeded',
    );
    // 2^60 characters would be far beyond the heap: it stopped near the limit of a million.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('may not grow the page beyond its cap by repeating text', () => {
    const source = `{% for i in (1..11) %}${'x'.repeat(MAX_BODY_LENGTH / 10)}{% endfor %}`;
    expect(() => renderTemplate(source, data)).toThrow(
      `The page is longer than ${MAX_BODY_LENGTH} characters.`,
    );
  });

  it('may not be longer than the contract allows', () => {
    const source = 'x'.repeat(MAX_TEMPLATE_LENGTH + 1);
    expect(() => renderTemplate(source, data)).toThrow(`longer than ${MAX_TEMPLATE_LENGTH} characters`);
    expect(validateTemplate(source)).toEqual([
      { message: `The template is longer than ${MAX_TEMPLATE_LENGTH} characters.` },
    ]);
  });

  it.each([
    ["{% include '/etc/passwd' %}", 'include'],
    ['{% for a in (1..1000000000) %}{% for b in (1..1000000000) %}x{% endfor %}{% endfor %}', 'memory'],
    [
      '{% assign r = (1..1000) %}{% for a in r %}{% for b in r %}{% for c in r %}x{% endfor %}{% endfor %}{% endfor %}',
      'render',
    ],
    ['<p>{{ error | no_such_filter }}</p>', 'filter'],
    ['{% if %}', 'syntax'],
  ])('that fails is logged and the default page served instead: %s', (source, _why) => {
    const { pages: systemPagesWithLog, logged } = systemPages();
    const portal = portalWith({ custom: { login: source } });
    const page = rendered(portal, 'login', loginPage(), systemPagesWithLog);
    expect(page.status).toBe(200);
    expect(cardOf(page.html)).toContain('<label for="email">Email</label>');
    expect(page.html).not.toContain('root:');
    expect(logged).toEqual([
      expect.objectContaining({
        level: 40,
        page: 'login',
        msg: 'custom system page template failed; serving the default one',
      }),
    ]);
  });

  it('that fails is an error for the admin’s preview, neither logged nor set aside', () => {
    const { pages: systemPagesWithLog, logged } = systemPages();
    const heavy = '{% for i in (1..5000000) %}{{ i }}{% endfor %}';
    const portal = portalWith({ custom: { login: heavy } });
    const res = { setHeader: () => undefined, status: () => res, type: () => res, send: () => res };
    const req = { session: {} };
    expect(() =>
      systemPagesWithLog.render(req as never, res as never, portal, 'login', loginPage(), 200, {
        preview: true,
      }),
    ).toThrow('memory alloc limit exceeded');
    expect(logged).toEqual([]);
    // The same source in the portal itself: the default page, logged once.
    expect(cardOf(rendered(portal, 'login', loginPage(), systemPagesWithLog).html)).toContain(
      '<label for="email">Email</label>',
    );
    expect(logged).toHaveLength(1);
  });

  it('that failed is set aside: not tried again on the next request, while a corrected one is used at once', () => {
    const { pages: systemPagesWithLog, logged } = systemPages();
    const looping =
      '{% assign r = (1..1000) %}{% for a in r %}{% for b in r %}{% for c in r %}x{% endfor %}{% endfor %}{% endfor %}';
    const portal = portalWith({ custom: { login: looping } });
    rendered(portal, 'login', loginPage(), systemPagesWithLog);
    const started = performance.now();
    const again = rendered(portal, 'login', loginPage(), systemPagesWithLog);
    expect(performance.now() - started).toBeLessThan(RENDER_LIMIT_MS / 2);
    expect(cardOf(again.html)).toContain('<label for="email">Email</label>');
    expect(logged).toHaveLength(1);

    portal.systemPages.pages.login = { template: 'custom', source: '<p>Fixed</p>' };
    expect(cardOf(rendered(portal, 'login', loginPage(), systemPagesWithLog).html).trim()).toMatch(
      /<p>Fixed<\/p>$/,
    );
  });
});

describe('validateTemplate', () => {
  it('accepts a template that parses', () => {
    expect(
      validateTemplate('<h1>{{ m.loginTitle }}</h1>{% if error %}<p>{{ error }}</p>{% endif %}'),
    ).toEqual([]);
  });

  it('tells where a template does not parse', () => {
    expect(validateTemplate('<h1>Hello</h1>\n<p>\n{% if %}\n</p>')).toEqual([
      { message: 'invalid value expression: ""', line: 3, column: 6 },
    ]);
    expect(validateTemplate('line 1\n\n  {% for item in list %}\n{{ item }}')).toEqual([
      { message: 'tag {% for item in list %} not closed', line: 3, column: 3 },
    ]);
    expect(validateTemplate('one\ntwo {{ error | shout }}')).toEqual([
      { message: 'undefined filter: shout', line: 2, column: 5 },
    ]);
    expect(validateTemplate("one\n{% include 'x' %}")).toEqual([
      { message: 'tag "include" not found', line: 2, column: 1 },
    ]);
  });
});
