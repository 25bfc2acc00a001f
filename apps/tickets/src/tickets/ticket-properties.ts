import type { PropertyDefinition, PropertyOption } from '@helpdesk/contracts';

/**
 * The ticket properties an admin can filter on (S7 ticket visibility), show as columns and that a
 * customer can filter and sort by in the portal (P1), with where each one's value lives in
 * `tickets.ticket`.
 *
 * - `column`: a built-in, read from trusted SQL over the row (a column or an expression of columns).
 *   `text` holds text (string and enumeration properties), `uuid` ids compared as their canonical
 *   text (enumerations of pipelines and stages), `timestamp` a `timestamptz` (date properties).
 * - `custom`: a custom property, read from the `properties` jsonb under its name. The name is always
 *   bound as a query parameter, never spliced into SQL.
 *
 * `ticket-query.ts` turns these into SQL with the exact semantics of the in-memory filter evaluator.
 */
export type TicketPropertySource =
  | {
      kind: 'column';
      sql: string;
      holds: 'text' | 'uuid' | 'timestamp';
      /** The SQL is never NULL (a NOT NULL column): sorting by it can then walk an index. */
      notNull?: boolean;
    }
  | { kind: 'custom' };

export interface TicketProperty extends PropertyDefinition {
  source: TicketPropertySource;
  /** Whether the ticket list can be sorted by it: every property except the ticket's content. */
  sortable: boolean;
}

/** Runtime options of the built-in enumerations whose values are ids, in display order. */
export interface TicketPropertyOptions {
  pipelines: readonly PropertyOption[];
  stages: readonly PropertyOption[];
}

const options = (labels: Record<string, string>): PropertyOption[] =>
  Object.entries(labels).map(([value, label]) => ({ value, label }));

const column = (
  sql: string,
  holds: 'text' | 'uuid' | 'timestamp' = 'text',
  notNull = false,
): TicketPropertySource => ({ kind: 'column', sql, holds, ...(notNull ? { notNull } : {}) });

/** Names of the built-in properties, in the order an admin's property picker lists them. */
export const builtinTicketPropertyNames = [
  'subject',
  'content',
  'priority',
  'status',
  'pipeline',
  'stage',
  'owner',
  'requester',
  'requester_email',
  'company',
  'source',
  'created_at',
  'last_activity_at',
  'closed_at',
] as const;
export type BuiltinTicketPropertyName = (typeof builtinTicketPropertyNames)[number];

/** S7 "Reset to recommended defaults": Subject, Requester, Created date, Ticket owner, Last activity date, Status. */
export const recommendedTicketColumns: readonly BuiltinTicketPropertyName[] = [
  'subject',
  'requester',
  'created_at',
  'owner',
  'last_activity_at',
  'status',
];

/** The built-in ticket properties; pipelines and stages are the account's, in display order. */
export function builtinTicketProperties(runtime: TicketPropertyOptions): TicketProperty[] {
  const properties: Record<BuiltinTicketPropertyName, Omit<TicketProperty, 'name' | 'sortable'>> = {
    subject: { label: 'Subject', type: 'string', source: column('subject') },
    content: { label: 'Description', type: 'string', source: column('content') },
    priority: {
      label: 'Priority',
      type: 'enumeration',
      options: options({ low: 'Low', medium: 'Medium', high: 'High', urgent: 'Urgent' }),
      source: column('priority'),
    },
    // Open / Closed from the `closed` flag (the stage's state, kept on the row).
    status: {
      label: 'Status',
      type: 'enumeration',
      options: options({ open: 'Open', closed: 'Closed' }),
      source: column(`case when closed then 'closed' when not closed then 'open' end`),
    },
    pipeline: {
      label: 'Pipeline',
      type: 'enumeration',
      options: [...runtime.pipelines],
      source: column('pipeline_id', 'uuid'),
    },
    stage: {
      label: 'Stage',
      type: 'enumeration',
      options: [...runtime.stages],
      source: column('stage_id', 'uuid'),
    },
    // The owner's full name; a ticket without an owner has blank names, which reads as unknown.
    owner: {
      label: 'Ticket owner',
      type: 'string',
      source: column(`coalesce(owner_first_name, '') || ' ' || coalesce(owner_last_name, '')`),
    },
    requester: { label: 'Requester', type: 'string', source: column('requester_name') },
    requester_email: { label: 'Requester email', type: 'string', source: column('requester_email') },
    company: { label: 'Company', type: 'string', source: column('company_id::text') },
    source: {
      label: 'Source',
      type: 'enumeration',
      options: options({ portal: 'Portal', form: 'Form', email: 'Email', api: 'API' }),
      source: column('source'),
    },
    created_at: { label: 'Created date', type: 'date', source: column('created_at', 'timestamp', true) },
    last_activity_at: {
      label: 'Last activity date',
      type: 'date',
      source: column('last_activity_at', 'timestamp', true),
    },
    closed_at: { label: 'Close date', type: 'date', source: column('closed_at', 'timestamp') },
  };
  return builtinTicketPropertyNames.map((name) => ({
    name,
    ...properties[name],
    sortable: name !== 'content',
  }));
}

/** A custom property, read from `properties -> name` (the name bound as a parameter). */
export function customTicketProperty(definition: PropertyDefinition): TicketProperty {
  return { ...definition, source: { kind: 'custom' }, sortable: true };
}

/**
 * Every property of an account's tickets: the built-ins, then the custom ones. A custom property
 * named like a built-in is left out, so it can never change what `subject` or `status` means.
 */
export function ticketProperties(
  custom: readonly PropertyDefinition[],
  runtime: TicketPropertyOptions,
): TicketProperty[] {
  const builtins: readonly string[] = builtinTicketPropertyNames;
  return [
    ...builtinTicketProperties(runtime),
    ...custom.filter((definition) => !builtins.includes(definition.name)).map(customTicketProperty),
  ];
}
