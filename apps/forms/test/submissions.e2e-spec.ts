import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FormView, SubmissionView } from '@helpdesk/contracts';
import type { RpcClient } from '@helpdesk/kit';
import { withDatabase } from '@helpdesk/testing';
import { randomUUID } from 'node:crypto';
import { eventually, rejection } from '@helpdesk/testing';
import { startForms, type FormsUnderTest } from './forms-under-test.js';

let system: FormsUnderTest;
let client: RpcClient;
let accountId: string;
let support: FormView;

const nothingAnyone = { groups: [] };
const ownerDisplay = { mode: 'first_name' as const, alias: null };

const submissionsOf = async (formId: string) => {
  const all: SubmissionView[] = [];
  let after: string | undefined;
  do {
    const page = await client.send('forms.submissions.list', { accountId, formId, limit: 100, after });
    all.push(...page.items);
    after = page.nextCursor ?? undefined;
  } while (after);
  return all;
};

const deliveredSubmission = (formId: string, submissionId: string) =>
  eventually(async () => {
    const found = (await submissionsOf(formId)).find((s) => s.id === submissionId);
    return found?.status === 'delivered' && found;
  });

/** Tickets made from these submissions, read from tickets' own table (source_key is the submission id). */
const ticketsFrom = (submissionIds: string[]) =>
  withDatabase(system.databaseUrl, async (db) => {
    const result = await db.query<{ source_key: string }>(
      'select source_key from tickets.ticket where source_key = any($1::text[])',
      [submissionIds],
    );
    return result.rows.map((row) => row.source_key);
  });

const rowCounts = () =>
  withDatabase(system.databaseUrl, async (db) => {
    const result = await db.query<{ submissions: string; outbox: string }>(
      'select (select count(*) from forms.submission) as submissions, (select count(*) from forms.outbox) as outbox',
    );
    return result.rows[0];
  });

beforeAll(async () => {
  system = await startForms('helpdesk_test_forms_submissions');
  client = system.client;
  accountId = system.demo.accountId;
  const [pipeline] = await client.send('tickets.pipelines.list', { accountId });
  support = await client.send('forms.createFromTemplate', {
    accountId,
    template: 'support',
    ticketCreation: {
      enabled: true,
      destination: { kind: 'inbox', id: system.supportInboxId },
      pipelineId: pipeline.id,
      stageId: pipeline.stages[1].id,
    },
  });
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

describe('form submissions, delivered to identity, tickets and inbox', () => {
  it('stores a valid submission and makes a new contact, a ticket in the form’s stage and its thread', async () => {
    const { submissionId, inlineMessage } = await client.send('forms.submit', {
      formId: support.id,
      values: {
        email: 'Dana@Newcomer.TEST',
        firstname: 'Dana',
        lastname: 'Newcomer',
        subject: 'Cannot print',
        content: 'The printer says PC LOAD LETTER.\nWhat does it mean?',
        hs_ticket_priority: 'HIGH',
      },
      channel: 'json',
      context: { pageUri: 'https://example.test/contact' },
    });
    expect(inlineMessage).toBe('Thanks for submitting the form.');
    const submission = await deliveredSubmission(support.id, submissionId);
    expect(submission).toMatchObject({
      channel: 'json',
      attempts: 1,
      lastError: null,
      pageUri: 'https://example.test/contact',
      values: { email: 'dana@newcomer.test', hs_ticket_priority: 'high', firstname: 'Dana' },
    });

    const contact = await client.send('identity.contacts.get', { accountId, id: submission.contactId! });
    expect(contact).toMatchObject({ email: 'dana@newcomer.test', firstName: 'Dana', lastName: 'Newcomer' });
    const ticket = await client.send('tickets.get', { accountId, id: submission.ticketId! });
    expect(ticket).toMatchObject({
      subject: 'Cannot print',
      content: 'The printer says PC LOAD LETTER.\nWhat does it mean?',
      priority: 'high',
      source: 'form',
      requesterContactId: contact.id,
      companyId: null,
      pipelineId: support.ticketCreation.pipelineId,
      stageId: support.ticketCreation.stageId,
    });
    const thread = await client.send('inbox.threads.get', { accountId, threadId: submission.threadId! });
    expect(thread).toMatchObject({
      inboxId: system.supportInboxId,
      ticketId: ticket.id,
      subject: 'Cannot print',
      requester: { contactId: contact.id, name: 'Dana Newcomer', email: 'dana@newcomer.test' },
    });
    expect(thread.messages.map((m) => [m.direction, m.bodyText])).toEqual([
      ['from_customer', 'The printer says PC LOAD LETTER.\nWhat does it mean?'],
    ]);
  });

  it('makes an existing contact the requester, with their company, overwriting nothing of theirs', async () => {
    const alice = system.demo.contacts['alice@acme.test'];
    const { submissionId } = await client.send('forms.submit', {
      formId: support.id,
      values: { email: 'alice@acme.test', firstname: 'Mallory', subject: 'VPN down', content: 'Since 9am.' },
    });
    const submission = await deliveredSubmission(support.id, submissionId);
    expect(submission.contactId).toBe(alice.id);
    expect(await client.send('identity.contacts.get', { accountId, id: alice.id })).toMatchObject({
      firstName: 'Alice',
      lastName: 'Anderson',
    });
    const ticket = await client.send('tickets.get', { accountId, id: submission.ticketId! });
    expect(ticket).toMatchObject({ requesterContactId: alice.id, companyId: alice.companyId });
    // The ticket shows in the portal of the contact who sent it (SPEC S5, P5).
    const viewer = await client.send('identity.viewer.scope', { accountId, contactId: alice.id });
    const page = await client.send('tickets.portal.list', {
      accountId,
      viewer,
      visibility: nothingAnyone,
      ownerDisplay,
      limit: 100,
    });
    expect(page.items.map((t) => t.id)).toContain(ticket.id);
  });

  it('takes the logged-in contact as the requester whatever the email field says', async () => {
    const bob = system.demo.contacts['bob@acme.test'];
    const { submissionId } = await client.send('forms.submit', {
      formId: support.id,
      accountId,
      contactId: bob.id,
      channel: 'portal',
      values: { email: 'carol@globex.test', subject: 'From the portal', content: 'Logged in as Bob.' },
    });
    const submission = await deliveredSubmission(support.id, submissionId);
    expect(submission.contactId).toBe(bob.id);
    const ticket = await client.send('tickets.get', { accountId, id: submission.ticketId! });
    expect(ticket).toMatchObject({ requesterContactId: bob.id, companyId: bob.companyId });
    // Without the email field at all.
    const quiet = await client.send('forms.submit', {
      formId: support.id,
      accountId,
      contactId: bob.id,
      values: { subject: 'No email', content: 'The portal knows who I am.' },
    });
    expect((await deliveredSubmission(support.id, quiet.submissionId)).contactId).toBe(bob.id);
    // A contact id needs the account it belongs to, and that must be the form's.
    const foreign = await rejection(
      client.send('forms.submit', {
        formId: support.id,
        accountId: randomUUID(),
        contactId: bob.id,
        values: { subject: 'x', content: 'y' },
      }),
    );
    expect(foreign?.code).toBe('FORM_NOT_FOUND');
  });

  it('looks one submission up with its ticket, for the contact who sent it only', async () => {
    const bob = system.demo.contacts['bob@acme.test'];
    const alice = system.demo.contacts['alice@acme.test'];
    const { submissionId } = await client.send('forms.submit', {
      formId: support.id,
      accountId,
      contactId: bob.id,
      channel: 'portal',
      values: { subject: 'Where is my ticket?', content: 'Asked from the portal.' },
    });
    const delivered = await eventually(async () => {
      const found = await client.send('forms.submissions.get', {
        accountId,
        id: submissionId,
        contactId: bob.id,
      });
      return found.ticketId !== null && found;
    });
    expect(delivered).toMatchObject({ id: submissionId, channel: 'portal', contactId: bob.id });
    expect((await client.send('tickets.get', { accountId, id: delivered.ticketId! })).subject).toBe(
      'Where is my ticket?',
    );
    // Without a contact (an internal caller) it is found too; another contact, account or id finds nothing.
    expect((await client.send('forms.submissions.get', { accountId, id: submissionId })).ticketId).toBe(
      delivered.ticketId,
    );
    for (const request of [
      { accountId, id: submissionId, contactId: alice.id },
      { accountId: randomUUID(), id: submissionId },
      { accountId, id: randomUUID(), contactId: bob.id },
    ])
      expect((await rejection(client.send('forms.submissions.get', request)))?.code).toBe(
        'SUBMISSION_NOT_FOUND',
      );
    expect((await rejection(client.send('forms.submissions.get', { accountId, id: 'nope' })))?.code).toBe(
      'VALIDATION_FAILED',
    );
  });

  it('sets custom ticket and contact property values', async () => {
    await client.send('tickets.properties.create', {
      accountId,
      name: 'seats',
      label: 'Seats',
      type: 'number',
    });
    await client.send('identity.contactProperties.create', {
      accountId,
      name: 'newsletter',
      label: 'Newsletter',
      type: 'boolean',
    });
    const form = await client.send('forms.create', {
      accountId,
      name: 'Seats',
      fields: [
        {
          name: 'email',
          label: 'Email',
          type: 'email',
          required: true,
          property: { object: 'contact', name: 'email' },
        },
        {
          name: 'seats',
          label: 'Seats',
          type: 'number',
          required: true,
          property: { object: 'ticket', name: 'seats' },
        },
        {
          name: 'news',
          label: 'Newsletter',
          type: 'checkbox',
          property: { object: 'contact', name: 'newsletter' },
        },
      ],
      ticketCreation: { enabled: true, destination: { kind: 'inbox', id: system.supportInboxId } },
    });
    const { submissionId } = await client.send('forms.submit', {
      formId: form.id,
      values: { email: 'erin@seats.test', seats: '12', news: 'on' },
    });
    const submission = await deliveredSubmission(form.id, submissionId);
    const ticket = await client.send('tickets.get', { accountId, id: submission.ticketId! });
    // No subject or description field: the form's name and the answers.
    expect(ticket).toMatchObject({
      subject: 'Seats',
      content: 'Email: erin@seats.test\nSeats: 12\nNewsletter: Yes',
      properties: { seats: 12 },
    });
    expect(
      await client.send('identity.contacts.get', { accountId, id: submission.contactId! }),
    ).toMatchObject({
      properties: { newsletter: true },
    });
  });

  it('refuses an invalid submission field by field and stores nothing', async () => {
    const before = await rowCounts();
    const error = await rejection(
      client.send('forms.submit', {
        formId: support.id,
        values: { email: 'nope', subject: '', hs_ticket_priority: 'someday', shoe_size: 44 },
      }),
    );
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: {
        email: ['must be an email address'],
        subject: ['is required'],
        content: ['is required'],
        hs_ticket_priority: ['is not one of the options'],
        shoe_size: ['is not a field of this form'],
      },
    });
    expect((await rejection(client.send('forms.submit', { formId: randomUUID(), values: {} })))?.code).toBe(
      'FORM_NOT_FOUND',
    );
    expect(await rowCounts()).toEqual(before);
  });

  it('makes only the contact for a form without ticket creation', async () => {
    const form = await client.send('forms.create', {
      accountId,
      name: 'Newsletter',
      fields: [
        {
          name: 'email',
          label: 'Email',
          type: 'email',
          required: true,
          property: { object: 'contact', name: 'email' },
        },
      ],
    });
    const { submissionId } = await client.send('forms.submit', {
      formId: form.id,
      values: { email: 'frank@news.test' },
    });
    const submission = await deliveredSubmission(form.id, submissionId);
    expect(submission).toMatchObject({ ticketId: null, threadId: null });
    expect(
      await client.send('identity.contacts.get', { accountId, id: submission.contactId! }),
    ).toMatchObject({
      email: 'frank@news.test',
    });
    expect(await ticketsFrom([submissionId])).toEqual([]);
  });

  it('accepts submissions while tickets is down, and makes each ticket exactly once when it is back', async () => {
    await system.tickets.stop();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++)
      ids.push(
        (
          await client.send('forms.submit', {
            formId: support.id,
            values: {
              email: `outage-${i}@example.test`,
              subject: `Outage ${i}`,
              content: 'Tickets is down.',
            },
          })
        ).submissionId,
      );
    const retrying = await eventually(async () => {
      const rows = (await submissionsOf(support.id)).filter((s) => ids.includes(s.id));
      return rows.length === 20 && rows.every((s) => s.status === 'retrying') && rows;
    });
    expect(retrying[0].lastError).toMatch(/tickets/i);
    expect(retrying[0].contactId).not.toBeNull();
    expect(await ticketsFrom(ids)).toEqual([]);

    await system.tickets.start();
    const delivered = await eventually(async () => {
      const rows = (await submissionsOf(support.id)).filter((s) => ids.includes(s.id));
      return rows.every((s) => s.status === 'delivered') && rows;
    }, 30_000);
    expect(delivered.every((s) => s.attempts >= 2 && s.lastError === null && s.threadId !== null)).toBe(true);
    // Any duplicate delivery would have had the time to happen by now: there is none.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await ticketsFrom(ids)).sort()).toEqual([...ids].sort());
  });

  it('shares the outbox between replicas and delivers each submission once, even when redelivered', async () => {
    await system.startReplica();
    const ids = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        client
          .send('forms.submit', {
            formId: support.id,
            values: {
              email: `replica-${i % 5}@example.test`,
              subject: `Replica ${i}`,
              content: 'Two relays.',
            },
          })
          .then((result) => result.submissionId),
      ),
    );
    await eventually(async () => {
      const rows = (await submissionsOf(support.id)).filter((s) => ids.includes(s.id));
      return rows.length === 40 && rows.every((s) => s.status === 'delivered');
    }, 30_000);
    // Every delivery again, as after a lost acknowledgement: nothing new anywhere.
    await withDatabase(system.databaseUrl, (db) =>
      db.query(
        `update forms.outbox set delivered_at = null, next_attempt_at = now()
          where payload->>'submissionId' = any($1::text[])`,
        [ids],
      ),
    );
    await eventually(async () => {
      const pending = await withDatabase(system.databaseUrl, (db) =>
        db.query('select 1 from forms.outbox where delivered_at is null'),
      );
      return pending.rowCount === 0;
    });
    expect((await ticketsFrom(ids)).sort()).toEqual([...ids].sort());
    const contacts = await withDatabase(system.databaseUrl, (db) =>
      db.query<{ email: string }>(
        "select email from identity.contact where email like 'replica-%' order by email",
      ),
    );
    expect(contacts.rows.map((row) => row.email)).toEqual(
      [0, 1, 2, 3, 4].map((i) => `replica-${i}@example.test`),
    );
    const threads = await withDatabase(system.databaseUrl, (db) =>
      db.query('select count(*)::int as n from inbox.thread where idempotency_key = any($1::text[])', [ids]),
    );
    expect(threads.rows[0]).toEqual({ n: 40 });
  });
});
