import {
  FormFieldType,
  HONEYPOT_FIELD,
  type FormField,
  type FormFieldInput,
  type FormView,
  type TicketCreation,
} from '@helpdesk/contracts';
import { escapeHtml } from '@helpdesk/kit';
import { formField } from '../http/form-fields.js';

/**
 * The form editor's posted fields (`fields.0.label`, `new.label`, `ticketCreation.stageId`, …; the
 * body parser is not extended, so names are flat) turned into what forms.update takes, and back.
 * Nothing is checked here: the forms service checks the whole form and its answer is shown inline.
 */

/** One field as the editor shows and posts it: every value a string, as typed. */
export interface FieldRow {
  name: string;
  label: string;
  type: string;
  required: boolean;
  helpText: string;
  /** `contact:email`, `ticket:subject`…; empty for none (file fields). */
  property: string;
  /** A select's options, one a line: `value` or `value | label`. */
  options: string;
}

/** Ticket creation as posted: the destination as `inbox:<id>` or `help_desk:<id>`, empty for none. */
export interface TicketCreationRow {
  enabled: boolean;
  destination: string;
  pipelineId: string;
  stageId: string;
}

export const rowOfField = (field: FormField): FieldRow => ({
  name: field.name,
  label: field.label,
  type: field.type,
  required: field.required,
  helpText: field.helpText,
  property: field.property ? `${field.property.object}:${field.property.name}` : '',
  options: (field.options ?? [])
    .map((option) => (option.value === option.label ? option.value : `${option.value} | ${option.label}`))
    .join('\n'),
});

export const rowOfTicketCreation = (creation: TicketCreation): TicketCreationRow => ({
  enabled: creation.enabled,
  destination: creation.destination ? `${creation.destination.kind}:${creation.destination.id}` : '',
  pipelineId: creation.pipelineId ?? '',
  stageId: creation.stageId ?? '',
});

function rowFromBody(body: unknown, prefix: string): FieldRow {
  const value = (name: string) => formField(body, `${prefix}.${name}`);
  return {
    name: value('name').trim(),
    label: value('label').trim(),
    type: value('type'),
    required: value('required') !== '',
    helpText: value('helpText').trim(),
    property: value('property'),
    options: value('options').replace(/\r\n?/g, '\n'),
  };
}

/**
 * The fields as posted, in order, then the new field when its name or label was typed: pressing
 * Save with a new field filled in adds it rather than dropping what was typed.
 */
export function fieldRowsOf(body: unknown): FieldRow[] {
  const indexes = Object.keys(body ?? {})
    .map((key) => /^fields\.(\d+)\.name$/.exec(key)?.[1])
    .filter((index): index is string => index !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  const rows = indexes.map((index) => rowFromBody(body, `fields.${index}`));
  const added = rowFromBody(body, 'new');
  return added.name || added.label ? [...rows, added] : rows;
}

/** `up:2`, `down:2` or `remove:2` applied to the rows; any other action (save, add) changes nothing. */
export function applyFieldAction(rows: FieldRow[], action: string): FieldRow[] {
  const match = /^(up|down|remove):(\d+)$/.exec(action);
  if (!match) return rows;
  const index = Number(match[2]);
  if (index >= rows.length) return rows;
  const moved = [...rows];
  if (match[1] === 'remove') moved.splice(index, 1);
  else {
    const other = match[1] === 'up' ? index - 1 : index + 1;
    if (other < 0 || other >= rows.length) return rows;
    [moved[index], moved[other]] = [moved[other], moved[index]];
  }
  return moved;
}

function optionsOf(text: string) {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const bar = line.indexOf('|');
      if (bar < 0) return { value: line, label: line };
      const value = line.slice(0, bar).trim();
      return { value, label: line.slice(bar + 1).trim() || value };
    });
}

/** Splits `kind:id` at its first colon; empty is none. */
function pairOf(text: string): [string, string] | null {
  const colon = text.indexOf(':');
  return colon < 0 ? null : [text.slice(0, colon), text.slice(colon + 1)];
}

export function fieldOfRow(row: FieldRow): FormFieldInput {
  const property = pairOf(row.property);
  return {
    name: row.name,
    label: row.label,
    type: row.type as FormFieldType,
    required: row.required,
    helpText: row.helpText,
    // Only a select has options; for the others the box is ignored, not an error.
    options: row.type === 'select' ? optionsOf(row.options) : null,
    property: property ? { object: property[0] as 'contact' | 'ticket', name: property[1] } : null,
  };
}

export function ticketCreationOf(body: unknown): TicketCreationRow {
  const value = (name: string) => formField(body, `ticketCreation.${name}`);
  return {
    enabled: value('enabled') !== '',
    destination: value('destination'),
    pipelineId: value('pipelineId'),
    stageId: value('stageId'),
  };
}

export function ticketCreationOfRow(row: TicketCreationRow): TicketCreation {
  const destination = pairOf(row.destination);
  return {
    enabled: row.enabled,
    destination: destination ? { kind: destination[0] as 'inbox' | 'help_desk', id: destination[1] } : null,
    pipelineId: row.pipelineId || null,
    stageId: row.stageId || null,
  };
}

/**
 * The service's problems by dotted path (`fields.2.options.0.value`) gathered under the input that
 * shows them (`fields.2.options`): the first two parts of a field's path, the whole path otherwise,
 * the destination's kind and id under the destination.
 */
export function problemsByInput(fields: Record<string, string[]> | undefined): Record<string, string> {
  const problems: Record<string, string[]> = {};
  for (const [path, messages] of Object.entries(fields ?? {})) {
    const parts = path.split('.');
    const input = parts[0] === 'fields' && parts.length > 3 ? parts.slice(0, 3).join('.') : path;
    const key = input.startsWith('ticketCreation.destination') ? 'ticketCreation.destination' : input;
    (problems[key] ??= []).push(...messages);
  }
  return Object.fromEntries(Object.entries(problems).map(([key, messages]) => [key, messages.join('; ')]));
}

/** One field of the embed code; file fields are left out, since the endpoint takes no uploads yet. */
function embedField(field: FormField): string[] {
  const name = escapeHtml(field.name);
  const id = `hd-${name}`;
  const label = escapeHtml(field.label);
  const required = field.required ? ' required' : '';
  const help = field.helpText ? [`    <small>${escapeHtml(field.helpText)}</small>`] : [];
  switch (field.type) {
    case 'file':
      return [];
    case 'checkbox':
      // The hidden "false" is sent when the box is unchecked; the box's "true" comes after and wins.
      return [
        '  <p>',
        `    <input type="hidden" name="${name}" value="false">`,
        `    <label><input type="checkbox" name="${name}" value="true"${required}> ${label}</label>`,
        ...help,
        '  </p>',
      ];
    case 'select':
      return [
        '  <p>',
        `    <label for="${id}">${label}</label>`,
        `    <select id="${id}" name="${name}"${required}>`,
        '      <option value=""></option>',
        ...(field.options ?? []).map(
          (option) =>
            `      <option value="${escapeHtml(option.value)}">${escapeHtml(option.label)}</option>`,
        ),
        '    </select>',
        ...help,
        '  </p>',
      ];
    case 'textarea':
      return [
        '  <p>',
        `    <label for="${id}">${label}</label>`,
        `    <textarea id="${id}" name="${name}" rows="5"${required}></textarea>`,
        ...help,
        '  </p>',
      ];
    case 'text':
    case 'email':
    case 'number':
      return [
        '  <p>',
        `    <label for="${id}">${label}</label>`,
        `    <input id="${id}" name="${name}" type="${field.type}"${required}>`,
        ...help,
        '  </p>',
      ];
  }
}

/**
 * A plain HTML form posting to the public endpoint (`POST /forms/v1/submit/{formId}`), with the
 * honeypot out of sight: a web site can paste it as it is.
 */
export function embedSnippet(form: FormView, publicUrl: string): string {
  const action = `${publicUrl.replace(/\/$/, '')}/forms/v1/submit/${form.id}`;
  return [
    `<form method="post" action="${escapeHtml(action)}">`,
    ...form.fields.flatMap(embedField),
    `  <input type="text" name="${HONEYPOT_FIELD}" value="" tabindex="-1" autocomplete="off" aria-hidden="true" style="position:absolute;left:-10000px">`,
    '  <button type="submit">Send</button>',
    '</form>',
  ].join('\n');
}
