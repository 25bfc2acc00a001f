import { z } from 'zod';
import { AccountScoped, Id, IsoDateTime, PageOf, PingRequest, PingResponse } from './common.js';
import { Filter } from './filters.js';
import { Language, OwnerDisplay, PortalColumn } from './portal.js';
import { rpc } from './rpc.js';

export const TicketPriority = z.enum(['low', 'medium', 'high', 'urgent']);

export const TicketSource = z.enum(['portal', 'form', 'email', 'api']);

export const TicketView = z.object({
  id: Id,
  accountId: Id,
  subject: z.string(),
  content: z.string(),
  priority: TicketPriority.nullable(),
  pipelineId: Id,
  stageId: Id,
  closed: z.boolean(),
  ownerId: Id.nullable(),
  requesterContactId: Id.nullable(),
  companyId: Id.nullable(),
  source: TicketSource,
  properties: z.record(z.string(), z.unknown()),
  createdAt: IsoDateTime,
  lastActivityAt: IsoDateTime,
  closedAt: IsoDateTime.nullable(),
});
export type TicketView = z.infer<typeof TicketView>;

export const CreateTicketRequest = AccountScoped.extend({
  subject: z.string().trim().min(1, 'is required').max(255),
  content: z.string().max(65_535).default(''),
  priority: TicketPriority.nullable().default(null),
  /** Defaults to the account's first pipeline (the support pipeline is created when there is none). */
  pipelineId: Id.optional(),
  /** Defaults to the pipeline's first open stage; must belong to the pipeline. */
  stageId: Id.optional(),
  requesterContactId: Id.nullable().default(null),
  /** The requester's name and email as shown in lists and exports (the caller looked them up). */
  requesterName: z.string().trim().max(200).default(''),
  requesterEmail: z.string().trim().toLowerCase().max(254).default(''),
  companyId: Id.nullable().default(null),
  source: TicketSource.default('api'),
  /** Idempotency: a second create with the same key returns the first ticket (a redelivered form submission). */
  sourceKey: z.string().trim().min(1).max(200).optional(),
});
export type CreateTicketRequest = z.input<typeof CreateTicketRequest>;

export const GetTicketRequest = AccountScoped.extend({ id: Id });
export type GetTicketRequest = z.input<typeof GetTicketRequest>;
/** Several tickets at once (a list page's worth: the agent inbox shows each thread's ticket status). */
export const GetTicketsRequest = AccountScoped.extend({
  ids: z.array(Id).min(1, 'name at least one ticket').max(100, 'at most 100 tickets at once'),
});

/** Who is looking, as identity's identity.viewer.scope computed it (SPEC S4). */
export const PortalViewer = z.object({
  contactId: Id,
  companyId: Id.nullable(),
  seesCompanyTickets: z.boolean(),
});
export type PortalViewer = z.infer<typeof PortalViewer>;

const PropertyValues = z.record(
  z.string().max(100),
  z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]),
);

export const UpdateTicketRequest = AccountScoped.extend({
  id: Id,
  subject: z.string().trim().min(1, 'is required').max(255).optional(),
  priority: TicketPriority.nullable().optional(),
  /** Moves the ticket; a closed stage closes it, an open one reopens it. */
  stageId: Id.optional(),
  /** An internal user of the account, or null to unassign. */
  ownerId: Id.nullable().optional(),
  properties: PropertyValues.optional(),
});

export const CloseTicketRequest = AccountScoped.extend({
  id: Id,
  viewer: PortalViewer,
  /** The portal's ticket visibility filter: a ticket it hides cannot be closed either. */
  visibility: Filter,
  /** The portal's "closed stage per pipeline" setting (S9); a pipeline with one closed stage needs no entry. */
  closedStages: z.record(Id, Id).default({}),
});

/**
 * Inbox tells tickets about every stored message (through its outbox, retried until acknowledged):
 * tickets moves last activity, indexes public text for search and reopens on a customer reply.
 * Idempotent by messageId.
 */
export const RecordMessageRequest = AccountScoped.extend({
  ticketId: Id,
  messageId: Id,
  direction: z.enum(['from_customer', 'from_agent']),
  visibility: z.enum(['public', 'note', 'comment']),
  /** Plain text of the message (for search); notes and comments are never indexed. */
  text: z.string().max(200_000),
  occurredAt: IsoDateTime,
  /** Set when the portal allows replies to closed tickets and this customer reply should reopen it. */
  reopen: z.boolean().default(false),
});
export const RecordMessageResult = z.object({ recorded: z.boolean(), reopened: z.boolean() });

export const TicketSort = z.object({
  property: z.string().min(1).max(100),
  direction: z.enum(['asc', 'desc']),
});

/** One page of the portal's ticket list for one viewer (SPEC P1, S4, S7). */
export const PortalListRequest = AccountScoped.extend({
  viewer: PortalViewer,
  /** The Show switch; "organization" only widens the list for viewers who may see company tickets. */
  show: z.enum(['organization', 'mine']).default('organization'),
  /** The portal's ticket visibility filter. */
  visibility: Filter,
  /** The customer's own filters (status and the filterable columns). */
  filters: Filter.default({ groups: [] }),
  search: z.string().trim().max(200).optional(),
  sort: TicketSort.default({ property: 'created_at', direction: 'desc' }),
  /** A text sort's cursor carries the text, so it may be long. */
  after: z.string().min(1).max(4096).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  /** How owners are named on this portal (S7). */
  ownerDisplay: z.object({ mode: OwnerDisplay, alias: z.string().max(60).nullable() }),
});

export const PortalTicketRow = z.object({
  id: Id,
  subject: z.string(),
  priority: TicketPriority.nullable(),
  pipelineId: Id,
  stageId: Id,
  /** The stage's name, for portals that show stages; otherwise `closed` says Open or Closed. */
  stageLabel: z.string(),
  closed: z.boolean(),
  /** The owner as this portal names owners (first name, full name, last name or the alias). */
  ownerName: z.string(),
  requesterName: z.string(),
  requesterEmail: z.string(),
  companyId: Id.nullable(),
  source: TicketSource,
  properties: z.record(z.string(), z.unknown()),
  createdAt: IsoDateTime,
  lastActivityAt: IsoDateTime,
  closedAt: IsoDateTime.nullable(),
});
export type PortalTicketRow = z.infer<typeof PortalTicketRow>;

/** One ticket for the portal's detail page (SPEC P2), only when the viewer may see it in the list. */
export const PortalTicketRequest = AccountScoped.extend({
  id: Id,
  viewer: PortalViewer,
  visibility: Filter,
  ownerDisplay: PortalListRequest.shape.ownerDisplay.default({ mode: 'first_name', alias: null }),
});
export type PortalTicketRequest = z.input<typeof PortalTicketRequest>;

export const PortalTicketDetail = PortalTicketRow.extend({
  content: z.string(),
  requesterContactId: Id.nullable(),
});
export type PortalTicketDetail = z.infer<typeof PortalTicketDetail>;

/**
 * Every ticket of the account, for internal users (agents and admins): the portal list's filters,
 * search, sort and keyset paging without a viewer's scope.
 */
export const ListTicketsRequest = AccountScoped.extend({
  filters: Filter.default({ groups: [] }),
  search: z.string().trim().max(200).optional(),
  sort: TicketSort.default({ property: 'created_at', direction: 'desc' }),
  after: z.string().min(1).max(4096).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export type ListTicketsRequest = z.input<typeof ListTicketsRequest>;

/** A row of the internal list: owners by full name, with the ids an agent's screen links to. */
export const TicketListItem = PortalTicketRow.extend({
  ownerId: Id.nullable(),
  requesterContactId: Id.nullable(),
});
export type TicketListItem = z.infer<typeof TicketListItem>;

/**
 * A CSV export of exactly what the portal's list shows (SPEC P4): the same view as
 * `tickets.portal.list` without paging (every matching ticket, in the list's order), written with the
 * portal's configured columns (S7) in the portal's language.
 */
export const StartTicketExportRequest = PortalListRequest.omit({ after: true, limit: true }).extend({
  /** The portal's configured columns, in order; each label becomes a header cell. */
  columns: z.array(PortalColumn).min(1, 'keep at least one column').max(10, 'at most 10 columns'),
  /** S7 "Ticket stages": the status column shows the stage's name instead of Open / Closed. */
  showStages: z.boolean(),
  /** The language of the domain the portal is served on: status and priority words, date format. */
  language: Language,
});
export type StartTicketExportRequest = z.input<typeof StartTicketExportRequest>;

export const TicketExportStatus = z.enum(['queued', 'running', 'done', 'failed']);
export type TicketExportStatus = z.infer<typeof TicketExportStatus>;

export const StartTicketExportResponse = z.object({ exportId: Id, status: TicketExportStatus });

/** An export is visible only to the contact who started it; anyone else gets EXPORT_NOT_FOUND. */
export const GetTicketExportRequest = AccountScoped.extend({ contactId: Id, exportId: Id });

export const TicketExportView = z.object({
  id: Id,
  status: TicketExportStatus,
  /** Rows written so far (updated every few thousand while running); the total once done. */
  rows: z.number().int(),
  /** What to call the file when downloading it (once done). */
  fileName: z.string().nullable(),
  /** Where the file is in the shared file storage; only once done. */
  storageKey: z.string().nullable(),
  createdAt: IsoDateTime,
  finishedAt: IsoDateTime.nullable(),
  /** The file (and the export) is removed after this. */
  expiresAt: IsoDateTime,
  /** Why it failed, once every attempt has. */
  error: z.string().nullable(),
});
export type TicketExportView = z.infer<typeof TicketExportView>;

export const TicketsRpc = {
  'tickets.ping': rpc(PingRequest, PingResponse),
  'tickets.update': rpc(UpdateTicketRequest, TicketView),
  'tickets.close': rpc(CloseTicketRequest, TicketView),
  'tickets.messages.record': rpc(RecordMessageRequest, RecordMessageResult),
  'tickets.create': rpc(CreateTicketRequest, TicketView),
  'tickets.list': rpc(ListTicketsRequest, PageOf(TicketListItem)),
  'tickets.portal.list': rpc(PortalListRequest, PageOf(PortalTicketRow)),
  'tickets.portal.get': rpc(PortalTicketRequest, PortalTicketDetail),
  'tickets.exports.start': rpc(StartTicketExportRequest, StartTicketExportResponse),
  'tickets.exports.get': rpc(GetTicketExportRequest, TicketExportView),
  'tickets.get': rpc(GetTicketRequest, TicketView),
  /** The account's tickets among `ids`, in the order asked; an id of no ticket of the account is left out. */
  'tickets.getMany': rpc(GetTicketsRequest, z.array(TicketView)),
};

export const TicketEvents = {
  'ticket.created': z.object({ accountId: Id, ticketId: Id, occurredAt: IsoDateTime }),
  'ticket.updated': z.object({
    accountId: Id,
    ticketId: Id,
    changed: z.array(z.string()),
    occurredAt: IsoDateTime,
  }),
  'ticket.closed': z.object({
    accountId: Id,
    ticketId: Id,
    byContactId: Id.nullable(),
    occurredAt: IsoDateTime,
  }),
};
