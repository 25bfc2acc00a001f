import type { FieldErrors, PropertyDefinition } from '@helpdesk/contracts';
import type { ContactProperty } from './contact-property.entity.js';
import type { Contact } from './contact.entity.js';

/** Contact fields every account has, usable in segments like custom properties. */
const builtIn: PropertyDefinition[] = [
  { name: 'email', label: 'Email', type: 'string' },
  { name: 'first_name', label: 'First name', type: 'string' },
  { name: 'last_name', label: 'Last name', type: 'string' },
  { name: 'created_at', label: 'Create date', type: 'date' },
];

/** Built-in and custom contact property definitions, built-ins first. */
export function contactPropertyDefinitions(custom: ContactProperty[]) {
  return [
    ...builtIn.map((definition) => ({ ...definition, options: null, builtIn: true })),
    ...custom.map((property) => ({
      name: property.name,
      label: property.label,
      type: property.type,
      options: property.options,
      builtIn: false,
    })),
  ];
}

export const filterDefinitions = (custom: ContactProperty[]): PropertyDefinition[] =>
  contactPropertyDefinitions(custom).map(({ name, label, type, options }) => ({
    name,
    label,
    type,
    ...(options ? { options } : {}),
  }));

/** A contact's values by property name, as segments see them. */
export const contactValues = (contact: Contact): Record<string, unknown> => ({
  ...contact.properties,
  email: contact.email,
  first_name: contact.firstName,
  last_name: contact.lastName,
  created_at: contact.createdAt.toISOString(),
});

const isoDate = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** Problems with custom property values against their definitions (null clears a value). */
export function propertyValueProblems(
  values: Record<string, unknown>,
  definitions: ContactProperty[],
): FieldErrors {
  const problems: FieldErrors = {};
  const byName = new Map(definitions.map((definition) => [definition.name, definition]));
  for (const [name, value] of Object.entries(values)) {
    const path = `properties.${name}`;
    const definition = byName.get(name);
    if (!definition) {
      problems[path] = [`"${name}" is not a contact property of this account`];
      continue;
    }
    if (value === null) continue;
    const ok =
      definition.type === 'string'
        ? typeof value === 'string'
        : definition.type === 'number'
          ? typeof value === 'number' && Number.isFinite(value)
          : definition.type === 'boolean'
            ? typeof value === 'boolean'
            : definition.type === 'date'
              ? typeof value === 'string' && isoDate.test(value) && !Number.isNaN(Date.parse(value))
              : typeof value === 'string' &&
                (definition.options ?? []).some((option) => option.value === value);
    if (!ok) {
      problems[path] = [
        definition.type === 'enumeration'
          ? `must be one of ${(definition.options ?? []).map((o) => o.value).join(', ')}`
          : `must be a ${definition.type === 'string' ? 'text' : definition.type}`,
      ];
    }
  }
  return problems;
}
