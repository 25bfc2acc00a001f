import { z } from 'zod';
import { AccountScoped, Id, IsoDateTime, PageOf, PageRequest, PingRequest, PingResponse } from './common.js';
import { rpc } from './rpc.js';

export const TicketPriority = z.enum(['low', 'medium', 'high', 'urgent']);

export const TicketView = z.object({
  id: Id,
  accountId: Id,
  subject: z.string(),
  content: z.string(),
  priority: TicketPriority.nullable(),
  requesterContactId: Id.nullable(),
  companyId: Id.nullable(),
  createdAt: IsoDateTime,
  lastActivityAt: IsoDateTime,
});
export type TicketView = z.infer<typeof TicketView>;

export const CreateTicketRequest = AccountScoped.extend({
  subject: z.string().trim().min(1, 'is required').max(255),
  content: z.string().max(65_535).default(''),
  priority: TicketPriority.nullable().default(null),
  requesterContactId: Id.nullable().default(null),
  companyId: Id.nullable().default(null),
});
export type CreateTicketRequest = z.input<typeof CreateTicketRequest>;

export const ListTicketsRequest = AccountScoped.extend(PageRequest.shape);
export type ListTicketsRequest = z.input<typeof ListTicketsRequest>;

export const GetTicketRequest = AccountScoped.extend({ id: Id });
export type GetTicketRequest = z.input<typeof GetTicketRequest>;

export const TicketsRpc = {
  'tickets.ping': rpc(PingRequest, PingResponse),
  'tickets.create': rpc(CreateTicketRequest, TicketView),
  'tickets.list': rpc(ListTicketsRequest, PageOf(TicketView)),
  'tickets.get': rpc(GetTicketRequest, TicketView),
};

export const TicketEvents = {
  'ticket.created': z.object({ accountId: Id, ticketId: Id, occurredAt: IsoDateTime }),
};
