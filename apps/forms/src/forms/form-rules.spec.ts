import { describe, expect, it } from '@jest/globals';
import { CreateFormRequest, FormField, type PipelineView, type TicketCreation } from '@helpdesk/contracts';
import { z } from 'zod';
import {
  dateFieldsOf,
  formProblems,
  referencesNeeded,
  usableAsSupportForm,
  type FormReferences,
} from './form-rules.js';
import { supportFormFields } from './support-template.js';

const fields = (input: unknown[]) => z.array(FormField).parse(input);
const support = () => fields(supportFormFields());
const off: TicketCreation = { enabled: false, destination: null, pipelineId: null, stageId: null };
const inboxId = '00000000-0000-4000-8000-000000000001';
const pipeline: PipelineView = {
  id: '00000000-0000-4000-8000-0000000000a1',
  accountId: '00000000-0000-4000-8000-0000000000ff',
  label: 'Support',
  displayOrder: 0,
  stages: [
    { id: '00000000-0000-4000-8000-0000000000b1', label: 'New', displayOrder: 0, state: 'open' },
    { id: '00000000-0000-4000-8000-0000000000b2', label: 'Closed', displayOrder: 1, state: 'closed' },
  ],
};
const on: TicketCreation = {
  enabled: true,
  destination: { kind: 'inbox', id: inboxId },
  pipelineId: pipeline.id,
  stageId: pipeline.stages[0].id,
};
const references: FormReferences = {
  inboxes: [{ id: inboxId, kind: 'inbox' }],
  pipelines: [pipeline],
  contactProperties: [
    { name: 'email', type: 'string', options: null, builtIn: true },
    { name: 'plan', type: 'enumeration', options: [{ value: 'pro', label: 'Pro' }], builtIn: false },
    { name: 'birthday', type: 'date', options: null, builtIn: false },
  ],
  ticketProperties: [
    { name: 'status', type: 'enumeration', options: [], builtIn: true },
    { name: 'order_number', type: 'string', options: null, builtIn: false },
    { name: 'seats', type: 'number', options: null, builtIn: false },
    { name: 'urgent_fix', type: 'boolean', options: null, builtIn: false },
  ],
};

describe('form rules', () => {
  it('accepts the support template with ticket creation into an existing inbox and open stage', () => {
    expect(formProblems({ fields: support(), ticketCreation: on }, references)).toEqual({});
    expect(usableAsSupportForm({ fields: support(), ticketCreation: on })).toBe(true);
    expect(usableAsSupportForm({ fields: support(), ticketCreation: off })).toBe(false);
  });

  it('parses the support template through the create contract', () => {
    const parsed = CreateFormRequest.parse({
      accountId: inboxId,
      name: 'Support',
      fields: supportFormFields(),
    });
    expect(parsed.fields.map((f) => f.name)).toEqual([
      'email',
      'firstname',
      'lastname',
      'subject',
      'content',
      'hs_ticket_priority',
    ]);
    expect(parsed.ticketCreation).toEqual(off);
  });

  it('needs one required email field for the contact', () => {
    const withoutEmail = support().slice(1);
    expect(formProblems({ fields: withoutEmail, ticketCreation: off })).toEqual({
      fields: ['add a required email field for the contact’s email'],
    });
    const optional = support().map((f) => (f.name === 'email' ? { ...f, required: false } : f));
    expect(formProblems({ fields: optional, ticketCreation: off })).toHaveProperty(['fields.0.required']);
  });

  it('refuses repeated names and two fields filling one property', () => {
    const twice = [...support(), { ...support()[3], name: 'subject' }, { ...support()[3], name: 'subject2' }];
    const problems = formProblems({ fields: twice, ticketCreation: off });
    expect(problems['fields.6.name']).toEqual(['is already used by another field']);
    expect(problems['fields.7.property']).toEqual(['is already filled by another field']);
  });

  it('allows ticket creation only with ticket properties and a destination', () => {
    const contactOnly = support().slice(0, 3);
    expect(formProblems({ fields: contactOnly, ticketCreation: { ...on, destination: null } })).toEqual({
      'ticketCreation.enabled': ['needs a field that fills a ticket property'],
      'ticketCreation.destination': ['is required: pick an inbox or help desk'],
    });
  });

  it('checks the destination, the pipeline and that the stage is an open one of it', () => {
    const unknown = '00000000-0000-4000-8000-00000000dead';
    expect(
      formProblems(
        { fields: support(), ticketCreation: { ...on, destination: { kind: 'help_desk', id: inboxId } } },
        references,
      ),
    ).toEqual({ 'ticketCreation.destination.id': ['is not a help desk of this account'] });
    expect(
      formProblems({ fields: support(), ticketCreation: { ...on, pipelineId: unknown } }, references),
    ).toEqual({ 'ticketCreation.pipelineId': ['is not a pipeline of this account'] });
    expect(
      formProblems(
        { fields: support(), ticketCreation: { ...on, stageId: pipeline.stages[1].id } },
        references,
      ),
    ).toEqual({ 'ticketCreation.stageId': ['must be an open stage of this pipeline'] });
    expect(
      formProblems({ fields: support(), ticketCreation: { ...on, pipelineId: null } }, references),
    ).toEqual({
      'ticketCreation.pipelineId': ['is required with a stage'],
    });
  });

  it('checks custom properties exist, can be filled and suit the field type', () => {
    const custom = fields([
      ...supportFormFields(),
      { name: 'order', label: 'Order', type: 'text', property: { object: 'ticket', name: 'order_number' } },
      { name: 'seats', label: 'Seats', type: 'text', property: { object: 'ticket', name: 'seats' } },
      { name: 'status', label: 'Status', type: 'text', property: { object: 'ticket', name: 'status' } },
      { name: 'nope', label: 'Nope', type: 'text', property: { object: 'contact', name: 'nope' } },
      {
        name: 'plan',
        label: 'Plan',
        type: 'select',
        options: [{ value: 'gold', label: 'Gold' }],
        property: { object: 'contact', name: 'plan' },
      },
    ]);
    expect(formProblems({ fields: custom, ticketCreation: on }, references)).toEqual({
      'fields.7.type': ['must be number for a number property'],
      'fields.8.property.name': ['"status" cannot be filled by a form'],
      'fields.9.property.name': ['"nope" is not a contact property of this account'],
      'fields.10.options.0.value': ['is not an option of plan'],
    });
  });

  it('checks the built-in properties’ field types and the priority options', () => {
    const wrong = support().map((f) =>
      f.name === 'firstname'
        ? { ...f, type: 'number' as const }
        : f.name === 'hs_ticket_priority'
          ? { ...f, options: [{ value: 'meh', label: 'Meh' }] }
          : f,
    );
    expect(formProblems({ fields: wrong, ticketCreation: off })).toEqual({
      'fields.1.type': ['must be text for first_name'],
      'fields.5.options.0.value': ['must be one of low, medium, high, urgent'],
    });
  });

  it('asks only the services a form refers to, and knows its date fields', () => {
    expect(referencesNeeded({ fields: support(), ticketCreation: off })).toEqual({
      contactProperties: false,
      ticketProperties: false,
      inboxes: false,
      pipelines: false,
    });
    const withDate = fields([
      ...supportFormFields(),
      { name: 'born', label: 'Born', type: 'text', property: { object: 'contact', name: 'birthday' } },
    ]);
    expect(referencesNeeded({ fields: withDate, ticketCreation: on })).toEqual({
      contactProperties: true,
      ticketProperties: false,
      inboxes: true,
      pipelines: true,
    });
    expect(dateFieldsOf(withDate, references)).toEqual(['born']);
  });

  it('refuses reserved names, file fields with a property or required, and selects without options', () => {
    const result = z.array(FormField).safeParse([
      { name: 'hd_website', label: 'x', type: 'text', property: { object: 'contact', name: 'email' } },
      { name: 'cv', label: 'CV', type: 'file', required: true },
      { name: 'pick', label: 'Pick', type: 'select', property: { object: 'ticket', name: 'subject' } },
    ]);
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['0.name', '1.required', '2.options']));
  });
});
