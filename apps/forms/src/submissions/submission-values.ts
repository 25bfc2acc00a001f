import {
  Email,
  FieldProblem,
  parseIsoInstant,
  RESERVED_FIELD_NAMES,
  TicketPriority,
  type FieldErrors,
  type FormField,
  type SubmittedValue,
  type TicketCreation,
} from '@helpdesk/contracts';

/** A validated value as stored and delivered. */
export type CleanValue = string | number | boolean;

/** What the relay does for one submission: decided when it is stored, so later form edits change nothing. */
export interface DeliveryPlan {
  submissionId: string;
  formId: string;
  contact: {
    /** A logged-in portal customer: the requester, whatever the email field says. */
    contactId: string | null;
    email: string | null;
    firstName: string | null;
    lastName: string | null;
    /** Custom contact property values. */
    properties: Record<string, CleanValue>;
  };
  /** Null when the form does not create tickets. */
  ticket: {
    subject: string;
    /** The description field, or every answer as "Label: value" lines when the form has none. */
    content: string;
    priority: TicketPriority | null;
    /** Custom ticket property values (set after creation: tickets.create takes none). */
    properties: Record<string, CleanValue>;
    pipelineId: string | null;
    stageId: string | null;
    destination: { kind: 'inbox' | 'help_desk'; id: string };
  } | null;
}

type TicketPriority = ReturnType<typeof TicketPriority.parse>;

export interface FormForSubmission {
  id: string;
  name: string;
  fields: readonly FormField[];
  ticketCreation: TicketCreation;
  /** Names of the text fields that fill a custom date property (known when the form was saved). */
  dateFields: readonly string[];
}

export interface ReadSubmission {
  problems: FieldErrors;
  values: Record<string, CleanValue>;
  plan: Omit<DeliveryPlan, 'submissionId'>;
}

/** The longest value each target takes (what the receiving service accepts). */
export function maxLengthOf(field: FormField): number {
  const property = field.property;
  if (!property) return 1_000;
  const key = `${property.object}.${property.name}`;
  switch (key) {
    case 'contact.email':
      return 254;
    case 'contact.first_name':
    case 'contact.last_name':
      return 100;
    case 'ticket.subject':
      return 255;
    case 'ticket.content':
      return 65_535;
    default:
      return 1_000;
  }
}

const TRUE = new Set(['true', 'on', '1', 'yes', 'checked']);
const FALSE = new Set(['false', 'off', '0', 'no', '']);

const isBlank = (raw: SubmittedValue | undefined) =>
  raw === undefined ||
  raw === null ||
  (typeof raw === 'string' && raw.trim() === '') ||
  (Array.isArray(raw) && raw.every((v) => typeof v === 'string' && v.trim() === ''));

/** One value of a field, or a problem. `undefined` value: not answered. */
function readField(
  field: FormField,
  raw: SubmittedValue | undefined,
): { value?: CleanValue; problem?: string } {
  if (field.type === 'file') return isBlank(raw) ? {} : { problem: FieldProblem.file };
  if (field.type === 'checkbox') {
    // A checkbox behind a hidden "false" input posts both: the last one counts.
    const last = Array.isArray(raw) ? raw.at(-1) : raw;
    if (last === undefined || last === null) return { value: false };
    if (typeof last === 'boolean') return { value: last };
    const text = String(last).trim().toLowerCase();
    if (TRUE.has(text)) return { value: true };
    if (FALSE.has(text)) return { value: false };
    return { problem: FieldProblem.checkbox };
  }
  if (isBlank(raw)) return {};
  let one: string | number | boolean;
  if (Array.isArray(raw)) {
    const answered = raw.filter((v) => !(typeof v === 'string' && v.trim() === ''));
    if (answered.length !== 1) return { problem: FieldProblem.oneValue };
    one = answered[0];
  } else one = raw as string | number | boolean;
  switch (field.type) {
    case 'number': {
      const number = typeof one === 'number' ? one : Number(String(one).trim());
      return Number.isFinite(number) && String(one).trim() !== '' && typeof one !== 'boolean'
        ? { value: number }
        : { problem: FieldProblem.number };
    }
    case 'select': {
      const text = String(one).trim();
      const options = field.options ?? [];
      const option =
        options.find((o) => o.value === text) ??
        options.find((o) => o.value.toLowerCase() === text.toLowerCase());
      return option ? { value: option.value } : { problem: FieldProblem.option };
    }
    case 'email': {
      const parsed = Email.safeParse(String(one));
      return parsed.success ? { value: parsed.data } : { problem: FieldProblem.email };
    }
    case 'text':
    case 'textarea': {
      // Text keeps its line breaks (a description); only the ends are trimmed.
      const text = String(one).trim();
      const max = maxLengthOf(field);
      if (text.length > max) return { problem: FieldProblem.tooLong(max) };
      return { value: text };
    }
  }
}

/** "Label: value" lines of every answer, for a ticket whose form has no description field. */
export function answersAsText(fields: readonly FormField[], values: Record<string, CleanValue>): string {
  return fields
    .filter((field) => values[field.name] !== undefined)
    .map((field) => {
      const value = values[field.name];
      const shown =
        typeof value === 'boolean'
          ? value
            ? 'Yes'
            : 'No'
          : field.type === 'select'
            ? (field.options?.find((o) => o.value === value)?.label ?? String(value))
            : String(value);
      return `${field.label}: ${shown}`;
    })
    .join('\n');
}

/**
 * Validates a submission against its form: one problem per field (unknown names included) and, when
 * there is none, the values to store and what the relay will do with them.
 */
export function readSubmission(
  form: FormForSubmission,
  submitted: Record<string, SubmittedValue>,
  { contactId = null }: { contactId?: string | null } = {},
): ReadSubmission {
  const problems: FieldErrors = {};
  const values: Record<string, CleanValue> = {};
  const known = new Set(form.fields.map((field) => field.name));
  for (const name of Object.keys(submitted))
    if (!known.has(name) && !RESERVED_FIELD_NAMES.includes(name)) problems[name] = [FieldProblem.unknown];

  const contact: DeliveryPlan['contact'] = {
    contactId,
    email: null,
    firstName: null,
    lastName: null,
    properties: {},
  };
  const ticket = {
    subject: '',
    content: '',
    priority: null as TicketPriority | null,
    properties: {} as Record<string, CleanValue>,
  };
  for (const field of form.fields) {
    const { value, problem } = readField(field, submitted[field.name]);
    if (problem) {
      problems[field.name] = [problem];
      continue;
    }
    const property = field.property;
    // A logged-in customer is the requester: the email field may stay empty.
    const waived = contactId !== null && property?.object === 'contact' && property.name === 'email';
    if (field.required && (value === undefined || value === false) && !waived) {
      problems[field.name] = [FieldProblem.required];
      continue;
    }
    if (value === undefined || !property) continue;
    values[field.name] = value;
    if (property.object === 'contact') {
      if (property.name === 'email') contact.email = String(value);
      else if (property.name === 'first_name') contact.firstName = String(value);
      else if (property.name === 'last_name') contact.lastName = String(value);
      else contact.properties[property.name] = value;
    } else if (property.name === 'subject') ticket.subject = String(value);
    else if (property.name === 'content') ticket.content = String(value);
    else if (property.name === 'priority') ticket.priority = TicketPriority.parse(value);
    else ticket.properties[property.name] = value;
  }
  // A date property takes a date.
  for (const field of form.fields) {
    const value = values[field.name];
    if (
      typeof value === 'string' &&
      form.dateFields.includes(field.name) &&
      parseIsoInstant(value) === undefined
    )
      problems[field.name] = [FieldProblem.date];
  }

  const creation = form.ticketCreation;
  const plan: ReadSubmission['plan'] = {
    formId: form.id,
    contact,
    ticket:
      creation.enabled && creation.destination
        ? {
            subject: ticket.subject || form.name,
            content: ticket.content || answersAsText(form.fields, values) || ticket.subject || form.name,
            priority: ticket.priority,
            properties: ticket.properties,
            pipelineId: creation.pipelineId,
            stageId: creation.stageId,
            destination: creation.destination,
          }
        : null,
  };
  return { problems, values, plan };
}
