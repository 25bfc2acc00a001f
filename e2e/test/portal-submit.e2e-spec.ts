import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PortalView, SubmissionView } from '@helpdesk/contracts';
import { RpcClient } from '@helpdesk/kit';
import { demoAdmin, startSystem, type System } from '../src/system.js';
import { listedTickets, PortalClient, type PortalResponse } from './portal-client.js';

// Submit a ticket (SPEC P5, S5) over plain HTTP, as a browser without script uses it: the demo's
// portal `support` with its connected support form (forms' support template), on `localhost`
// (English) and `fi.localhost` (Finnish).

const TICKET_PAGE = /^\/support\/tickets\/[0-9a-f-]{36}\?notice=ticketSubmitted$/;
/** The form's own limit, low here so that the last test reaches it (the per-address one is shared). */
const PER_FORM = 8;

let system: System;
let rpc: RpcClient;
let accountId: string;
let adminId: string;
let formId: string;
const contactIds = new Map<string, string>();
let acmeId: string | null;
/** Posts that reached the rate limiter, so far (every one with the session's CSRF token). */
let counted = 0;

beforeAll(async () => {
  system = await startSystem({
    database: 'helpdesk_test_e2e_portal_submit',
    env: {
      // Other test systems on this machine post from 127.0.0.1 too: the per-address window is
      // theirs as well, so only the form's own (this database's form) is counted on here.
      FORMS_SUBMIT_LIMIT_PER_IP: '1000000',
      FORMS_SUBMIT_LIMIT_PER_FORM: String(PER_FORM),
      FORMS_SUBMIT_WINDOW_SECONDS: '3600',
    },
  });
  rpc = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 5_000 });
  ({ accountId, adminId } = await demoAdmin(rpc));
  for (const email of ['alice@acme.test', 'carol@globex.test']) {
    const [contact] = (await rpc.send('identity.contacts.list', { accountId, search: email })).items;
    contactIds.set(email, contact.id);
    if (email === 'alice@acme.test') acmeId = contact.primaryCompanyId;
  }
  formId = (await rpc.send('identity.portal.get', { accountId })).supportForm.formId!;
}, 180_000);

afterAll(async () => {
  await rpc?.close();
  await system?.close();
});

async function loggedIn(email = 'alice@acme.test', host = 'localhost'): Promise<PortalClient> {
  const client = new PortalClient(system.url, host);
  const answer = await client.login('support', email, 'demo-password');
  expect([answer.status, answer.location]).toEqual([303, '/support/tickets']);
  return client;
}

/** Sends the support form as the page's own form post does (with the page's CSRF token). */
async function submit(client: PortalClient, fields: Record<string, string>): Promise<PortalResponse> {
  const page = await client.get('/support/submit');
  expect(page.status).toBe(200);
  counted++;
  return client.post('/support/submit', { _csrf: PortalClient.csrfOf(page.body), ...fields });
}

const storedSubmissions = async (): Promise<SubmissionView[]> =>
  (await rpc.send('forms.submissions.list', { accountId, formId, limit: 100 })).items;

/** Follows the "request received" page until it sends the customer on to the new ticket. */
async function ticketPageOf(client: PortalClient, receivedPath: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const page = await client.get(receivedPath);
    if (page.status === 303) return page.location!;
    expect(page.status).toBe(200);
    expect(page.body).toContain('Your request was received');
    if (Date.now() > deadline) throw new Error('no ticket within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The support form's settings changed for the duration of `run`, then put back. */
async function withSupportForm(change: Partial<PortalView['supportForm']>, run: () => Promise<void>) {
  const before = (await rpc.send('identity.portal.get', { accountId })).supportForm;
  const save = (settings: PortalView['supportForm']) =>
    rpc.send('identity.portal.update', { accountId, actorUserId: adminId, section: 'supportForm', settings });
  await save({ ...before, ...change });
  try {
    await run();
  } finally {
    await save(before);
  }
}

/** The gateway drops its cached portal on `portal.updated`, an event: asks until the answer changes. */
async function eventually(check: () => Promise<boolean>) {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('not within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('submitting a ticket from the portal', () => {
  it('sends a visitor who is not logged in to the login page, and back afterwards', async () => {
    const visitor = new PortalClient(system.url);
    const page = await visitor.get('/support/submit');
    expect([page.status, page.location]).toEqual([303, '/support/login?next=%2Fsupport%2Fsubmit']);
    const post = await visitor.post('/support/submit', { subject: 'x', content: 'y' });
    expect(post.status).toBe(303);
    expect(post.location).toMatch(/^\/support\/login\?/);
    const received = await visitor.get('/support/submit/00000000-0000-4000-8000-000000000000');
    expect(received.location).toMatch(/^\/support\/login\?/);
  });

  it('shows the connected form with its header, labels, help and required fields, and not who she is', async () => {
    const alice = await loggedIn();
    const list = await alice.get('/support/tickets');
    expect(list.body).toContain('<a href="/support/submit">Submit a ticket</a>'); // the navigation
    const page = await alice.get('/support/submit');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'nonce-/);
    expect(page.body).toContain('<title>How can we help? · Demo Support</title>');
    expect(page.body).toMatch(/<h1 class="page-title">How can we help\?<\/h1>/);
    expect(page.body).toContain('<form method="post" action="/support/submit"');
    expect(page.body).toMatch(
      /<label for="field-subject">Subject<span class="required-mark" aria-hidden="true">\*<\/span><\/label>/,
    );
    expect(page.body).toMatch(/<input type="text" id="field-subject" name="subject" value="" required>/);
    expect(page.body).toContain(
      '<p class="hint field-help" id="field-content-help">What happened, and what did you expect?</p>',
    );
    expect(page.body).toMatch(
      /<textarea id="field-content" name="content" rows="7" aria-describedby="field-content-help" required>/,
    );
    expect(page.body).toMatch(/<select id="field-hs_ticket_priority" name="hs_ticket_priority">/);
    expect(page.body).toContain('<option value="urgent">Urgent</option>');
    // The session knows her email and name: the form does not ask them again, it says who sends.
    for (const name of ['email', 'firstname', 'lastname']) expect(page.body).not.toContain(`name="${name}"`);
    expect(page.body).toMatch(
      /From<\/span> <strong>Alice Anderson<\/strong> <span class="submit-requester-email">alice@acme.test/,
    );

    const finnish = await loggedIn('alice@acme.test', 'fi.localhost');
    const fi = await finnish.get('/support/submit');
    expect(fi.body).toContain('<html lang="fi">');
    expect(fi.body).toMatch(/<h1 class="page-title">Miten voimme auttaa\?<\/h1>/);
    // The navigation names the page it is on.
    expect(fi.body).toContain('<a href="/support/submit" aria-current="page">Tee tukiticket</a>');
    expect(fi.body).toContain('>Lähetä</button>');
  });

  it('refuses a post without the CSRF token with a 403 page, storing nothing', async () => {
    const alice = await loggedIn();
    const before = await storedSubmissions();
    const answer = await alice.post('/support/submit', { subject: 'Forged', content: 'From another site' });
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('Your form has expired');
    expect(await storedSubmissions()).toEqual(before);
  });

  it('answers invalid fields with the form again: 400, messages beside the fields, a summary, answers kept', async () => {
    const alice = await loggedIn();
    const before = await storedSubmissions();
    const answer = await submit(alice, {
      subject: '   ',
      content: 'The <printer> & the "toner"',
      hs_ticket_priority: 'someday',
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('<title>Error: How can we help? · Demo Support</title>');
    expect(answer.body).toContain('Your request was not sent. Check the following:');
    expect(answer.body).toContain('<a href="#field-subject">Subject: Fill in this field.</a>');
    expect(answer.body).toContain(
      '<a href="#field-hs_ticket_priority">Priority: Choose one of the options.</a>',
    );
    expect(answer.body).toContain('<p class="field-error" id="field-subject-error">Fill in this field.</p>');
    expect(answer.body).toContain(
      '<input type="text" id="field-subject" name="subject" value="   " aria-describedby="field-subject-error" aria-invalid="true" required>',
    );
    expect(answer.body).toMatch(
      /<select id="field-hs_ticket_priority" name="hs_ticket_priority" aria-describedby="field-hs_ticket_priority-error" aria-invalid="true">/,
    );
    // What she wrote comes back, escaped, and the valid field has no error.
    expect(answer.body).toContain('>The &lt;printer&gt; &amp; the &#34;toner&#34;</textarea>');
    expect(answer.body).not.toContain('field-content-error');
    expect(await storedSubmissions()).toEqual(before);

    const finnish = await loggedIn('alice@acme.test', 'fi.localhost');
    const fi = await submit(finnish, { subject: '', content: 'x' });
    expect(fi.status).toBe(400);
    expect(fi.body).toContain('<a href="#field-subject">Subject: Täytä tämä kenttä.</a>');
  });

  it('makes a ticket of a valid post, with her as the requester, and leads her to it and her list', async () => {
    const alice = await loggedIn();
    const sent = await submit(alice, {
      subject: 'Scanner makes a grinding noise',
      content: 'Since this morning.\nIt still scans.',
      hs_ticket_priority: 'high',
      // Not a field this page asks: whatever is posted, she is the requester.
      email: 'carol@globex.test',
    });
    expect(sent.status).toBe(303);
    const received = sent.location!;
    expect(received).toMatch(/^\/support\/submit\/[0-9a-f-]{36}$/);

    const ticketPath = await ticketPageOf(alice, received);
    const ticketId = /^\/support\/tickets\/([0-9a-f-]{36})\?notice=ticketSubmitted$/.exec(ticketPath)?.[1];
    expect(ticketId).toBeDefined();
    const detail = await alice.get(ticketPath);
    expect(detail.status).toBe(200);
    expect(detail.body).toContain('Your ticket was created. We will answer you here.');
    expect(detail.body).toContain('Scanner makes a grinding noise</h1>');

    const ticket = await rpc.send('tickets.get', { accountId, id: ticketId! });
    expect(ticket).toMatchObject({
      subject: 'Scanner makes a grinding noise',
      content: 'Since this morning.\nIt still scans.',
      priority: 'high',
      source: 'form',
      requesterContactId: contactIds.get('alice@acme.test'),
      companyId: acmeId,
    });
    const [submission] = (await storedSubmissions()).filter((s) => s.ticketId === ticketId);
    expect(submission).toMatchObject({ channel: 'portal', contactId: contactIds.get('alice@acme.test') });
    expect(submission.pageUri).toMatch(/\/support\/submit$/);

    const list = await alice.get('/support/tickets?show=mine');
    expect(listedTickets(list.body)).toContainEqual({
      id: ticketId,
      subject: 'Scanner makes a grinding noise',
    });

    // Another customer cannot look at her submission, or learn whether it exists.
    const carol = await loggedIn('carol@globex.test');
    const foreign = await carol.get(received);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toContain('Page not found');
    expect((await carol.get(`${received}/status`)).status).toBe(404);
    expect((await carol.get('/support/submit/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await carol.get('/support/submit/not-an-id')).status).toBe(404);
    // Hers, the status answers with where to go.
    const status = await alice.get(`${received}/status`);
    expect(JSON.parse(status.body)).toEqual({ pending: false, ticketHref: ticketPath });
  });

  it('says the request is safe while its ticket is still being made, and goes on to it once it is', async () => {
    const alice = await loggedIn();
    await system.stop('tickets');
    let received: string;
    try {
      const sent = await submit(alice, { subject: 'While tickets is away', content: 'Still stored.' });
      expect(sent.status).toBe(303);
      received = sent.location!;
      const page = await alice.get(received);
      expect(page.status).toBe(200);
      expect(page.body).toContain('Your request was received');
      expect(page.body).toContain('We are creating your ticket.');
      // Without script the page reloads itself a few times, counting; then it stops and says so.
      expect(page.body).toContain(
        `<noscript><meta http-equiv="refresh" content="2;url=${received}?check=1"></noscript>`,
      );
      expect(page.body).toContain(`data-status-url="${received}/status"`);
      const last = await alice.get(`${received}?check=10`);
      expect(last.body).toContain('Your ticket will appear in your list shortly.');
      expect(last.body).not.toContain('http-equiv="refresh"');
      expect(JSON.parse((await alice.get(`${received}/status`)).body)).toEqual({
        pending: true,
        ticketHref: null,
      });
    } finally {
      await system.start('tickets');
    }
    expect(await ticketPageOf(alice, received)).toMatch(TICKET_PAGE);
  });

  it('answers with the 404 page while the portal has no support form connected', async () => {
    const alice = await loggedIn();
    await withSupportForm({ connected: false }, async () => {
      await eventually(async () => (await alice.get('/support/submit')).status === 404);
      expect((await alice.get('/support/submit')).body).toContain('Page not found');
      const list = await alice.get('/support/tickets');
      expect(list.body).not.toContain('href="/support/submit"'); // no link leads there either
      const token = PortalClient.csrfOf(list.body);
      expect((await alice.post('/support/submit', { _csrf: token, subject: 'x', content: 'y' })).status).toBe(
        404,
      );
    });
    await eventually(async () => (await alice.get('/support/submit')).status === 200);
  });

  it('limits posts like the public form endpoint, keeping what was typed', async () => {
    const alice = await loggedIn();
    // Earlier posts count in the same window: fill it up to the form's limit.
    while (counted < PER_FORM) expect((await submit(alice, { subject: '', content: 'x' })).status).toBe(400);
    const limited = await submit(alice, { subject: 'One too many', content: 'Please' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).toMatch(/Too many requests were sent from your network\. Wait \d+ seconds/);
    expect(limited.body).toContain('value="One too many"');
    expect((await storedSubmissions()).some((s) => s.values.subject === 'One too many')).toBe(false);
  });
});
