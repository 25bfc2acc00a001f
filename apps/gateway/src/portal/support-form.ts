import {
  FieldProblem,
  type FieldErrors,
  type FormField,
  type FormView,
  type ResolvedPortal,
} from '@helpdesk/contracts';
import type { ContactViewer } from '../auth/viewer.js';
import type { MessageKey, Translator } from './i18n.js';

/** What the customer typed, by field name, as posted (kept when the page comes back with errors). */
export type Answers = Record<string, string>;

/** An answer by field name; own keys only, as a field may be named like `constructor`. */
const answerOf = (answers: Answers, name: string): string | undefined =>
  Object.hasOwn(answers, name) ? answers[name] : undefined;

/** Shipped header texts (the product's default and the demo's): they follow the page's language. */
const DEFAULT_HEADERS = new Map<string, MessageKey>([
  ['Submit a ticket', 'submitTicket'],
  ['How can we help?', 'submitHeaderDefault'],
]);

/** The heading above the form (S5): the configured header text, else the menu text. */
export function headerTextOf(portal: ResolvedPortal, menuText: string, t: Translator): string {
  const header = portal.supportForm.headerText;
  if (!header) return menuText;
  const shipped = DEFAULT_HEADERS.get(header);
  return shipped ? t.t(shipped) : header;
}

/** The contact properties a portal session knows, with the session's value for each. */
const knownOfContact = (contact: ContactViewer) =>
  new Map([
    ['email', contact.email],
    ['first_name', contact.firstName],
    ['last_name', contact.lastName],
  ]);

/**
 * The values of the fields the session already answers: the contact's email and, when their record
 * has them, first and last name. Like the big help desks' portals (Zendesk, Freshdesk, HubSpot) we
 * do not ask a logged-in customer who they are: the session is the requester (forms takes the
 * contactId over any email field), retyping is friction, and a read-only copy would only invite the
 * question why it cannot be changed here. The values are sent with the answers, so a form that
 * requires them still accepts the submission; forms fills only blanks of the contact's record with
 * them, so nothing is overwritten. A name the record lacks is asked like any other field.
 */
export function knownValues(form: FormView, contact: ContactViewer): Answers {
  const known = knownOfContact(contact);
  const values: Answers = {};
  for (const field of form.fields) {
    const property = field.property;
    const value = property?.object === 'contact' ? known.get(property.name)?.trim() : undefined;
    if (value) values[field.name] = value;
  }
  return values;
}

/**
 * The fields the page asks for: every field of the form but those the session answers, and file
 * fields, whose uploads forms does not accept yet (they are never required, so nothing is lost).
 */
export const askedFields = (form: FormView, known: Answers): FormField[] =>
  form.fields.filter((field) => field.type !== 'file' && answerOf(known, field.name) === undefined);

/** The answers of a posted form, for the asked fields only (a checkbox left unchecked posts nothing). */
export function postedAnswers(fields: readonly FormField[], body: unknown): Answers {
  const posted = (body ?? {}) as Record<string, unknown>;
  const answers: Answers = {};
  for (const field of fields) {
    const value = Object.hasOwn(posted, field.name) ? posted[field.name] : undefined;
    answers[field.name] = typeof value === 'string' ? value : '';
  }
  return answers;
}

/** forms' words for a field's problem (FieldProblem), as the customer reads them in the page's language. */
export function problemText(problem: string, field: FormField | undefined, t: Translator): string {
  switch (problem) {
    case FieldProblem.required:
      return t.t(field?.type === 'checkbox' ? 'submitErrorRequiredCheckbox' : 'submitErrorRequired');
    case FieldProblem.email:
      return t.t('submitErrorEmail');
    case FieldProblem.number:
      return t.t('submitErrorNumber');
    case FieldProblem.option:
    case FieldProblem.checkbox:
      return t.t('submitErrorOption');
    case FieldProblem.date:
      return t.t('submitErrorDate');
  }
  const max = Number(/\d+/.exec(problem)?.[0]);
  if (Number.isInteger(max) && problem === FieldProblem.tooLong(max))
    return t.t('submitErrorTooLong', { max: t.formatNumber(max) });
  return t.t('submitErrorInvalid');
}

export interface FieldErrorItem {
  /** The field's name, or null for a problem that names no field of the form. */
  name: string | null;
  label: string;
  message: string;
}

/**
 * forms' field errors in the page's language, in the form's order. Paths are field names (forms'
 * own check) or `values.<name>` (the contract's check of a value's size); the first message of each
 * field is enough to act on.
 */
export function fieldErrors(problems: FieldErrors, form: FormView, t: Translator): FieldErrorItem[] {
  const byName = new Map<string, string>();
  const other: string[] = [];
  for (const [path, messages] of Object.entries(problems)) {
    const name = path.replace(/^values\./, '');
    if (form.fields.some((field) => field.name === name)) {
      if (!byName.has(name)) byName.set(name, messages[0] ?? '');
    } else other.push(messages[0] ?? '');
  }
  return [
    ...form.fields
      .filter((field) => byName.has(field.name))
      .map((field) => ({
        name: field.name,
        label: field.label,
        message: problemText(byName.get(field.name)!, field, t),
      })),
    ...other.map((problem) => ({ name: null, label: '', message: problemText(problem, undefined, t) })),
  ];
}

const AUTOCOMPLETE = new Map([
  ['contact.email', 'email'],
  ['contact.first_name', 'given-name'],
  ['contact.last_name', 'family-name'],
]);

/** One field as the template draws it: control, ids that tie label, help and error together, value. */
export interface FieldModel {
  name: string;
  id: string;
  label: string;
  control: 'input' | 'textarea' | 'select' | 'checkbox';
  /** The input's type for `control: 'input'`. */
  inputType: 'text' | 'email' | 'number';
  required: boolean;
  help: { id: string; text: string } | null;
  error: { id: string; text: string } | null;
  /** The ids of the help text and the error, for aria-describedby. */
  describedBy: string | null;
  autocomplete: string | null;
  value: string;
  checked: boolean;
  options: { value: string; label: string; selected: boolean }[];
}

/** The asked fields with the customer's answers and the errors beside them. */
export function fieldModels(
  fields: readonly FormField[],
  answers: Answers,
  errors: readonly FieldErrorItem[],
): FieldModel[] {
  return fields.map((field) => {
    const id = `field-${field.name}`;
    const value = answerOf(answers, field.name) ?? '';
    const helpText = field.helpText.trim();
    const errorText = errors.find((error) => error.name === field.name)?.message;
    const help = helpText ? { id: `${id}-help`, text: helpText } : null;
    const error = errorText ? { id: `${id}-error`, text: errorText } : null;
    const property = field.property ? `${field.property.object}.${field.property.name}` : '';
    return {
      name: field.name,
      id,
      label: field.label,
      control:
        field.type === 'textarea' || field.type === 'select' || field.type === 'checkbox'
          ? field.type
          : 'input',
      inputType: field.type === 'email' || field.type === 'number' ? field.type : 'text',
      required: field.required,
      help,
      error,
      describedBy: [help?.id, error?.id].filter(Boolean).join(' ') || null,
      autocomplete: AUTOCOMPLETE.get(property) ?? null,
      value,
      checked: field.type === 'checkbox' && value !== '',
      options: (field.options ?? []).map((option) => ({ ...option, selected: option.value === value })),
    };
  });
}
