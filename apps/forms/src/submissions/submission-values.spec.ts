import { describe, expect, it } from '@jest/globals';
import { FieldProblem, FormField, type TicketCreation } from '@helpdesk/contracts';
import { z } from 'zod';
import { supportFormFields } from '../forms/support-template.js';
import { answersAsText, readSubmission, type FormForSubmission } from './submission-values.js';

const inboxId = '00000000-0000-4000-8000-000000000001';
const on: TicketCreation = {
  enabled: true,
  destination: { kind: 'inbox', id: inboxId },
  pipelineId: null,
  stageId: null,
};
const form = (extra: unknown[] = [], ticketCreation = on, dateFields: string[] = []): FormForSubmission => ({
  id: '00000000-0000-4000-8000-00000000f0f0',
  name: 'Support form',
  fields: z.array(FormField).parse([...supportFormFields(), ...extra]),
  ticketCreation,
  dateFields,
});
const valid = {
  email: ' Alice@Acme.TEST ',
  firstname: 'Alice',
  lastname: 'Anderson',
  subject: 'Printer on fire',
  content: 'It is\nreally on fire.',
  hs_ticket_priority: 'URGENT',
};

describe('reading a submission against its form', () => {
  it('cleans valid values and plans the contact and the ticket', () => {
    const read = readSubmission(form(), valid);
    expect(read.problems).toEqual({});
    expect(read.values).toEqual({
      email: 'alice@acme.test',
      firstname: 'Alice',
      lastname: 'Anderson',
      subject: 'Printer on fire',
      content: 'It is\nreally on fire.',
      hs_ticket_priority: 'urgent',
    });
    expect(read.plan.contact).toEqual({
      contactId: null,
      email: 'alice@acme.test',
      firstName: 'Alice',
      lastName: 'Anderson',
      properties: {},
    });
    expect(read.plan.ticket).toEqual({
      subject: 'Printer on fire',
      content: 'It is\nreally on fire.',
      priority: 'urgent',
      properties: {},
      pipelineId: null,
      stageId: null,
      destination: { kind: 'inbox', id: inboxId },
    });
  });

  it('names every bad field: missing, malformed, not an option, unknown', () => {
    const read = readSubmission(form(), {
      email: 'not-an-email',
      subject: '   ',
      hs_ticket_priority: 'whenever',
      favourite_colour: 'blue',
      hd_website: '',
    });
    expect(read.problems).toEqual({
      email: [FieldProblem.email],
      subject: [FieldProblem.required],
      content: [FieldProblem.required],
      hs_ticket_priority: [FieldProblem.option],
      favourite_colour: [FieldProblem.unknown],
    });
  });

  it('lets a logged-in contact leave the email out, and plans them as the requester', () => {
    const contactId = '00000000-0000-4000-8000-00000000c0c0';
    const { email: _email, ...withoutEmail } = valid;
    const read = readSubmission(form(), withoutEmail, { contactId });
    expect(read.problems).toEqual({});
    expect(read.plan.contact.contactId).toBe(contactId);
    expect(readSubmission(form(), withoutEmail).problems).toEqual({ email: [FieldProblem.required] });
  });

  it('reads numbers, checkboxes, dates and refuses files and too long text', () => {
    const extra = [
      { name: 'seats', label: 'Seats', type: 'number', property: { object: 'ticket', name: 'seats' } },
      {
        name: 'agree',
        label: 'I agree',
        type: 'checkbox',
        required: true,
        property: { object: 'contact', name: 'agreed' },
      },
      { name: 'since', label: 'Since', type: 'text', property: { object: 'ticket', name: 'since' } },
      { name: 'shot', label: 'Screenshot', type: 'file' },
    ];
    const ok = readSubmission(form(extra, on, ['since']), {
      ...valid,
      seats: '12',
      agree: ['false', 'on'],
      since: '2026-11-27',
    });
    expect(ok.problems).toEqual({});
    expect(ok.plan.ticket?.properties).toEqual({ seats: 12, since: '2026-11-27' });
    expect(ok.plan.contact.properties).toEqual({ agreed: true });

    const bad = readSubmission(form(extra, on, ['since']), {
      ...valid,
      subject: 'x'.repeat(256),
      seats: 'twelve',
      agree: 'false',
      since: 'yesterday',
      shot: 'C:\\fakepath\\shot.png',
    });
    expect(bad.problems).toEqual({
      subject: [FieldProblem.tooLong(255)],
      seats: [FieldProblem.number],
      agree: [FieldProblem.required],
      since: [FieldProblem.date],
      shot: [FieldProblem.file],
    });
  });

  it('describes every answer when the form has no description field, and makes no ticket when off', () => {
    const fields = form().fields.filter((f) => f.name !== 'content');
    const noDescription = { ...form(), fields };
    const read = readSubmission(noDescription, {
      email: 'a@b.test',
      subject: 'Hi',
      hs_ticket_priority: 'low',
    });
    expect(read.plan.ticket?.content).toBe('Email: a@b.test\nSubject: Hi\nPriority: Low');
    expect(answersAsText(fields, { email: 'a@b.test' })).toBe('Email: a@b.test');
    const off = readSubmission(form([], { ...on, enabled: false }), valid);
    expect(off.plan.ticket).toBeNull();
  });
});
