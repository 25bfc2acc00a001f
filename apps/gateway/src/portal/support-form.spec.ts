import { FieldProblem, FormField, type FormView, type ResolvedPortal } from '@helpdesk/contracts';
import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import type { ContactViewer } from '../auth/viewer.js';
import { translatorFor } from './i18n.js';
import {
  askedFields,
  fieldErrors,
  fieldModels,
  headerTextOf,
  knownValues,
  postedAnswers,
  problemText,
} from './support-form.js';

const en = translatorFor('en');
const fi = translatorFor('fi');

/** The demo's support form (forms' support template) plus a custom checkbox, number and file field. */
const form = {
  id: '00000000-0000-4000-8000-00000000f0f0',
  name: 'Support form',
  fields: z.array(FormField).parse([
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
    {
      name: 'lastname',
      label: 'Last name',
      type: 'text',
      property: { object: 'contact', name: 'last_name' },
    },
    {
      name: 'subject',
      label: 'Subject',
      type: 'text',
      required: true,
      property: { object: 'ticket', name: 'subject' },
    },
    {
      name: 'content',
      label: 'Description',
      type: 'textarea',
      required: true,
      helpText: 'What happened?',
      property: { object: 'ticket', name: 'content' },
    },
    {
      name: 'hs_ticket_priority',
      label: 'Priority',
      type: 'select',
      options: [
        { value: 'low', label: 'Low' },
        { value: 'high', label: 'High' },
      ],
      property: { object: 'ticket', name: 'priority' },
    },
    { name: 'seats', label: 'Seats', type: 'number', property: { object: 'ticket', name: 'seats' } },
    {
      name: 'terms',
      label: 'I agree',
      type: 'checkbox',
      required: true,
      property: { object: 'contact', name: 'terms' },
    },
    { name: 'screenshot', label: 'Screenshot', type: 'file' },
  ]),
} as FormView;

const alice: ContactViewer = {
  kind: 'contact',
  contactId: '00000000-0000-4000-8000-00000000a11c',
  accountId: '00000000-0000-4000-8000-00000000acc0',
  portalId: '00000000-0000-4000-8000-00000000b0b0',
  email: 'alice@acme.test',
  firstName: 'Alice',
  lastName: '',
  primaryCompanyId: null,
};

const portalWithHeader = (headerText: string) =>
  ({
    supportForm: { connected: true, menuText: 'Submit a ticket', headerText, formId: form.id },
  }) as ResolvedPortal;

describe('the support form on the portal', () => {
  it('answers from the session what it knows of the contact, and asks the rest', () => {
    const known = knownValues(form, alice);
    // Her record has no last name: that one is asked.
    expect(known).toEqual({ email: 'alice@acme.test', firstname: 'Alice' });
    expect(askedFields(form, known).map((field) => field.name)).toEqual([
      'lastname',
      'subject',
      'content',
      'hs_ticket_priority',
      'seats',
      'terms',
    ]);
  });

  it('takes only the asked fields from a post, as strings (an unchecked box posts nothing)', () => {
    const fields = askedFields(form, knownValues(form, alice));
    const answers = postedAnswers(fields, {
      email: 'mallory@evil.test',
      subject: 'Printer on fire',
      content: ['a', 'b'],
      seats: '3',
      _csrf: 'token',
      extra: 'ignored',
    });
    expect(answers).toEqual({
      lastname: '',
      subject: 'Printer on fire',
      content: '',
      hs_ticket_priority: '',
      seats: '3',
      terms: '',
    });
    // A field named like a property of every object is still just a field.
    const tricky = {
      ...form,
      fields: z.array(FormField).parse([{ ...form.fields[3], name: 'constructor' }]),
    };
    expect(askedFields(tricky, {}).map((field) => field.name)).toEqual(['constructor']);
    expect(fieldModels(tricky.fields, {}, [])[0].value).toBe('');
  });

  it('draws each field with its control, required marker, help and error tied together', () => {
    const fields = askedFields(form, knownValues(form, alice));
    const models = fieldModels(
      fields,
      { subject: 'Printer <b>on</b> fire', hs_ticket_priority: 'high', terms: 'true' },
      [{ name: 'content', label: 'Description', message: 'Fill in this field.' }],
    );
    const byName = Object.fromEntries(models.map((model) => [model.name, model]));
    expect(byName.lastname).toMatchObject({
      control: 'input',
      inputType: 'text',
      autocomplete: 'family-name',
      required: false,
      describedBy: null,
    });
    expect(byName.subject).toMatchObject({
      id: 'field-subject',
      required: true,
      value: 'Printer <b>on</b> fire',
    });
    expect(byName.content).toMatchObject({
      control: 'textarea',
      help: { id: 'field-content-help', text: 'What happened?' },
      error: { id: 'field-content-error', text: 'Fill in this field.' },
      describedBy: 'field-content-help field-content-error',
    });
    expect(byName.hs_ticket_priority.options).toEqual([
      { value: 'low', label: 'Low', selected: false },
      { value: 'high', label: 'High', selected: true },
    ]);
    expect(byName.seats).toMatchObject({ control: 'input', inputType: 'number' });
    expect(byName.terms).toMatchObject({ control: 'checkbox', checked: true, required: true });
  });

  it('puts forms’ field errors in the customer’s words, in the form’s order', () => {
    const errors = fieldErrors(
      {
        hs_ticket_priority: [FieldProblem.option],
        subject: [FieldProblem.required],
        'values.content': ['Too big: expected string to have <=100000 characters'],
        terms: [FieldProblem.required],
        '(root)': ['Invalid input'],
      },
      form,
      en,
    );
    expect(errors).toEqual([
      { name: 'subject', label: 'Subject', message: 'Fill in this field.' },
      { name: 'content', label: 'Description', message: 'Check this value.' },
      { name: 'hs_ticket_priority', label: 'Priority', message: 'Choose one of the options.' },
      { name: 'terms', label: 'I agree', message: 'Check this box to continue.' },
      { name: null, label: '', message: 'Check this value.' },
    ]);
  });

  it('names every problem forms reports, in both languages', () => {
    const text = form.fields[3];
    expect(problemText(FieldProblem.email, text, en)).toBe('Enter an email address, like name@example.com.');
    expect(problemText(FieldProblem.number, text, en)).toBe('Enter a number.');
    expect(problemText(FieldProblem.date, text, en)).toBe('Enter a date as YYYY-MM-DD.');
    expect(problemText(FieldProblem.tooLong(65_535), text, en)).toBe('Use at most 65,535 characters.');
    expect(problemText(FieldProblem.tooLong(255), text, fi)).toBe('Käytä enintään 255 merkkiä.');
    expect(problemText(FieldProblem.required, text, fi)).toBe('Täytä tämä kenttä.');
    expect(problemText('must be at most 12 apples', text, en)).toBe('Check this value.');
  });

  it('shows the header text, in the page’s language while it is a shipped one, else the menu text', () => {
    expect(headerTextOf(portalWithHeader('How can we help?'), 'Submit a ticket', en)).toBe(
      'How can we help?',
    );
    expect(headerTextOf(portalWithHeader('How can we help?'), 'Tee tukiticket', fi)).toBe(
      'Miten voimme auttaa?',
    );
    expect(headerTextOf(portalWithHeader('Submit a ticket'), 'Tee tukiticket', fi)).toBe('Tee tukiticket');
    expect(headerTextOf(portalWithHeader('Report a fault'), 'Tee tukiticket', fi)).toBe('Report a fault');
    expect(headerTextOf(portalWithHeader(''), 'Get help', en)).toBe('Get help');
    expect(headerTextOf(portalWithHeader('constructor'), 'Get help', en)).toBe('constructor');
  });
});
