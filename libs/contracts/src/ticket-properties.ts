import { z } from 'zod';
import { AccountScoped, Id, IsoDateTime } from './common.js';
import { PropertyName, PropertyOption, PropertyType } from './filters.js';
import { rpc } from './rpc.js';

/** A ticket property as admins pick it for columns and filters (S7) and customers filter and sort by (P1). */
export const TicketPropertyView = z.object({
  name: z.string(),
  label: z.string(),
  type: PropertyType,
  options: z.array(PropertyOption).nullable(),
  builtIn: z.boolean(),
  sortable: z.boolean(),
});
export type TicketPropertyView = z.infer<typeof TicketPropertyView>;

/** An enumeration's options, in order; each value once. */
const Options = z
  .array(PropertyOption)
  .min(1, 'keep at least one option')
  .max(200)
  .superRefine((options, ctx) => {
    const seen = new Set<string>();
    options.forEach((option, index) => {
      if (seen.has(option.value))
        ctx.addIssue({ code: 'custom', path: [index, 'value'], message: 'is already an option' });
      seen.add(option.value);
    });
  });

export const CreateTicketPropertyRequest = AccountScoped.extend({
  name: PropertyName,
  label: z.string().trim().min(1, 'is required').max(100),
  type: PropertyType,
  options: Options.nullable().default(null),
});

/**
 * A custom property's label, and an enumeration's options: options may be added and relabelled (by
 * their value); dropping an option that tickets use is refused with TICKET_PROPERTY_IN_USE. The type
 * and name never change. Built-in properties are refused (TICKET_PROPERTY_BUILT_IN).
 */
export const UpdateTicketPropertyRequest = AccountScoped.extend({
  name: PropertyName,
  label: z.string().trim().min(1, 'is required').max(100).optional(),
  /** The enumeration's full list of options, in order. */
  options: Options.optional(),
});

/** Refused for built-in properties and while any ticket has a value for it (the error says how many). */
export const DeleteTicketPropertyRequest = AccountScoped.extend({ name: PropertyName });

export const TicketPropertiesRpc = {
  'tickets.properties.list': rpc(AccountScoped, z.array(TicketPropertyView)),
  'tickets.properties.create': rpc(CreateTicketPropertyRequest, TicketPropertyView),
  'tickets.properties.update': rpc(UpdateTicketPropertyRequest, TicketPropertyView),
  /** Answers with the account's properties that remain. */
  'tickets.properties.delete': rpc(DeleteTicketPropertyRequest, z.array(TicketPropertyView)),
};

export const TicketPropertyEvents = {
  /** A custom ticket property was created, changed or deleted (announced after the commit). */
  'ticket.property.changed': z.object({ accountId: Id, name: z.string(), occurredAt: IsoDateTime }),
};
