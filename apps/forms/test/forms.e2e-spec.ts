import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  FormsRpc,
  type FormFieldInput,
  type FormView,
  type PipelineView,
  type Subject,
} from '@helpdesk/contracts';
import { migrateUp, type RpcClient } from '@helpdesk/kit';
import { freshTestDatabase, misansweredGarbage, pendingSchemaChanges, withDatabase } from '@helpdesk/testing';
import { randomUUID } from 'node:crypto';
import { ormConfig } from '../src/mikro-orm.config.js';
import { eventually, rejection } from '@helpdesk/testing';
import { startForms, type FormsUnderTest } from './forms-under-test.js';

let system: FormsUnderTest;
let client: RpcClient;
let accountId: string;
let pipeline: PipelineView;

const contactOnlyFields = [
  {
    name: 'email',
    label: 'Email',
    type: 'email',
    required: true,
    property: { object: 'contact', name: 'email' },
  },
  {
    name: 'firstname',
    label: 'First name',
    type: 'text',
    property: { object: 'contact', name: 'first_name' },
  },
] as const;

const ticketCreation = (overrides: Record<string, unknown> = {}) => ({
  enabled: true,
  destination: { kind: 'inbox' as const, id: system.supportInboxId },
  pipelineId: pipeline.id,
  stageId: pipeline.stages.find((stage) => stage.state === 'open')!.id,
  ...overrides,
});

const connect = (formId: string | null, connected = true) =>
  client.send('identity.portal.update', {
    accountId,
    actorUserId: system.adminId,
    section: 'supportForm',
    settings: { connected, menuText: 'Submit a ticket', headerText: 'How can we help?', formId },
  });

beforeAll(async () => {
  // A slow poll: a delivery within a moment can only come from the relay being woken.
  system = await startForms('helpdesk_test_forms', { OUTBOX_POLL_MS: '60000' });
  client = system.client;
  accountId = system.demo.accountId;
  [pipeline] = await client.send('tickets.pipelines.list', { accountId });
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

describe('forms service over NATS, with the real identity, tickets and inbox', () => {
  it('has migrations that match its entities exactly', async () => {
    const alone = await freshTestDatabase('helpdesk_test_forms_schema');
    await migrateUp(ormConfig(alone));
    expect(await pendingSchemaChanges(ormConfig(alone))).toBe('');
  });

  it("answers forms.ping with its database up, with the caller's subject logged", async () => {
    await expect(client.send('forms.ping', {})).resolves.toEqual({ service: 'forms', database: 'up' });
    expect(
      system.forms.logs.find((line) => line.subject === 'forms.ping' && line.outcome === 'ok').length,
    ).toBeGreaterThan(0);
  });

  it('makes the support form from its template, checking the destination, pipeline and stage', async () => {
    const missingInbox = await rejection(
      client.send('forms.createFromTemplate', {
        accountId,
        template: 'support',
        ticketCreation: ticketCreation({ destination: { kind: 'inbox', id: randomUUID() } }),
      }),
    );
    expect(missingInbox).toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { 'ticketCreation.destination.id': ['is not an inbox of this account'] },
    });
    const closed = pipeline.stages.find((stage) => stage.state === 'closed')!;
    const closedStage = await rejection(
      client.send('forms.createFromTemplate', {
        accountId,
        template: 'support',
        ticketCreation: ticketCreation({ stageId: closed.id }),
      }),
    );
    expect(closedStage?.fields).toEqual({
      'ticketCreation.stageId': ['must be an open stage of this pipeline'],
    });
    const strangers = await rejection(
      client.send('forms.createFromTemplate', {
        accountId,
        template: 'support',
        ticketCreation: ticketCreation({ pipelineId: randomUUID() }),
      }),
    );
    expect(strangers?.fields).toEqual({ 'ticketCreation.pipelineId': ['is not a pipeline of this account'] });

    const form = await client.send('forms.createFromTemplate', {
      accountId,
      template: 'support',
      ticketCreation: ticketCreation(),
    });
    expect(form).toMatchObject({
      name: 'Support form',
      containsTicketProperties: true,
      usableAsSupportForm: true,
      ticketCreation: ticketCreation(),
      thankYouMessage: 'Thanks for submitting the form.',
    });
    expect(form.fields.map((f) => [f.name, f.type, f.required, f.property])).toEqual([
      ['email', 'email', true, { object: 'contact', name: 'email' }],
      ['firstname', 'text', false, { object: 'contact', name: 'first_name' }],
      ['lastname', 'text', false, { object: 'contact', name: 'last_name' }],
      ['subject', 'text', true, { object: 'ticket', name: 'subject' }],
      ['content', 'textarea', true, { object: 'ticket', name: 'content' }],
      ['hs_ticket_priority', 'select', false, { object: 'ticket', name: 'priority' }],
    ]);
    await expect(client.send('forms.get', { accountId, id: form.id })).resolves.toEqual(form);
  });

  it('maps fields to custom contact and ticket properties that exist, with a fitting type', async () => {
    await client.send('tickets.properties.create', {
      accountId,
      name: 'order_number',
      label: 'Order number',
      type: 'string',
    });
    await client.send('identity.contactProperties.create', {
      accountId,
      name: 'plan',
      label: 'Plan',
      type: 'enumeration',
      options: [
        { value: 'free', label: 'Free' },
        { value: 'pro', label: 'Pro' },
      ],
    });
    const fields: FormFieldInput[] = [
      ...contactOnlyFields,
      { name: 'order', label: 'Order', type: 'text', property: { object: 'ticket', name: 'order_number' } },
      {
        name: 'plan',
        label: 'Plan',
        type: 'select',
        options: [{ value: 'pro', label: 'Pro' }],
        property: { object: 'contact', name: 'plan' },
      },
    ];
    const form = await client.send('forms.create', { accountId, name: 'Orders', fields });
    expect(form).toMatchObject({ containsTicketProperties: true, usableAsSupportForm: false });

    const wrong = await rejection(
      client.send('forms.create', {
        accountId,
        name: 'Broken',
        fields: [
          ...contactOnlyFields,
          { name: 'nope', label: 'Nope', type: 'text', property: { object: 'ticket', name: 'nope' } },
          {
            name: 'plan',
            label: 'Plan',
            type: 'checkbox',
            property: { object: 'contact', name: 'plan' },
          },
          { name: 'owner', label: 'Owner', type: 'text', property: { object: 'ticket', name: 'owner' } },
        ],
        ticketCreation: { enabled: true },
      }),
    );
    expect(wrong).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(wrong?.fields).toEqual({
      'fields.2.property.name': ['"nope" is not a ticket property of this account'],
      'fields.3.type': ['must be select for an enumeration property'],
      'fields.4.property.name': ['"owner" cannot be filled by a form'],
      'ticketCreation.destination': ['is required: pick an inbox or help desk'],
    });
  });

  it('lists forms by name with a keyset cursor, and changes a form as a whole', async () => {
    const names = ['Zeta form', 'Alpha form', 'Mid form'];
    for (const name of names)
      await client.send('forms.create', { accountId, name, fields: [...contactOnlyFields] });
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await client.send('forms.list', { accountId, limit: 2, after });
      seen.push(...page.items.map((form) => form.name));
      after = page.nextCursor ?? undefined;
    } while (after);
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining(names));
    expect((await client.send('forms.list', { accountId: randomUUID() })).items).toEqual([]);

    const alpha = (await client.send('forms.list', { accountId, limit: 100 })).items.find(
      (form) => form.name === 'Alpha form',
    )!;
    const renamed = await client.send('forms.update', { accountId, id: alpha.id, name: 'Alpha' });
    expect(renamed).toMatchObject({ name: 'Alpha', fields: alpha.fields });
    const noEmail = await rejection(
      client.send('forms.update', { accountId, id: alpha.id, fields: [contactOnlyFields[1]] }),
    );
    expect(noEmail?.fields).toEqual({ fields: ['add a required email field for the contact’s email'] });
    const otherTenant = await rejection(client.send('forms.get', { accountId: randomUUID(), id: alpha.id }));
    expect(otherTenant?.code).toBe('FORM_NOT_FOUND');
    await expect(client.send('forms.delete', { accountId, id: alpha.id })).resolves.toEqual({
      deleted: true,
    });
    expect((await rejection(client.send('forms.get', { accountId, id: alpha.id })))?.code).toBe(
      'FORM_NOT_FOUND',
    );
  });

  it('lets the portal connect only a form with ticket properties and ticket creation, and then keeps it', async () => {
    const contactOnly = await client.send('forms.create', {
      accountId,
      name: 'Newsletter',
      fields: [...contactOnlyFields],
    });
    const noCreation = await client.send('forms.createFromTemplate', {
      accountId,
      template: 'support',
      name: 'Support (no tickets)',
    });
    const support = await client.send('forms.createFromTemplate', {
      accountId,
      template: 'support',
      name: 'Support (connected)',
      ticketCreation: ticketCreation(),
    });
    const refusals: [string, string][] = [];
    for (const id of [contactOnly.id, noCreation.id, randomUUID()]) {
      const error = await rejection(connect(id));
      refusals.push([error?.code ?? 'accepted', error?.fields?.['settings.formId']?.[0] ?? '']);
    }
    expect(refusals).toEqual([
      ['VALIDATION_FAILED', 'must be a form that contains ticket properties'],
      ['VALIDATION_FAILED', 'must have automatic ticket creation on, into an inbox or help desk'],
      ['VALIDATION_FAILED', 'is not a form of this account'],
    ]);
    const portal = await connect(support.id);
    expect(portal.supportForm).toEqual({
      connected: true,
      menuText: 'Submit a ticket',
      headerText: 'How can we help?',
      formId: support.id,
    });

    const deleting = await rejection(client.send('forms.delete', { accountId, id: support.id }));
    expect(deleting?.code).toBe('FORM_IN_USE');
    const switchingOff = await rejection(
      client.send('forms.update', {
        accountId,
        id: support.id,
        ticketCreation: ticketCreation({ enabled: false }),
      }),
    );
    expect(switchingOff?.code).toBe('FORM_IN_USE');
    // Other changes to the connected form are fine.
    await expect(
      client.send('forms.update', { accountId, id: support.id, thankYouMessage: 'We will be in touch.' }),
    ).resolves.toMatchObject({ thankYouMessage: 'We will be in touch.' });

    await connect(null, false);
    await expect(client.send('forms.delete', { accountId, id: support.id })).resolves.toEqual({
      deleted: true,
    });
  });

  it('delivers a submission at once: the relay is woken by the new row, not by its (slow) poll', async () => {
    const form: FormView = await client.send('forms.createFromTemplate', {
      accountId,
      template: 'support',
      name: 'Support (woken)',
      ticketCreation: ticketCreation(),
    });
    const started = Date.now();
    const { submissionId } = await client.send('forms.submit', {
      formId: form.id,
      values: { email: 'quick@example.test', subject: 'Quick one', content: 'Fast, please.' },
    });
    const delivered = await eventually(async () => {
      const [row] = (await client.send('forms.submissions.list', { accountId, formId: form.id })).items;
      return row?.status === 'delivered' && row;
    }, 10_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(delivered).toMatchObject({ id: submissionId, attempts: 1, lastError: null });
    const outbox = await withDatabase(system.databaseUrl, (db) =>
      db.query('select delivered_at is not null as delivered from forms.outbox where payload->>$1 = $2', [
        'submissionId',
        submissionId,
      ]),
    );
    expect(outbox.rows).toEqual([{ delivered: true }]);
  });

  it('answers garbage with coded errors, never INTERNAL', async () => {
    for (const subject of Object.keys(FormsRpc) as Subject[]) {
      const answerable = subject === 'forms.ping' || subject === 'forms.list';
      expect([subject, await misansweredGarbage(client, subject, { mayAnswer: answerable })]).toEqual([
        subject,
        [],
      ]);
    }
    expect(system.forms.logs.find((line) => line.msg === 'unhandled error in handler')).toEqual([]);
  });
});
