import { z } from 'zod';
import { AccountScoped, Id, IsoDateTime, PageOf, PageRequest, PingRequest, PingResponse } from './common.js';
import { Filter } from './filters.js';
import { Email } from './identity.js';
import { rpc } from './rpc.js';
import { PortalViewer } from './tickets.js';

// ---------------------------------------------------------------------------------------------
// Inboxes and help desks (SPEC S3: where tickets from the portal and from forms go)

export const InboxKind = z.enum(['inbox', 'help_desk']);
export type InboxKind = z.infer<typeof InboxKind>;

export const InboxView = z.object({
  id: Id,
  accountId: Id,
  kind: InboxKind,
  name: z.string(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});
export type InboxView = z.infer<typeof InboxView>;

const InboxName = z.string().trim().min(1, 'is required').max(100);

export const CreateInboxRequest = AccountScoped.extend({ kind: InboxKind, name: InboxName });
export const UpdateInboxRequest = AccountScoped.extend({
  id: Id,
  kind: InboxKind.optional(),
  name: InboxName.optional(),
});
/** Refused with INBOX_NOT_EMPTY while the inbox has threads. */
export const DeleteInboxRequest = AccountScoped.extend({ id: Id });

// ---------------------------------------------------------------------------------------------
// Messages and attachments

export const MessageDirection = z.enum(['from_customer', 'from_agent']);
export type MessageDirection = z.infer<typeof MessageDirection>;
/** `note` and `comment` are internal: they never leave the service through a customer-facing subject. */
export const MessageVisibility = z.enum(['public', 'note', 'comment']);
export type MessageVisibility = z.infer<typeof MessageVisibility>;

/**
 * The content types a message may carry as attachments, in one place for the gateway (which sniffs
 * each upload) and inbox (which refuses anything else with ATTACHMENT_TYPE_NOT_ALLOWED).
 */
export const ALLOWED_ATTACHMENT_TYPES = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'text/plain',
  'text/csv',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/zip',
  'message/rfc822',
] as const;
export type AttachmentContentType = (typeof ALLOWED_ATTACHMENT_TYPES)[number];

/**
 * Defaults of MAX_ATTACHMENT_BYTES and MAX_ATTACHMENTS_PER_MESSAGE, in one place for the gateway
 * (which refuses an upload while it streams) and inbox (which checks every reply again).
 */
export const DEFAULT_MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;
export const DEFAULT_MAX_ATTACHMENTS_PER_MESSAGE = 5;

/** Where the gateway stores an upload: `attachments/<accountId>/<uuid>` in the shared file storage. */
export const attachmentStorageKey = (accountId: string, fileId: string) =>
  `attachments/${accountId}/${fileId}`;

/**
 * A file the gateway has stored and passes along with a reply. Deliberately loose here: inbox checks
 * every rule itself (count, size, type, key, existence, not attached elsewhere) so that it can
 * refuse with a precise code AND remove the refused files, which a contract failure could not do.
 */
export const AttachmentInput = z.object({
  storageKey: z.string().max(300),
  fileName: z.string().trim().max(255),
  contentType: z.string().trim().toLowerCase().max(255),
  size: z.number().int().min(0),
});
export type AttachmentInput = z.input<typeof AttachmentInput>;

/** A hard bound on the payload; the configured limit (MAX_ATTACHMENTS_PER_MESSAGE) is checked by inbox. */
const Attachments = z.array(AttachmentInput).max(100).default([]);
/** Checked by inbox (empty after sanitising is "is required"; over 100 000 characters is too long). */
const BodyHtml = z.string().max(1_000_000);

export const AttachmentMeta = z.object({
  id: Id,
  fileName: z.string(),
  contentType: z.string(),
  size: z.number().int(),
});
export type AttachmentMeta = z.infer<typeof AttachmentMeta>;

export const MessageAuthor = z.object({
  kind: z.enum(['contact', 'user']),
  /** The contact's or internal user's id; null for a requester without a contact record. */
  id: Id.nullable(),
  name: z.string(),
});

export const MessageView = z.object({
  id: Id,
  threadId: Id,
  ticketId: Id,
  direction: MessageDirection,
  visibility: MessageVisibility,
  author: MessageAuthor,
  /** Sanitised on write (allow-listed tags only). */
  bodyHtml: z.string(),
  /** Derived from the HTML: for search and emails. */
  bodyText: z.string(),
  createdAt: IsoDateTime,
  attachments: z.array(AttachmentMeta),
});
export type MessageView = z.infer<typeof MessageView>;

/** A message as a customer sees it: public messages only, no internal ids. */
export const PortalMessage = z.object({
  id: Id,
  direction: MessageDirection,
  author: z.object({ kind: z.enum(['contact', 'user']), name: z.string() }),
  /** Written by the viewer. */
  mine: z.boolean(),
  bodyHtml: z.string(),
  bodyText: z.string(),
  createdAt: IsoDateTime,
  attachments: z.array(AttachmentMeta),
});
export type PortalMessage = z.infer<typeof PortalMessage>;

// ---------------------------------------------------------------------------------------------
// Threads

export const ThreadRequester = z.object({
  contactId: Id.nullable(),
  name: z.string().trim().max(200),
  email: Email,
});

export const ThreadSummary = z.object({
  id: Id,
  accountId: Id,
  inboxId: Id,
  ticketId: Id,
  subject: z.string(),
  requester: ThreadRequester,
  createdAt: IsoDateTime,
  lastMessageAt: IsoDateTime,
  messageCount: z.number().int(),
  /** The start of the newest message's text (notes included: this is the agents' list). */
  lastMessagePreview: z.string(),
});
export type ThreadSummary = z.infer<typeof ThreadSummary>;

export const ThreadDetail = ThreadSummary.extend({ messages: z.array(MessageView) });
export type ThreadDetail = z.infer<typeof ThreadDetail>;

/**
 * A ticket's first thread, with its description as the first customer message (a ticket created
 * from the portal or a form). Idempotent: a repeat with the same key, or for a ticket that has a
 * thread already, returns the existing thread.
 */
export const OpenThreadRequest = AccountScoped.extend({
  ticketId: Id,
  inboxId: Id,
  requester: ThreadRequester,
  subject: z.string().trim().min(1, 'is required').max(255),
  /** The description as HTML (sanitised like any body) … */
  bodyHtml: BodyHtml.optional(),
  /** … or as plain text (paragraphs and line breaks kept). Exactly one of the two. */
  bodyText: z.string().max(100_000).optional(),
  idempotencyKey: z.string().trim().min(1, 'is required').max(200),
}).superRefine((value, ctx) => {
  if ((value.bodyHtml === undefined) === (value.bodyText === undefined))
    ctx.addIssue({ code: 'custom', path: ['bodyHtml'], message: 'give either bodyHtml or bodyText' });
});
export type OpenThreadRequest = z.input<typeof OpenThreadRequest>;

/** An inbox's threads, most recent activity first (keyset cursor). */
export const ListThreadsRequest = AccountScoped.extend({ inboxId: Id, ...PageRequest.shape });
export const GetThreadRequest = AccountScoped.extend({ threadId: Id });
/** A ticket's threads, oldest (the one the portal shows) first. */
export const ThreadsOfTicketRequest = AccountScoped.extend({ ticketId: Id });

export const AgentAuthor = z.object({ userId: Id, name: z.string().trim().min(1, 'is required').max(200) });

/** An agent's public reply: stored, recorded on the ticket, and emailed to the requester. */
export const AgentReplyRequest = AccountScoped.extend({
  threadId: Id,
  author: AgentAuthor,
  bodyHtml: BodyHtml,
  attachments: Attachments,
});

/** An internal note or comment: never shown to customers, never emailed. */
export const NoteRequest = AccountScoped.extend({
  threadId: Id,
  author: AgentAuthor,
  bodyHtml: BodyHtml,
  kind: z.enum(['note', 'comment']).default('note'),
});

// ---------------------------------------------------------------------------------------------
// The customer portal (SPEC P2, P3, S8, S9). The gateway passes the viewer it computed; inbox asks
// tickets (`tickets.portal.get`) whether that viewer may see the ticket before anything else, and a
// ticket they may not see is TICKET_NOT_FOUND, exactly like one that does not exist.

export const PortalConversationRequest = AccountScoped.extend({
  ticketId: Id,
  viewer: PortalViewer,
  /** The portal's ticket visibility filter (S7). */
  visibility: Filter,
});

/** The ticket's oldest thread, public messages only, oldest first (S8). */
export const PortalConversation = z.object({
  ticketId: Id,
  /** Null while the ticket has no conversation yet. */
  threadId: Id.nullable(),
  messages: z.array(PortalMessage),
});
export type PortalConversation = z.infer<typeof PortalConversation>;

export const PortalReplyRequest = AccountScoped.extend({
  ticketId: Id,
  viewer: PortalViewer,
  visibility: Filter,
  /** The portal's "Allow customers to reply to closed tickets" (S9): the reply reopens the ticket. */
  replyToClosed: z.boolean(),
  bodyHtml: BodyHtml,
  attachments: Attachments,
  /** The portal's destination (S3), where a ticket without a conversation yet starts one. */
  inboxId: Id.optional(),
});

export const PortalReplyResult = z.object({
  message: PortalMessage,
  /** The ticket was closed and this reply reopens it (tickets applies it once the outbox has delivered). */
  reopening: z.boolean(),
});

// ---------------------------------------------------------------------------------------------
// Attachments and the timeline

/**
 * One attachment's metadata and storage key, for the gateway's download route. With a viewer (and
 * the portal's visibility filter) only an attachment of a public message on a ticket the viewer may
 * see; anything else is ATTACHMENT_NOT_FOUND. Without a viewer (internal callers) any of the account.
 */
export const GetAttachmentRequest = AccountScoped.extend({
  attachmentId: Id,
  viewer: PortalViewer.optional(),
  visibility: Filter.optional(),
}).superRefine((value, ctx) => {
  if ((value.viewer === undefined) !== (value.visibility === undefined))
    ctx.addIssue({ code: 'custom', path: ['visibility'], message: 'give viewer and visibility together' });
});

export const AttachmentView = AttachmentMeta.extend({
  accountId: Id,
  messageId: Id,
  threadId: Id,
  ticketId: Id,
  storageKey: z.string(),
  createdAt: IsoDateTime,
});
export type AttachmentView = z.infer<typeof AttachmentView>;

/**
 * A ticket's or a contact's timeline, newest first (P8: messages sent from the portal show as
 * emails). Internal callers also get notes and comments; with a viewer (a customer, who may only ask
 * for a ticket they can see) public messages only.
 */
export const TimelineRequest = AccountScoped.extend({
  ticketId: Id.optional(),
  contactId: Id.optional(),
  viewer: PortalViewer.optional(),
  visibility: Filter.optional(),
  ...PageRequest.shape,
}).superRefine((value, ctx) => {
  if ((value.ticketId === undefined) === (value.contactId === undefined))
    ctx.addIssue({ code: 'custom', path: ['ticketId'], message: 'give either ticketId or contactId' });
  if ((value.viewer === undefined) !== (value.visibility === undefined))
    ctx.addIssue({ code: 'custom', path: ['visibility'], message: 'give viewer and visibility together' });
  if (value.viewer && value.ticketId === undefined)
    ctx.addIssue({ code: 'custom', path: ['ticketId'], message: 'a customer’s timeline is a ticket’s' });
});

export const TimelineEntry = z.object({
  /** The message's id. */
  id: Id,
  kind: z.enum(['email', 'note', 'comment']),
  direction: MessageDirection,
  ticketId: Id,
  threadId: Id,
  subject: z.string(),
  author: z.object({ kind: z.enum(['contact', 'user']), name: z.string() }),
  /** Plain text of the message. */
  text: z.string(),
  attachmentCount: z.number().int(),
  occurredAt: IsoDateTime,
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const InboxRpc = {
  'inbox.ping': rpc(PingRequest, PingResponse),
  'inbox.inboxes.list': rpc(AccountScoped, z.array(InboxView)),
  'inbox.inboxes.create': rpc(CreateInboxRequest, InboxView),
  'inbox.inboxes.update': rpc(UpdateInboxRequest, InboxView),
  'inbox.inboxes.delete': rpc(DeleteInboxRequest, z.object({ deleted: z.literal(true) })),
  'inbox.threads.open': rpc(OpenThreadRequest, ThreadSummary),
  'inbox.threads.list': rpc(ListThreadsRequest, PageOf(ThreadSummary)),
  'inbox.threads.get': rpc(GetThreadRequest, ThreadDetail),
  'inbox.threads.ofTicket': rpc(ThreadsOfTicketRequest, z.array(ThreadSummary)),
  'inbox.messages.agentReply': rpc(AgentReplyRequest, MessageView),
  'inbox.messages.note': rpc(NoteRequest, MessageView),
  'inbox.messages.reply': rpc(PortalReplyRequest, PortalReplyResult),
  'inbox.portal.conversation': rpc(PortalConversationRequest, PortalConversation),
  'inbox.attachments.get': rpc(GetAttachmentRequest, AttachmentView),
  'inbox.timeline.get': rpc(TimelineRequest, PageOf(TimelineEntry)),
};

export const InboxEvents = {
  /** A message was stored (fire-and-forget: notifications only; tickets learns through the outbox). */
  'message.added': z.object({
    accountId: Id,
    ticketId: Id,
    threadId: Id,
    messageId: Id,
    direction: MessageDirection,
    visibility: MessageVisibility,
    occurredAt: IsoDateTime,
  }),
};
