import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FormField, PortalView } from '@helpdesk/contracts';
import { RpcClient } from '@helpdesk/kit';
import { eventually } from '@helpdesk/testing';
import { randomInt } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { XSS_CORPUS, XSS_MARKER, type XssPayload } from '../src/attack-corpus.js';
import { type BrowserPage, browserUrl, launchChromium, logIn, logInAdmin, newPage } from '../src/browser.js';
import { ApiSession, demoAdmin, startSystem, type System } from '../src/system.js';
import { PortalClient } from './portal-client.js';

// Stored and reflected XSS (issue 9) in Chromium, against the whole system with the demo data: every
// payload of the corpus goes where customers, anonymous visitors and admins can put text (a ticket's
// subject and description, replies and notes, public form values, contact and company names, the
// portal's texts, form labels, searches and the fields a refused form shows again), and every page
// that shows it is opened. Nothing may run: no dialog, no `window.__xss`, no script error; the page
// holds no active markup that came from data (scripts, handlers, javascript: URLs, frames), so the
// Content-Security-Policy never had to step in either; and the payload reads as the text typed.
//
// Admin-written system page templates are the exception the product makes on purpose: an admin
// writes markup (LiquidJS, every output escaped, no file access, size and time limits), so a
// <script> an admin writes is served as written. What keeps it from running is the portal's CSP
// (scripts only with the response's nonce, no inline handlers, no plugins, no <base>), checked too.

let system: System;
let browser: Browser;
let rpc: RpcClient;
let adminApi: ApiSession;
let base: string;
let accountId: string;
let adminId: string;
let formId: string;
/** Alice's portal, the admin area (the demo admin), a visitor without a login and a customer's second look. */
let alice: Watched;
let admin: Watched;
let visitor: Watched;
/** Per payload: Alice's ticket from the support form, and the ticket and contact of a visitor's public form post. */
const aliceTicketOf = new Map<string, string>();
const visitorThreadOf = new Map<string, string>();
const visitorContactOf = new Map<string, string>();
/** The demo ticket Alice and the agent answer with the payloads, and its thread. */
let printer: { id: string; threadId: string };

/** A page with everything that could show execution recorded: dialogs and uncaught errors besides newPage's console errors. */
interface Watched extends BrowserPage {
  dialogs: string[];
  pageErrors: string[];
}

async function watchedPage(): Promise<Watched> {
  const view = await newPage(browser);
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  view.page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  view.page.on('pageerror', (error) => pageErrors.push(error.message));
  return { ...view, dialogs, pageErrors };
}

beforeAll(async () => {
  system = await startSystem({
    database: 'security_xss_test',
    // Shared per-address counters in Redis: this file logs in, posts forms and asks for reset mails in
    // bulk. The visitor's refused logins come from an address of their own (X-Forwarded-For, trusted
    // here): counted from 127.0.0.1 they would use up the login limit of Alice's and the admin's.
    env: {
      TRUST_PROXY: 'true',
      FORMS_SUBMIT_LIMIT_PER_IP: '1000000',
      LOGIN_LIMIT_PER_IP: '1000000',
      PORTAL_MAIL_LIMIT_PER_IP: '1000000',
    },
  });
  base = browserUrl(system);
  rpc = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 10_000 });
  ({ accountId, adminId } = await demoAdmin(rpc));
  adminApi = await ApiSession.login(system.url, 'admin@demo.test', 'demo-password');
  const portal = await rpc.send('identity.portal.get', { accountId });
  formId = portal.supportForm.formId!;
  // Self-registration, so that the registration page and its consent notice are served.
  await putSection('access', { ...portal.access, mode: 'self_registration' });

  // Alice sends every payload as a ticket's subject and description through the portal's support form
  // (over HTTP, as her browser's form post would: the pages are then looked at in Chromium).
  const aliceHttp = new PortalClient(system.url);
  expect((await aliceHttp.login('support', 'alice@acme.test', 'demo-password')).status).toBe(303);
  const csrf = PortalClient.csrfOf((await aliceHttp.get('/support/submit')).body);
  for (const { text } of XSS_CORPUS) {
    const sent = await aliceHttp.post('/support/submit', { _csrf: csrf, subject: text, content: text });
    expect([text, sent.status]).toEqual([text, 303]);
  }
  // An anonymous visitor posts the public form with every payload as name, subject and description.
  for (const [index, { text }] of XSS_CORPUS.entries()) {
    const posted = await fetch(`${system.url}/forms/v1/submit/${formId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: visitorEmail(index),
        firstname: text,
        lastname: text,
        subject: text,
        content: text,
      }),
    });
    expect([text, posted.status]).toEqual([text, 200]);
  }
  // Forms delivers both a moment later: contacts, tickets, threads.
  const inboxes = await rpc.send('inbox.inboxes.list', { accountId });
  const support = inboxes.find((inbox) => inbox.name === 'Support inbox')!;
  const threads = await eventually(async () => {
    const { items } = await rpc.send('inbox.threads.list', { accountId, inboxId: support.id, limit: 100 });
    return items.length === 8 + 2 * XSS_CORPUS.length ? items : undefined;
  }, 60_000);
  const threadOf = (subject: string, email: string) =>
    threads.find((thread) => thread.subject === subject && thread.requester.email === email)!;
  for (const [index, { text }] of XSS_CORPUS.entries()) {
    const ticketId = threadOf(text.trim(), 'alice@acme.test').ticketId;
    aliceTicketOf.set(text, ticketId);
    // Owned, so that the list's owner column shows the portal's owner alias.
    await rpc.send('tickets.update', { accountId, id: ticketId, ownerId: adminId });
    const visitorThread = threadOf(text.trim(), visitorEmail(index));
    visitorThreadOf.set(text, visitorThread.id);
    visitorContactOf.set(text, visitorThread.requester.contactId!);
    // An admin enters every payload as a company's name too, the visitor's company.
    const company = await adminApi.request('POST', '/api/v1/companies', { name: text });
    expect(company.status).toBe(201);
    const { id: companyId } = (await company.json()) as { id: string };
    const moved = await adminApi.request('PATCH', `/api/v1/contacts/${visitorThread.requester.contactId}`, {
      primaryCompanyId: companyId,
    });
    expect(moved.status).toBe(200);
  }
  const printerThread = threads.find((thread) => thread.subject === 'Printer on fire')!;
  printer = { id: printerThread.ticketId, threadId: printerThread.id };

  browser = await launchChromium();
  alice = await watchedPage();
  await logIn(alice.page, `${base}/support`, 'alice@acme.test');
  admin = await watchedPage();
  await logInAdmin(admin.page, base, 'admin@demo.test', '/admin/inbox');
  await admin.page.waitForURL(`${base}/admin/inbox`);
  visitor = await watchedPage();
  await visitor.context.setExtraHTTPHeaders({
    'x-forwarded-for': `198.18.${randomInt(256)}.${randomInt(1, 255)}`,
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await rpc?.close();
  await system?.close();
});

const visitorEmail = (index: number) => `visitor-${index}@example.test`;

const putSection = async (section: string, settings: unknown) => {
  const saved = await adminApi.request('PUT', `/api/v1/portal/sections/${section}`, settings);
  expect([section, saved.status, saved.status === 200 ? '' : await saved.text()]).toEqual([section, 200, '']);
};

/** What a payload that ran left in the page: the value of `window.__xss`, null when it did not run. */
const MARKER_SET = `window.${XSS_MARKER} ?? null`;
/** A refused form post's answer, which Chromium logs as an error: expected where a post is refused. */
const refusedLoad = /^Failed to load resource: the server responded with a status of 4\d\d/;
/**
 * How Chromium reports what it stopped an admin's markup from doing: the page's
 * Content-Security-Policy, or its own rules (no javascript: refresh, no javascript: <base>).
 */
const browserRefusal =
  /violates the following Content Security Policy directive|^Refused to refresh .* to a javascript: URL$|^'javascript' URLs may not be used as base URLs/;

/**
 * Everything on the page that could run script and did not come from the page's templates: script
 * elements other than the portal's own files, style elements in the body (pages keep theirs in the
 * head), frames, plugins, <base>, event handler and srcdoc attributes, javascript:/vbscript: URLs
 * anywhere and data: URLs where a click navigates, CSS expressions. Evaluated in the page as source
 * (like axe in browser.ts: this package compiles without the DOM library).
 */
const ACTIVE_CONTENT = `(() => {
  const found = [];
  const show = (element) => element.outerHTML.slice(0, 100);
  const protocol = (value) => {
    try {
      return new URL(value, document.baseURI).protocol;
    } catch {
      return '';
    }
  };
  const navigates = ['a', 'area', 'form', 'button', 'input', 'iframe', 'object', 'embed'];
  const urls = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster', 'background'];
  for (const element of document.querySelectorAll('*')) {
    const tag = element.localName;
    if (tag === 'script' && !element.src.startsWith(location.origin + '/portal-assets/'))
      found.push('script: ' + show(element));
    if (tag === 'style' && element.closest('body')) found.push('style: ' + show(element));
    if (['iframe', 'frame', 'object', 'embed', 'base', 'applet'].includes(tag)) found.push(tag + ': ' + show(element));
    if (tag === 'meta' && /javascript:|data:/i.test(element.getAttribute('content') || ''))
      found.push('meta: ' + show(element));
    for (const { name, value } of element.attributes) {
      const attribute = name.toLowerCase();
      if (attribute.startsWith('on') || attribute === 'srcdoc') found.push(attribute + ': ' + show(element));
      else if (urls.includes(attribute)) {
        const scheme = protocol(value);
        if (scheme === 'javascript:' || scheme === 'vbscript:' || (scheme === 'data:' && navigates.includes(tag)))
          found.push(attribute + '=' + scheme + ' ' + show(element));
      } else if (attribute === 'style' && /expression\\s*\\(|javascript:/i.test(value))
        found.push('style attribute: ' + show(element));
    }
  }
  return found;
})()`;

/**
 * Nothing ran on the page now loaded: no dialog, no marker in any frame, no uncaught error. `escaped`
 * (data): no active markup from data either, and nothing the CSP had to refuse. `blocked` (an admin's
 * template markup): whatever the page logged is the browser refusing it.
 */
async function expectInert(view: Watched, policy: 'escaped' | 'blocked' = 'escaped') {
  const { page } = view;
  await page.waitForLoadState('load');
  // Two frames: time for autofocus, toggle, load and error events of anything injected to fire.
  await page.evaluate(
    'new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))',
  );
  const markers = await Promise.all(
    page.frames().map((frame) => frame.evaluate(MARKER_SET).catch(() => null)),
  );
  expect(markers.filter((marker) => marker !== null)).toEqual([]);
  expect(view.dialogs.splice(0)).toEqual([]);
  expect(view.pageErrors.splice(0)).toEqual([]);
  const errors = view.errors.splice(0).filter((error) => !refusedLoad.test(error));
  if (policy === 'escaped') {
    expect(await page.evaluate(ACTIVE_CONTENT)).toEqual([]);
    expect(errors).toEqual([]);
  } else expect(errors.filter((error) => !browserRefusal.test(error))).toEqual([]);
}

/** Opens a page of the system (or any URL) and checks it as `expectInert` does. */
async function open(view: Watched, path: string, policy: 'escaped' | 'blocked' = 'escaped') {
  await view.page.goto(path.startsWith('http') ? path : `${base}${path}`);
  await expectInert(view, policy);
}

/** The visible text of the first element matching the selector. */
const textOf = (page: Page, selector: string) => page.locator(selector).first().innerText();

/** Every page of a list (following rel=next), each checked; the visible text of them all. */
async function everyPage(view: Watched, path: string): Promise<string> {
  let text = '';
  let next: string | null = path;
  for (let pages = 0; next && pages < 20; pages++) {
    await open(view, next);
    text += `${await textOf(view.page, 'main')}\n`;
    next = (await view.page.locator('a[rel="next"]').count())
      ? await view.page.locator('a[rel="next"]').first().getAttribute('href')
      : null;
  }
  return text;
}

/** What a text field shows of a payload: fields are stored trimmed. */
const shown = ({ text }: XssPayload) => text.trim();
/** Every payload, one a line: for the places that take long text. */
const everyPayload = XSS_CORPUS.map(({ text }) => text).join('\n');
/** The lines of a text as shown (paragraphs and line breaks alike). */
const linesOf = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

describe('tickets: subjects and descriptions from the support form and the public form', () => {
  it('lists every payload as a subject in the customer’s list, every page of it', async () => {
    const text = await everyPage(alice, '/support/tickets');
    for (const payload of XSS_CORPUS) expect(text).toContain(shown(payload));
    await alice.page.goto(`${base}/support/tickets`);
    await alice.page.screenshot({ path: '/tmp/helpers/xss.png', fullPage: true });
  });

  it.each([...XSS_CORPUS])(
    'shows $name as the customer’s ticket: title, heading, description',
    async (payload) => {
      await open(alice, `/support/tickets/${aliceTicketOf.get(payload.text)}`);
      expect(await alice.page.title()).toContain(shown(payload));
      expect(await textOf(alice.page, 'h1')).toBe(shown(payload));
      expect(await textOf(alice.page, '.messages .message-body')).toBe(shown(payload));
    },
  );

  it.each([...XSS_CORPUS])(
    'shows $name from a visitor’s form post to the agent: subject, description, requester',
    async (payload) => {
      await open(admin, `/admin/inbox/threads/${visitorThreadOf.get(payload.text)}`);
      expect(await textOf(admin.page, 'h1')).toBe(shown(payload));
      expect(await textOf(admin.page, '.message-body')).toBe(shown(payload));
      expect(await textOf(admin.page, 'label[for="reply-body"]')).toBe(
        `Reply to ${shown(payload)} ${shown(payload)}`,
      );
    },
  );

  it('lists subjects and requesters in the agent inbox, every page of it', async () => {
    const text = await everyPage(admin, '/admin/inbox');
    for (const payload of XSS_CORPUS) expect(text).toContain(`${shown(payload)} ${shown(payload)}`);
  });

  it('lists the subjects in an admin’s preview of Alice’s portal', async () => {
    const preview = await watchedPage();
    await open(preview, await previewLink(await aliceId()));
    const text = await everyPage(preview, '/support/tickets');
    for (const payload of XSS_CORPUS) expect(text).toContain(shown(payload));
    await preview.context.close();
  });
});

const aliceId = async () =>
  (await rpc.send('identity.contacts.list', { accountId, search: 'alice@acme.test' })).items[0].id;

/** A one-time link that opens the portal as the contact (SPEC P7). */
async function previewLink(contactId: string): Promise<string> {
  const link = await adminApi.request('POST', '/api/v1/portal/previews', { contactId });
  expect(link.status).toBe(201);
  return ((await link.json()) as { url: string }).url;
}

/** Types every payload into the portal's reply editor, one a line. */
async function typeEveryPayload(page: Page) {
  await page.locator('trix-editor').click();
  for (const { text } of XSS_CORPUS) {
    await page.keyboard.insertText(text);
    await page.keyboard.press('Enter');
  }
}

describe('replies and notes', () => {
  it('sends every payload, one a line, as a customer’s reply typed into the editor', async () => {
    await open(alice, `/support/tickets/${printer.id}`);
    await typeEveryPayload(alice.page);
    await alice.page.getByRole('button', { name: 'Reply', exact: true }).click();
    await alice.page.waitForURL(/notice=replySent/);
    await expectInert(alice);
    const reply = await alice.page.locator('.messages > li .message-body').last().innerText();
    expect(linesOf(reply)).toEqual(XSS_CORPUS.map(shown));
  });

  it('gives every payload back as the draft of a refused reply, in the editor as text', async () => {
    await open(alice, `/support/tickets/${printer.id}`);
    await typeEveryPayload(alice.page);
    // A reply whose HTML has nothing readable is refused and comes back as its draft. The editor
    // never sends one: the form is tampered with once the editor has written its fields.
    await eventually(async () =>
      (await alice.page.locator('#reply-body').inputValue()).includes(XSS_CORPUS.at(-1)!.text),
    );
    await alice.page
      .locator('input[name="bodyHtml"]')
      .evaluate((input: { value: string }) => (input.value = '<p> </p>'));
    await alice.page.getByRole('button', { name: 'Reply', exact: true }).click();
    await alice.page.locator('#reply-error').waitFor();
    await expectInert(alice);
    expect(linesOf(await alice.page.locator('#reply-body').inputValue())).toEqual(XSS_CORPUS.map(shown));
    expect(linesOf(await alice.page.locator('trix-editor').innerText())).toEqual(XSS_CORPUS.map(shown));
  });

  it('shows a reply refused for its file in place, with nothing run and the portal’s theme kept', async () => {
    await open(alice, `/support/tickets/${printer.id}`);
    await typeEveryPayload(alice.page);
    await alice.page
      .getByLabel('Attach files')
      .setInputFiles({ name: 'tool.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') });
    await alice.page.getByRole('button', { name: 'Reply', exact: true }).click();
    // The script sends a reply with files itself and shows the refusal's page in place.
    await alice.page.locator('#reply-error').waitFor();
    await expectInert(alice);
    expect(
      await alice.page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--hd-primary')",
      ),
    ).toBe('#1a5fb4');
  });

  it('sends every payload as an agent’s reply and internal note; the customer sees the reply as text', async () => {
    await open(admin, `/admin/inbox/threads/${printer.threadId}`);
    await admin.page.getByLabel(/^Reply to/).fill(everyPayload);
    await admin.page.getByRole('button', { name: 'Send reply' }).click();
    await admin.page.waitForURL(/done=reply/);
    await expectInert(admin);
    await admin.page.getByLabel('Internal note').fill(everyPayload);
    await admin.page.getByRole('button', { name: 'Add note' }).click();
    await admin.page.waitForURL(/done=note/);
    await expectInert(admin);
    const bodies = await admin.page.locator('.message-body').allInnerTexts();
    // Alice's reply, the agent's reply and the note.
    expect(bodies.filter((body) => linesOf(body).join('\n') === everyPayload)).toHaveLength(3);

    await open(alice, `/support/tickets/${printer.id}`);
    const seen = await alice.page.locator('.messages .message-body').allInnerTexts();
    // Her reply and the agent's; the note stays in the inbox.
    expect(seen.filter((body) => linesOf(body).join('\n') === everyPayload)).toHaveLength(2);
  });
});

describe('names: contacts from the public form, companies an admin enters', () => {
  it('lists the contacts’ and companies’ names in the admin area, every page', async () => {
    const contacts = await everyPage(admin, '/admin/contacts');
    const companies = await everyPage(admin, '/admin/companies');
    for (const payload of XSS_CORPUS) {
      expect(contacts).toContain(`${shown(payload)} ${shown(payload)}`);
      expect(companies).toContain(shown(payload));
    }
  });

  it.each([...XSS_CORPUS])('shows $name in a contact’s edit form: names and company', async (payload) => {
    await open(admin, `/admin/contacts/${visitorContactOf.get(payload.text)}`);
    expect(await admin.page.getByLabel('First name').inputValue()).toBe(shown(payload));
    expect(await admin.page.getByLabel('Last name').inputValue()).toBe(shown(payload));
    expect(await admin.page.getByLabel('Company').inputValue()).toBe(shown(payload));
  });

  it.each([...XSS_CORPUS])('shows $name as the contact an admin previews the portal as', async (payload) => {
    const preview = visitor;
    await open(preview, await previewLink(visitorContactOf.get(payload.text)!));
    expect(await textOf(preview.page, 'header .account-name')).toBe(`${shown(payload)} ${shown(payload)}`);
    expect(await textOf(preview.page, '.preview-banner')).toContain(shown(payload));
    await preview.page.getByRole('button', { name: 'End preview' }).click();
    await expectInert(preview);
  });
});

describe('searches and refused forms that show what was typed', () => {
  it.each([...XSS_CORPUS])(
    'keeps $name as text in the portal’s and the admin area’s searches',
    async (payload) => {
      await open(alice, `/support/tickets?q=${encodeURIComponent(payload.text)}`);
      expect(await alice.page.locator('#q').inputValue()).toBe(payload.text);
      await open(admin, `/admin/contacts?q=${encodeURIComponent(payload.text)}`);
      expect(await admin.page.locator('#q').inputValue()).toBe(payload.text);
    },
  );

  it.each([...XSS_CORPUS])(
    'keeps $name as text in the login, password reset and registration forms',
    async (payload) => {
      await sendRefused(visitor, `/support/login?next=${encodeURIComponent(payload.text)}`, {
        Email: payload.text,
        Password: 'not-the-password',
      });
      expect(await visitor.page.getByLabel('Email').inputValue()).toBe(payload.text);
      await sendRefused(visitor, '/support/forgot-password', { Email: payload.text });
      expect(await visitor.page.getByLabel('Email').inputValue()).toBe(payload.text);
      await sendRefused(visitor, '/support/register', {
        'First name': payload.text,
        'Last name': payload.text,
        Email: payload.text,
      });
      expect(await visitor.page.getByLabel('First name').inputValue()).toBe(shown(payload));
      expect(await visitor.page.getByLabel('Last name').inputValue()).toBe(shown(payload));
    },
  );
});

/**
 * Opens a form, fills its fields by label and sends it as the browser's form post (skipping the
 * browser's own validation, which would stop a payload typed as an email first), then checks the
 * page that comes back.
 */
async function sendRefused(view: Watched, path: string, fields: Record<string, string>) {
  await open(view, path);
  for (const [label, value] of Object.entries(fields))
    await view.page.getByLabel(label, { exact: true }).fill(value);
  await submitForm(view.page, 'main form.stack');
  await expectInert(view);
}

/** Submits a form as its own button would, without the browser's validation, and waits for the answer's page. */
async function submitForm(page: Page, selector: string) {
  await Promise.all([
    page.waitForNavigation(),
    page.locator(selector).evaluate((form: { submit(): void }) => form.submit()),
  ]);
}

describe('the portal’s texts and the support form’s labels an admin edits', () => {
  let settings: PortalView;
  let fields: FormField[];
  /** A customer's web site that pastes the form's embed code. */
  let site: Watched;
  beforeAll(async () => {
    settings = await rpc.send('identity.portal.get', { accountId });
    fields = (await rpc.send('forms.get', { accountId, id: formId })).fields;
    site = await watchedPage();
  });

  /**
   * The customer's site with the embed code pasted in as it is (there is no CSP there: only the
   * code's own escaping protects a site), checked, its required fields filled in, ready to post.
   */
  async function pasteEmbedCode(embed: string) {
    await site.page.setContent(`<!doctype html><title>A customer's site</title><main>${embed}</main>`);
    await expectInert(site);
    await site.page.locator('form input[type="email"]').fill('embed@example.test');
    for (const field of await site.page
      .locator('form input[type="text"][required], form textarea[required]')
      .all())
      await field.fill('Sent from the embed code');
  }

  /** What the admin writes: the payload where it fits, what the setting was otherwise. */
  const fit = (payload: XssPayload, max: number, otherwise: string) =>
    payload.text.length <= max ? payload.text : otherwise;

  it('shows every payload of the consent notice as text, and a javascript: link as written', async () => {
    const notice = `${XSS_CORPUS.map(({ text }) => text).join('\n\n')}\n\n[terms](javascript:alert(1))`;
    await putSection('consent', {
      notices: [{ domainId: settings.domains[0].id, text: notice, checkboxText: XSS_CORPUS[0].text }],
    });
    await eventually(async () => {
      await visitor.page.goto(`${base}/support/register`);
      return (await visitor.page.locator('main form').innerText()).includes('[terms](javascript:alert(1))');
    });
    await expectInert(visitor);
    const text = await textOf(visitor.page, 'main form');
    for (const payload of XSS_CORPUS) expect(text).toContain(shown(payload));
  });

  it('lists every payload as a field name the public form does not have on its error page', async () => {
    await open(admin, `/admin/forms/${formId}`);
    await pasteEmbedCode(await admin.page.locator('#embed-code').inputValue());
    await site.page.locator('form').evaluate(
      (form: PageForm, names: string[]) => {
        for (const name of names) {
          const extra = form.ownerDocument.createElement('input');
          extra.type = 'hidden';
          extra.name = name;
          extra.value = 'x';
          form.append(extra);
        }
      },
      XSS_CORPUS.map(({ text }) => text),
    );
    await submitForm(site.page, 'form');
    await expectInert(site);
    const text = await textOf(site.page, 'main');
    expect(text).toContain('The form was not sent');
    for (const { text: name } of XSS_CORPUS) expect(text).toContain(name);
  });

  it.each([...XSS_CORPUS])(
    'shows $name as text on the portal’s pages, the admin’s and the embed code’s',
    async (payload) => {
      await putSection('general', { ...settings.general, name: payload.text });
      await putSection('supportForm', {
        ...settings.supportForm,
        menuText: fit(payload, 60, settings.supportForm.menuText),
        headerText: payload.text,
      });
      await putSection('ticketDisplay', {
        ...settings.ticketDisplay,
        label: fit(payload, 40, settings.ticketDisplay.label),
        columns: settings.ticketDisplay.columns.map((column) =>
          column.property === 'subject' ? { ...column, label: fit(payload, 60, column.label) } : column,
        ),
        ownerDisplay: 'alias',
        ownerAlias: fit(payload, 60, 'Support team'),
      });
      await rpc.send('forms.update', {
        accountId,
        id: formId,
        thankYouMessage: payload.text,
        fields: fields.map((field): FormField => {
          if (field.name === 'subject') return { ...field, label: payload.text, helpText: payload.text };
          if (field.type !== 'select') return field;
          return { ...field, options: field.options!.map((o, i) => (i ? o : { ...o, label: payload.text })) };
        }),
      });

      // The gateway drops its cached portal on the change's event, a moment later.
      await eventually(async () => {
        await alice.page.goto(`${base}/support/tickets`);
        return (await alice.page.title()).includes(shown(payload));
      });
      await expectInert(alice);
      expect(await textOf(alice.page, 'header .brand-name')).toBe(shown(payload));
      expect(await textOf(alice.page, 'nav.main-nav')).toContain(
        fit(payload, 60, settings.supportForm.menuText).trim(),
      );
      expect(await textOf(alice.page, 'h1')).toBe(fit(payload, 40, settings.ticketDisplay.label).trim());
      expect(await textOf(alice.page, 'thead')).toContain(fit(payload, 60, 'Subject').trim());
      expect(await textOf(alice.page, 'tbody')).toContain(fit(payload, 60, 'Support team').trim());

      await open(alice, '/support/submit');
      expect(await textOf(alice.page, 'h1')).toBe(shown(payload));
      const form = await textOf(alice.page, 'main form');
      expect(form.split(shown(payload)).length).toBeGreaterThanOrEqual(3); // the label and the help text

      await open(visitor, '/support/login');
      expect(await textOf(visitor.page, '.auth-card')).toContain(shown(payload));

      await open(admin, '/admin/portal');
      expect(await admin.page.locator('input[name="name"]').first().inputValue()).toBe(shown(payload));
      expect(await admin.page.locator('input[name="headerText"]').inputValue()).toBe(shown(payload));

      await open(admin, `/admin/forms/${formId}`);
      await pasteEmbedCode(await admin.page.locator('#embed-code').inputValue());
      expect(await textOf(site.page, 'form')).toContain(shown(payload));
      await submitForm(site.page, 'form');
      await expectInert(site);
      expect(await textOf(site.page, 'main')).toContain(shown(payload));
    },
  );
});

/** What the embed code's form is to the function that adds fields to it in the page. */
interface PageForm {
  ownerDocument: { createElement(tag: 'input'): { type: string; name: string; value: string } };
  append(node: unknown): void;
}

describe('system page templates an admin writes', () => {
  let shipped: string;
  let customer: Watched;
  beforeAll(async () => {
    customer = await watchedPage();
  });

  it('serves the portal with a nonce-only script policy, no plugins, no <base>, no framing', async () => {
    const response = await customer.page.goto(`${base}/support/login`);
    const csp = response!.headers()['content-security-policy'];
    expect(csp).toMatch(/(^|; )script-src 'nonce-[A-Za-z0-9+/=]+'(;|$)/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|strict-dynamic/);
    for (const directive of [
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ])
      expect(csp).toContain(directive);
    await open(admin, '/admin/portal/system-pages/login');
    shipped = await admin.page.getByLabel('Template source (Liquid)').inputValue();
  });

  it.each([...XSS_CORPUS])(
    'serves $name written into the login template; the CSP keeps it from running',
    async (payload) => {
      await open(admin, '/admin/portal/system-pages/login');
      const source = shipped.replace('</h1>', `</h1>\n<div class="custom-xss">${payload.text}</div>`);
      await admin.page.getByLabel('Template source (Liquid)').fill(source);
      await admin.page.getByLabel(/A custom template/).check();

      const [preview] = await Promise.all([
        admin.context.waitForEvent('page'),
        admin.page.getByRole('button', { name: /^Preview/ }).click(),
      ]);
      await preview.waitForLoadState('load');
      expect(await preview.evaluate(MARKER_SET)).toBeNull();
      await preview.close();

      const [saved] = await Promise.all([
        admin.page.waitForResponse((r) => r.request().method() === 'POST'),
        admin.page.getByRole('button', { name: 'Save', exact: true }).click(),
      ]);
      await expectInert(admin);
      if (saved.status() === 400) {
        // Liquid that does not parse is refused with its reason, the source kept as text in the editor;
        // customers keep the page they had.
        expect(await textOf(admin.page, '#template-source-error')).toMatch(/^Line \d+, column \d+: /);
        expect(await admin.page.getByLabel('Template source (Liquid)').inputValue()).toBe(source);
        return;
      }
      expect(saved.status()).toBe(303);
      // The editor shows the saved source as text, whatever it holds.
      await open(admin, '/admin/portal/system-pages/login');
      expect(await admin.page.getByLabel('Template source (Liquid)').inputValue()).toBe(source);
      await eventually(async () => {
        await customer.page.goto(`${base}/support/login`);
        return (await customer.page.locator('.custom-xss').count()) === 1;
      });
      await expectInert(customer, 'blocked');
    },
  );
});

describe('the services', () => {
  it('logged no unexpected error while taking all of the above', () => {
    const failures = Object.entries(system.logs).flatMap(([service, lines]) =>
      lines.filter((line) => Number(line.level) >= 50).map((line) => ({ service, ...line })),
    );
    expect(failures).toEqual([]);
  });
});
