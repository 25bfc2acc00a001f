import type { AttachmentMeta, MessageView, PortalMessage, ThreadSummary } from '@helpdesk/contracts';
import type { Attachment } from './attachment.entity.js';
import type { Message } from './message.entity.js';
import type { Thread } from './thread.entity.js';

const iso = (value: Date | string) => (typeof value === 'string' ? value : value.toISOString());

/** A thread as the agents' list shows it (raw rows carry ISO strings already). */
export type ThreadRow = Omit<Thread, 'createdAt' | 'lastMessageAt'> & {
  createdAt: Date | string;
  lastMessageAt: Date | string;
};

export const toThreadSummary = (thread: ThreadRow): ThreadSummary => ({
  id: thread.id,
  accountId: thread.accountId,
  inboxId: thread.inboxId,
  ticketId: thread.ticketId,
  subject: thread.subject,
  requester: {
    contactId: thread.requesterContactId,
    name: thread.requesterName,
    email: thread.requesterEmail,
  },
  createdAt: iso(thread.createdAt),
  lastMessageAt: iso(thread.lastMessageAt),
  messageCount: thread.messageCount,
  lastMessagePreview: thread.lastMessagePreview,
});

export const toAttachmentMeta = (attachment: Attachment): AttachmentMeta => ({
  id: attachment.id,
  fileName: attachment.fileName,
  contentType: attachment.contentType,
  size: attachment.size,
});

export const authorOf = (message: Message) => ({
  kind: message.authorKind,
  id: message.authorKind === 'contact' ? message.authorContactId : message.authorUserId,
  name: message.authorName,
});

export const toMessageView = (message: Message, attachments: Attachment[]): MessageView => ({
  id: message.id,
  threadId: message.threadId,
  ticketId: message.ticketId,
  direction: message.direction,
  visibility: message.visibility,
  author: authorOf(message),
  bodyHtml: message.bodyHtml,
  bodyText: message.bodyText,
  createdAt: message.createdAt.toISOString(),
  attachments: attachments.map(toAttachmentMeta),
});

/** What a customer sees of a public message: no internal ids, no visibility (it is always public). */
export function toPortalMessage(
  message: Message,
  attachments: Attachment[],
  viewerContactId: string,
): PortalMessage {
  if (message.visibility !== 'public') throw new Error(`message ${message.id} is not public`);
  return {
    id: message.id,
    direction: message.direction,
    author: { kind: message.authorKind, name: message.authorName },
    mine: message.authorKind === 'contact' && message.authorContactId === viewerContactId,
    bodyHtml: message.bodyHtml,
    bodyText: message.bodyText,
    createdAt: message.createdAt.toISOString(),
    attachments: attachments.map(toAttachmentMeta),
  };
}

/** The start of a message's text for the agents' thread list. */
export const previewOf = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 200);
