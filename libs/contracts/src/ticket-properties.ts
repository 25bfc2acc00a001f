import { z } from 'zod';
import { AccountScoped } from './common.js';
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

export const CreateTicketPropertyRequest = AccountScoped.extend({
  name: PropertyName,
  label: z.string().trim().min(1, 'is required').max(100),
  type: PropertyType,
  options: z.array(PropertyOption).min(1).max(200).nullable().default(null),
});

export const TicketPropertiesRpc = {
  'tickets.properties.list': rpc(AccountScoped, z.array(TicketPropertyView)),
  'tickets.properties.create': rpc(CreateTicketPropertyRequest, TicketPropertyView),
};
