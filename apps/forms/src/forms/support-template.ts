import type { FormFieldInput } from '@helpdesk/contracts';

/**
 * The "support form" template: who is asking (email, first and last name) and what about (subject,
 * description, priority). Field names are HubSpot's, so embed code written for a HubSpot ticket form
 * posts here unchanged.
 */
export const supportFormFields = (): FormFieldInput[] => [
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
  { name: 'lastname', label: 'Last name', type: 'text', property: { object: 'contact', name: 'last_name' } },
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
    helpText: 'What happened, and what did you expect?',
    property: { object: 'ticket', name: 'content' },
  },
  {
    name: 'hs_ticket_priority',
    label: 'Priority',
    type: 'select',
    options: [
      { value: 'low', label: 'Low' },
      { value: 'medium', label: 'Medium' },
      { value: 'high', label: 'High' },
      { value: 'urgent', label: 'Urgent' },
    ],
    property: { object: 'ticket', name: 'priority' },
  },
];
