import {
  FORM_BUILT_IN_PROPERTIES,
  TicketPriority,
  type FieldErrors,
  type FormField,
  type FormFieldType,
  type FormPropertyObject,
  type PipelineView,
  type PropertyOption,
  type PropertyType,
  type TicketCreation,
} from '@helpdesk/contracts';

/** A custom property as its owner lists it (identity's contact properties, tickets' ticket properties). */
export interface PropertyDefinitionLike {
  name: string;
  type: PropertyType;
  options: readonly PropertyOption[] | null;
  builtIn: boolean;
}

/** What the checks of a form's references need; a list left out is not checked (nothing refers to it). */
export interface FormReferences {
  contactProperties?: readonly PropertyDefinitionLike[];
  ticketProperties?: readonly PropertyDefinitionLike[];
  inboxes?: readonly { id: string; kind: 'inbox' | 'help_desk' }[];
  pipelines?: readonly PipelineView[];
}

export interface FormShape {
  fields: readonly FormField[];
  ticketCreation: TicketCreation;
}

/** Field types that can carry a value of a custom property of this type. */
const typesFor: Record<PropertyType, readonly FormFieldType[]> = {
  string: ['text', 'textarea', 'email', 'select'],
  number: ['number'],
  boolean: ['checkbox'],
  date: ['text'],
  enumeration: ['select'],
};

/** Field types for the built-in properties. */
const builtInTypes: Record<string, readonly FormFieldType[]> = {
  'contact.email': ['email'],
  'contact.first_name': ['text'],
  'contact.last_name': ['text'],
  'ticket.subject': ['text', 'select'],
  'ticket.content': ['textarea', 'text'],
  'ticket.priority': ['select'],
};

const isBuiltIn = (object: FormPropertyObject, name: string) =>
  (FORM_BUILT_IN_PROPERTIES[object] as readonly string[]).includes(name);

/** Which lookups checking this form needs, so the service asks only the services it must. */
export function referencesNeeded({ fields, ticketCreation }: FormShape) {
  const custom = (object: FormPropertyObject) =>
    fields.some((f) => f.property?.object === object && !isBuiltIn(object, f.property.name));
  return {
    contactProperties: custom('contact'),
    ticketProperties: custom('ticket'),
    inboxes: ticketCreation.destination !== null,
    pipelines: ticketCreation.pipelineId !== null,
  };
}

export const containsTicketProperties = (fields: readonly FormField[]) =>
  fields.some((field) => field.property?.object === 'ticket');

/** S5: only such a form can be the portal's support form. */
export const usableAsSupportForm = ({ fields, ticketCreation }: FormShape) =>
  containsTicketProperties(fields) && ticketCreation.enabled && ticketCreation.destination !== null;

const add = (problems: FieldErrors, path: string, message: string) => (problems[path] ??= []).push(message);

/**
 * Everything wrong with a whole form beyond each field's shape, by dotted path (`fields.2.property`),
 * empty when it is fine. References are checked against the lists given.
 */
export function formProblems(form: FormShape, references: FormReferences = {}): FieldErrors {
  const problems: FieldErrors = {};
  const names = new Map<string, number>();
  const targets = new Map<string, number>();
  let emailFields = 0;
  form.fields.forEach((field, index) => {
    const at = `fields.${index}`;
    if (names.has(field.name)) add(problems, `${at}.name`, 'is already used by another field');
    names.set(field.name, index);
    const property = field.property;
    if (!property) return;
    const key = `${property.object}.${property.name}`;
    if (targets.has(key)) add(problems, `${at}.property`, 'is already filled by another field');
    targets.set(key, index);
    if (key === 'contact.email') {
      emailFields++;
      if (!field.required) add(problems, `${at}.required`, 'the contact’s email is always required');
    }
    const expected = builtInTypes[key];
    if (expected) {
      if (!expected.includes(field.type))
        add(problems, `${at}.type`, `must be ${expected.join(' or ')} for ${property.name}`);
      if (key === 'ticket.priority')
        field.options?.forEach((option, i) => {
          if (!TicketPriority.safeParse(option.value).success)
            add(problems, `${at}.options.${i}.value`, `must be one of ${TicketPriority.options.join(', ')}`);
        });
      return;
    }
    const definitions =
      property.object === 'contact' ? references.contactProperties : references.ticketProperties;
    if (!definitions) return;
    const definition = definitions.find((d) => d.name === property.name);
    if (!definition || definition.builtIn) {
      add(
        problems,
        `${at}.property.name`,
        definition
          ? `"${property.name}" cannot be filled by a form`
          : `"${property.name}" is not a ${property.object} property of this account`,
      );
      return;
    }
    if (!typesFor[definition.type].includes(field.type)) {
      add(
        problems,
        `${at}.type`,
        `must be ${typesFor[definition.type].join(' or ')} for ${/^[aeiou]/.test(definition.type) ? 'an' : 'a'} ${definition.type} property`,
      );
      return;
    }
    if (definition.type === 'enumeration') {
      const allowed = new Set((definition.options ?? []).map((option) => option.value));
      field.options?.forEach((option, i) => {
        if (!allowed.has(option.value))
          add(problems, `${at}.options.${i}.value`, `is not an option of ${property.name}`);
      });
    }
  });
  if (emailFields === 0) add(problems, 'fields', 'add a required email field for the contact’s email');

  const creation = form.ticketCreation;
  if (creation.enabled) {
    if (!containsTicketProperties(form.fields))
      add(problems, 'ticketCreation.enabled', 'needs a field that fills a ticket property');
    if (!creation.destination)
      add(problems, 'ticketCreation.destination', 'is required: pick an inbox or help desk');
  }
  if (creation.destination && references.inboxes) {
    const { id, kind } = creation.destination;
    const inbox = references.inboxes.find((candidate) => candidate.id === id);
    if (!inbox || inbox.kind !== kind)
      add(
        problems,
        'ticketCreation.destination.id',
        `is not ${kind === 'inbox' ? 'an inbox' : 'a help desk'} of this account`,
      );
  }
  if (creation.stageId && !creation.pipelineId)
    add(problems, 'ticketCreation.pipelineId', 'is required with a stage');
  if (creation.pipelineId && references.pipelines) {
    const pipeline = references.pipelines.find((p) => p.id === creation.pipelineId);
    if (!pipeline) add(problems, 'ticketCreation.pipelineId', 'is not a pipeline of this account');
    else if (
      creation.stageId &&
      !pipeline.stages.some((stage) => stage.id === creation.stageId && stage.state === 'open')
    )
      add(problems, 'ticketCreation.stageId', 'must be an open stage of this pipeline');
  }
  return problems;
}

/** Names of the text fields that fill a custom date property (their values must be dates). */
export function dateFieldsOf(fields: readonly FormField[], references: FormReferences): string[] {
  return fields
    .filter((field) => {
      const property = field.property;
      if (!property || isBuiltIn(property.object, property.name)) return false;
      const definitions =
        property.object === 'contact' ? references.contactProperties : references.ticketProperties;
      return definitions?.find((d) => d.name === property.name)?.type === 'date';
    })
    .map((field) => field.name);
}
