import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FormView, SubmissionView } from '@helpdesk/contracts';
import { RpcClient } from '@helpdesk/kit';
import { randomInt, randomUUID } from 'node:crypto';
import { ApiSession, startSystem, type System } from '../src/system.js';

// Public form submissions through the gateway (SPEC S5, P5, "Addresses"): JSON, HTML form posts and
// HubSpot's shape, with field errors, a honeypot and rate limits; then the ticket in the customer's
// portal and the inbox. The whole system as processes, seeded with the demo data.

const PER_IP = 5;
const PER_FORM = 30;

let system: System;
let client: RpcClient;
let admin: ApiSession;
let accountId: string;
let supportForm: FormView;

/** A fresh client address for each caller (TRUST_PROXY: the gateway believes X-Forwarded-For). */
const subnet = `10.${randomInt(1, 254)}.${randomInt(1, 254)}`;
let lastHost = 0;
const nextIp = () => `${subnet}.${++lastHost}`;

const json = async (response: Response) => (await response.json()) as Record<string, any>;

function post(path: string, body: unknown, headers: Record<string, string> = {}, ip = nextIp()) {
  const form = body instanceof URLSearchParams;
  return fetch(`${system.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
      'x-forwarded-for': ip,
      ...headers,
    },
    body: form ? body.toString() : JSON.stringify(body),
  });
}

const submit = (formId: string, body: unknown, headers?: Record<string, string>, ip?: string) =>
  post(`/forms/v1/submit/${formId}`, body, headers, ip);

async function submissions(formId: string): Promise<SubmissionView[]> {
  const response = await admin.request('GET', `/api/v1/forms/${formId}/submissions?limit=100`);
  expect(response.status).toBe(200);
  return (await json(response)).items as SubmissionView[];
}

async function delivered(formId: string, submissionId: string): Promise<SubmissionView> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = (await submissions(formId)).find((s) => s.id === submissionId);
    if (found?.status === 'delivered') return found;
    if (Date.now() > deadline)
      throw new Error(`submission ${submissionId} not delivered: ${JSON.stringify(found)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  system = await startSystem({
    database: 'helpdesk_test_e2e_forms',
    env: {
      TRUST_PROXY: 'true',
      FORMS_SUBMIT_LIMIT_PER_IP: String(PER_IP),
      FORMS_SUBMIT_LIMIT_PER_FORM: String(PER_FORM),
      FORMS_SUBMIT_WINDOW_SECONDS: '60',
      FORMS_SUBMIT_BODY_LIMIT_BYTES: '4096',
    },
  });
  client = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 5_000 });
  admin = await ApiSession.login(system.url, 'admin@demo.test', 'demo-password');
  accountId = (await json(await admin.request('GET', '/api/v1/auth/me'))).accountId as string;
  const portal = await client.send('identity.portal.get', { accountId });
  supportForm = await client.send('forms.get', { accountId, id: portal.supportForm.formId! });
}, 180_000);

afterAll(async () => {
  await client?.close();
  await system?.close();
});

describe('forms over HTTP', () => {
  it('comes with the demo support form, connected to the portal and creating tickets in the Support inbox', async () => {
    const portal = await client.send('identity.portal.get', { accountId });
    expect(portal.supportForm).toMatchObject({ connected: true, menuText: 'Submit a ticket' });
    const [inbox] = (await client.send('inbox.inboxes.list', { accountId })).filter(
      (i) => i.name === 'Support inbox',
    );
    expect(supportForm).toMatchObject({
      name: 'Support form',
      usableAsSupportForm: true,
      ticketCreation: { enabled: true, destination: { kind: 'inbox', id: inbox.id } },
    });
  });

  it('turns a JSON submission into a contact, a ticket in the contact’s portal and a thread in the inbox', async () => {
    const response = await submit(supportForm.id, {
      email: 'alice@acme.test',
      subject: 'Coffee machine leaks',
      content: 'There is a puddle\nunder it.',
      hs_ticket_priority: 'medium',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const body = await json(response);
    expect(body).toEqual({
      submissionId: expect.any(String),
      inlineMessage: 'Thanks for submitting the form.',
    });

    const submission = await delivered(supportForm.id, body.submissionId as string);
    const alice = (await client.send('identity.contacts.list', { accountId, search: 'alice@acme.test' }))
      .items[0];
    expect(submission.contactId).toBe(alice.id);
    const viewer = await client.send('identity.viewer.scope', { accountId, contactId: alice.id });
    const portal = await client.send('tickets.portal.list', {
      accountId,
      viewer,
      visibility: { groups: [] },
      ownerDisplay: { mode: 'first_name', alias: null },
      search: 'puddle',
    });
    expect(portal.items.map((t) => [t.id, t.subject, t.requesterEmail])).toEqual([
      [submission.ticketId, 'Coffee machine leaks', 'alice@acme.test'],
    ]);
    const threads = await client.send('inbox.threads.list', {
      accountId,
      inboxId: supportForm.ticketCreation.destination!.id,
      limit: 100,
    });
    expect(threads.items.find((t) => t.ticketId === submission.ticketId)).toMatchObject({
      id: submission.threadId,
      subject: 'Coffee machine leaks',
      requester: { contactId: alice.id, email: 'alice@acme.test' },
    });
  });

  it('answers an invalid submission with 400 and field errors, and stores nothing', async () => {
    const before = (await submissions(supportForm.id)).length;
    const response = await submit(supportForm.id, { email: 'nope', subject: '', colour: 'blue' });
    expect(response.status).toBe(400);
    expect((await json(response)).error).toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: {
        email: ['must be an email address'],
        subject: ['is required'],
        content: ['is required'],
        colour: ['is not a field of this form'],
      },
      correlationId: expect.any(String),
    });
    expect((await submit(randomUUID(), { email: 'a@b.test' })).status).toBe(404);
    expect((await submit('not-a-form', { email: 'a@b.test' })).status).toBe(404);
    expect((await submissions(supportForm.id)).length).toBe(before);
  });

  it('answers a filled honeypot like a success and stores nothing', async () => {
    const before = (await submissions(supportForm.id)).length;
    const response = await submit(supportForm.id, {
      email: 'bot@spam.test',
      subject: 'Cheap pills',
      content: 'Buy now',
      hd_website: 'http://spam.test',
    });
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({
      submissionId: expect.any(String),
      inlineMessage: 'Thanks for submitting the form.',
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await submissions(supportForm.id)).length).toBe(before);
    const bots = await client.send('identity.contacts.list', { accountId, search: 'bot@spam.test' });
    expect(bots.items).toEqual([]);
  });

  it('answers an HTML form post with a 303 back to the page, a thank-you page, or an error page', async () => {
    const fields = { email: 'bob@acme.test', subject: 'From the website', content: 'Posted by a browser.' };
    const page = 'https://www.acme.test/contact?lang=en';
    const back = await submit(supportForm.id, new URLSearchParams(fields), {
      referer: page,
      origin: 'https://www.acme.test',
      accept: 'text/html,application/xhtml+xml',
    });
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe('https://www.acme.test/contact?lang=en&submitted=1');

    const thanks = await submit(
      supportForm.id,
      new URLSearchParams({ ...fields, subject: 'Thanks page', redirectUrl: 'https://evil.test/' }),
      { accept: 'text/html' },
    );
    expect(thanks.status).toBe(200);
    expect(thanks.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await thanks.text()).toContain('Thanks for submitting the form.');

    const redirected = await submit(
      supportForm.id,
      new URLSearchParams({ ...fields, subject: 'Own thanks page', redirectUrl: '/thanks' }),
      { referer: page, accept: 'text/html' },
    );
    expect(redirected.headers.get('location')).toBe('https://www.acme.test/thanks?submitted=1');

    const refused = await submit(supportForm.id, new URLSearchParams({ email: 'bob@acme.test' }), {
      referer: page,
      accept: 'text/html',
    });
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toContain('subject');
    expect(html).toContain('is required');

    const stored = (await submissions(supportForm.id)).filter((s) => s.channel === 'html');
    expect(stored.map((s) => s.values.subject).sort()).toEqual([
      'From the website',
      'Own thanks page',
      'Thanks page',
    ]);
    expect(stored.find((s) => s.values.subject === 'From the website')?.pageUri).toBe(page);
  });

  it('accepts HubSpot’s submission shape and makes the same ticket as a native submission', async () => {
    const values = {
      email: 'carol@globex.test',
      firstname: 'Carol',
      subject: 'Same either way',
      content: 'One ticket per submission.',
      hs_ticket_priority: 'HIGH',
    };
    const native = await json(await submit(supportForm.id, values));
    const hubspot = await post(`/submissions/v3/integration/submit/1234567/${supportForm.id}`, {
      fields: Object.entries(values).map(([name, value]) => ({
        objectTypeId: name === 'email' || name === 'firstname' ? '0-1' : '0-5',
        name,
        value,
      })),
      context: { pageUri: 'https://globex.test/help', pageName: 'Help', hutk: 'abc123' },
      legalConsentOptions: { consent: { consentToProcess: true, text: 'I agree' } },
    });
    expect(hubspot.status).toBe(200);
    expect(await json(hubspot)).toEqual({ inlineMessage: 'Thanks for submitting the form.' });

    const [viaHubspot] = (await submissions(supportForm.id)).filter((s) => s.channel === 'hubspot');
    expect(viaHubspot).toMatchObject({ pageUri: 'https://globex.test/help', pageName: 'Help' });
    const a = await client.send('tickets.get', {
      accountId,
      id: (await delivered(supportForm.id, native.submissionId as string)).ticketId!,
    });
    const b = await client.send('tickets.get', {
      accountId,
      id: (await delivered(supportForm.id, viaHubspot.id)).ticketId!,
    });
    const comparable = ({ id: _id, createdAt: _c, lastActivityAt: _l, ...rest }: typeof a) => rest;
    expect(comparable(b)).toEqual(comparable(a));
    expect(a).toMatchObject({ priority: 'high', source: 'form', subject: 'Same either way' });

    const invalid = await post(`/submissions/v3/integration/submit/1/${supportForm.id}`, {
      fields: [{ name: 'email', value: 'carol@globex.test' }],
    });
    expect(invalid.status).toBe(400);
    const error = await json(invalid);
    expect(error).toMatchObject({ status: 'error', error: { code: 'VALIDATION_FAILED' } });
    expect(error.errors).toEqual(
      expect.arrayContaining([
        { message: "Error in 'fields.subject'. subject is required", errorType: 'REQUIRED_FIELD' },
      ]),
    );
  });

  it('limits submissions per address and per form with 429 and Retry-After', async () => {
    const form = await json(
      await admin.request('POST', '/api/v1/forms/templates/support', { name: 'Rate limited' }),
    );
    const ip = nextIp();
    const statuses: number[] = [];
    for (let i = 0; i <= PER_IP; i++)
      statuses.push((await submit(form.id as string, { email: 'x' }, {}, ip)).status);
    expect(statuses).toEqual([...Array<number>(PER_IP).fill(400), 429]);
    const limited = await submit(form.id as string, { email: 'x' }, {}, ip);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect((await json(limited)).error.code).toBe('TOO_MANY_SUBMISSIONS');
    // Another address still gets through to the same form …
    expect((await submit(form.id as string, { email: 'x' })).status).toBe(400);
    // … until the form's own limit is reached, whoever sends.
    const spread: number[] = [];
    for (let i = 0; i < PER_FORM; i++) spread.push((await submit(form.id as string, { email: 'x' })).status);
    expect(spread.at(-1)).toBe(429);
    expect(spread.filter((status) => status === 400).length).toBe(PER_FORM - PER_IP - 3);
  });

  it('refuses bodies over the submission limit and file uploads, and answers CORS preflights', async () => {
    const big = await submit(supportForm.id, { email: 'a@b.test', subject: 'x', content: 'y'.repeat(5_000) });
    expect(big.status).toBe(413);
    expect((await json(big)).error.code).toBe('PAYLOAD_TOO_LARGE');
    const file = await fetch(`${system.url}/forms/v1/submit/${supportForm.id}`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x', 'x-forwarded-for': nextIp() },
      body: '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@b.test\r\n--x--\r\n',
    });
    expect(file.status).toBe(400);
    expect((await json(file)).error.message).toMatch(/File uploads are not accepted/);
    const preflight = await fetch(`${system.url}/forms/v1/submit/${supportForm.id}`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.test', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/content-type/i);
  });

  it('manages forms over the JSON API with the forms permission, keeping the portal’s support form', async () => {
    const agent = await ApiSession.login(system.url, 'agent@demo.test', 'demo-password');
    expect((await agent.request('GET', '/api/v1/forms')).status).toBe(403);
    expect((await new ApiSession(system.url).request('GET', '/api/v1/forms')).status).toBe(401);

    const created = await admin.request('POST', '/api/v1/forms', {
      name: 'Callback request',
      fields: [
        {
          name: 'email',
          label: 'Email',
          type: 'email',
          required: true,
          property: { object: 'contact', name: 'email' },
        },
        { name: 'topic', label: 'Topic', type: 'text', property: { object: 'ticket', name: 'subject' } },
      ],
    });
    expect(created.status).toBe(201);
    const form = await json(created);
    expect(form).toMatchObject({ containsTicketProperties: true, usableAsSupportForm: false });

    const bad = await admin.request('PATCH', `/api/v1/forms/${form.id}`, {
      ticketCreation: { enabled: true, destination: { kind: 'help_desk', id: randomUUID() } },
    });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.fields).toEqual({
      'ticketCreation.destination.id': ['is not a help desk of this account'],
    });
    const renamed = await admin.request('PATCH', `/api/v1/forms/${form.id}`, { name: 'Call me back' });
    expect((await json(renamed)).name).toBe('Call me back');
    expect((await json(await admin.request('GET', `/api/v1/forms/${form.id}`))).name).toBe('Call me back');
    const list = await json(await admin.request('GET', '/api/v1/forms?limit=100'));
    expect(list.items.map((f: FormView) => f.name)).toEqual(
      expect.arrayContaining(['Call me back', 'Support form']),
    );

    const inUse = await admin.request('DELETE', `/api/v1/forms/${supportForm.id}`);
    expect(inUse.status).toBe(409);
    expect((await json(inUse)).error.code).toBe('FORM_IN_USE');
    expect((await admin.request('DELETE', `/api/v1/forms/${form.id}`)).status).toBe(200);
    expect((await admin.request('GET', `/api/v1/forms/${form.id}`)).status).toBe(404);
    expect((await admin.request('GET', '/api/v1/forms/not-a-uuid')).status).toBe(404);
  });
});
