import type { PropertyDefinition } from '@helpdesk/contracts';
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
