import { describe, expect, it } from '@jest/globals';
import { FormField, type FormView } from '@helpdesk/contracts';
import {
  applyFieldAction,
  embedSnippet,
  fieldOfRow,
  fieldRowsOf,
  problemsByInput,
  rowOfField,
  ticketCreationOf,
  ticketCreationOfRow,
  type FieldRow,
} from './form-editor.js';

const priority = FormField.parse({
  name: 'hs_ticket_priority',
  label: 'Priority',
  type: 'select',
  options: [
    { value: 'low', label: 'Low' },
    { value: 'high', label: 'high' },
  ],
  property: { object: 'ticket', name: 'priority' },
});

const row = (name: string): FieldRow => ({
  name,
  label: name,
  type: 'text',
  required: false,
  helpText: '',
  property: `contact:${name}`,
  options: '',
});

describe('fieldRowsOf and fieldOfRow', () => {
  it('read the posted fields in index order, then a typed new field', () => {
    const rows = fieldRowsOf({
      'fields.1.name': 'subject',
      'fields.1.label': ' Subject ',
      'fields.1.type': 'text',
      'fields.1.property': 'ticket:subject',
      'fields.1.required': 'on',
      'fields.0.name': 'email',
      'fields.0.label': 'Email',
      'fields.0.type': 'email',
      'fields.0.property': 'contact:email',
      'fields.0.required': 'on',
      'new.name': 'tier',
      'new.label': 'Tier',
      'new.type': 'select',
      'new.property': 'ticket:tier',
      'new.options': 'gold | Gold\r\n\r\nsilver\n',
    });
    expect(rows.map((field) => field.name)).toEqual(['email', 'subject', 'tier']);
    expect(rows[1]).toMatchObject({ label: 'Subject', required: true });
    expect(fieldOfRow(rows[2])).toEqual({
      name: 'tier',
      label: 'Tier',
      type: 'select',
      required: false,
      helpText: '',
      options: [
        { value: 'gold', label: 'Gold' },
        { value: 'silver', label: 'silver' },
      ],
      property: { object: 'ticket', name: 'tier' },
    });
  });

  it('leave out an untouched new field, and the options of a field that is no select', () => {
    const rows = fieldRowsOf({ 'fields.0.name': 'email', 'fields.0.options': 'a', 'new.type': 'text' });
    expect(rows).toHaveLength(1);
    expect(fieldOfRow(rows[0]).options).toBeNull();
    expect(fieldOfRow({ ...rows[0], property: '' }).property).toBeNull();
  });

  it('round-trip a stored field', () => {
    expect(rowOfField(priority).options).toBe('low | Low\nhigh');
    expect(FormField.parse(fieldOfRow(rowOfField(priority)))).toEqual(priority);
  });
});

describe('applyFieldAction', () => {
  const rows = [row('a'), row('b'), row('c')];
  const names = (moved: FieldRow[]) => moved.map((field) => field.name);

  it('moves up, down and removes by index', () => {
    expect(names(applyFieldAction(rows, 'up:1'))).toEqual(['b', 'a', 'c']);
    expect(names(applyFieldAction(rows, 'down:1'))).toEqual(['a', 'c', 'b']);
    expect(names(applyFieldAction(rows, 'remove:0'))).toEqual(['b', 'c']);
  });

  it('changes nothing past either end, for save, or for an unknown index', () => {
    expect(names(applyFieldAction(rows, 'up:0'))).toEqual(['a', 'b', 'c']);
    expect(names(applyFieldAction(rows, 'down:2'))).toEqual(['a', 'b', 'c']);
    expect(names(applyFieldAction(rows, 'remove:7'))).toEqual(['a', 'b', 'c']);
    expect(names(applyFieldAction(rows, 'save'))).toEqual(['a', 'b', 'c']);
  });
});

describe('ticket creation', () => {
  it('reads the destination as kind and id, empty choices as none', () => {
    const id = '0b9f5c1e-8a3a-4d1e-9a55-2f1f0c1d2e3f';
    expect(
      ticketCreationOfRow(
        ticketCreationOf({
          'ticketCreation.enabled': 'on',
          'ticketCreation.destination': `help_desk:${id}`,
          'ticketCreation.pipelineId': '',
        }),
      ),
    ).toEqual({ enabled: true, destination: { kind: 'help_desk', id }, pipelineId: null, stageId: null });
    expect(ticketCreationOfRow(ticketCreationOf({}))).toEqual({
      enabled: false,
      destination: null,
      pipelineId: null,
      stageId: null,
    });
  });
});

describe('problemsByInput', () => {
  it('gathers a path under the input that shows it', () => {
    expect(
      problemsByInput({
        'fields.1.name': ['is already used by another field'],
        'fields.2.options.0.value': ['must be one of low, high'],
        'fields.2.property.name': ['"status" cannot be filled by a form'],
        'ticketCreation.destination.id': ['is not an inbox of this account'],
        fields: ['add a required email field'],
      }),
    ).toEqual({
      'fields.1.name': 'is already used by another field',
      'fields.2.options': 'must be one of low, high',
      'fields.2.property': '"status" cannot be filled by a form',
      'ticketCreation.destination': 'is not an inbox of this account',
      fields: 'add a required email field',
    });
  });
});

describe('embedSnippet', () => {
  it('posts every field but files to the public endpoint, escaped, with the honeypot', () => {
    const form = {
      id: '0b9f5c1e-8a3a-4d1e-9a55-2f1f0c1d2e3f',
      fields: [
        FormField.parse({
          name: 'email',
          label: 'Email <work>',
          type: 'email',
          required: true,
          property: { object: 'contact', name: 'email' },
        }),
        priority,
        FormField.parse({ name: 'attachment', label: 'Attachment', type: 'file' }),
      ],
    } as FormView;
    const html = embedSnippet(form, 'https://help.example.com/');
    expect(html).toContain(
      '<form method="post" action="https://help.example.com/forms/v1/submit/0b9f5c1e-8a3a-4d1e-9a55-2f1f0c1d2e3f">',
    );
    expect(html).toContain('<label for="hd-email">Email &lt;work&gt;</label>');
    expect(html).toContain('<input id="hd-email" name="email" type="email" required>');
    expect(html).toContain('<option value="low">Low</option>');
    expect(html).not.toContain('attachment');
    expect(html).toContain('name="hd_website"');
  });
});
