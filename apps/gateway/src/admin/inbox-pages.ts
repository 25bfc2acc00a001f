import type {
  MessageView,
  PipelineView,
  ThreadSummary,
  TicketView,
  TimelineEntry,
} from '@helpdesk/contracts';
import { translatorFor } from '../portal/i18n.js';
import { initials } from '../portal/portal-page.js';

// What the agent inbox's pages show, as plain data for their templates (issue 8, SPEC S3, S8).

/** Admin pages are in English; the portal's English formatters write dates and sizes the same way. */
const en = translatorFor('en');

const at = (iso: string) => ({ text: en.formatDateTime(iso), datetime: iso });

/** A ticket's stage by name, and whether it is closed; "Unknown stage" if its pipeline lost it. */
export function stageOf(ticket: TicketView, pipelines: PipelineView[]) {
  const stage = pipelines
    .find((pipeline) => pipeline.id === ticket.pipelineId)
    ?.stages.find((candidate) => candidate.id === ticket.stageId);
  return { label: stage?.label ?? 'Unknown stage', closed: ticket.closed };
}

/** A row of an inbox's thread list (its ticket is missing only if tickets lost it: no status then). */
export const threadRow = (
  thread: ThreadSummary,
  ticket: TicketView | undefined,
  pipelines: PipelineView[],
) => ({
  id: thread.id,
  subject: thread.subject,
  contact: thread.requester.name || thread.requester.email,
  email: thread.requester.email,
  lastMessage: { ...at(thread.lastMessageAt), relative: en.formatRelative(thread.lastMessageAt) },
  status: ticket ? stageOf(ticket, pipelines) : null,
});

/** Who wrote a message, as the thread view labels it: internal notes stand out from public replies. */
function roleOf(message: MessageView): { kind: 'customer' | 'agent' | 'note'; text: string } {
  if (message.visibility === 'note') return { kind: 'note', text: 'Internal note' };
  if (message.visibility === 'comment') return { kind: 'note', text: 'Internal comment' };
  return message.direction === 'from_customer'
    ? { kind: 'customer', text: 'Customer' }
    : { kind: 'agent', text: 'Agent' };
}

/** A message of the thread view; attachments download through the agents' JSON API route. */
export const messageItem = (message: MessageView) => ({
  id: message.id,
  role: roleOf(message),
  author: message.author.name || (message.direction === 'from_customer' ? 'Customer' : 'Agent'),
  initials: initials(message.author.name || '?'),
  // Sanitised by inbox on write, and shown with `| raw` exactly as the portal shows it.
  bodyHtml: message.bodyHtml,
  at: at(message.createdAt),
  attachments: message.attachments.map((attachment) => ({
    href: `/api/v1/attachments/${attachment.id}`,
    name: attachment.fileName,
    size: en.formatBytes(attachment.size),
  })),
});

/** What a timeline entry was: public messages are the emails the customer got or sent (SPEC P8). */
function timelineKind(entry: TimelineEntry): string {
  if (entry.kind === 'note') return 'Internal note';
  if (entry.kind === 'comment') return 'Internal comment';
  return entry.direction === 'from_customer' ? 'Email from the customer' : 'Email to the customer';
}

/** An entry of the ticket's timeline (newest first): what happened, by whom, on which thread. */
export const timelineItem = (entry: TimelineEntry) => ({
  kind: timelineKind(entry),
  internal: entry.kind !== 'email',
  author: entry.author.name,
  text: entry.text,
  threadHref: `/admin/inbox/threads/${entry.threadId}#message-${entry.id}`,
  attachmentCount: entry.attachmentCount,
  at: at(entry.occurredAt),
});

/**
 * The conversations card: the ticket's threads, oldest first as inbox lists them. Only the oldest
 * shows in the customer portal (SPEC S8), so it is the one marked so.
 */
export const conversationItems = (threads: ThreadSummary[], currentId: string) =>
  threads.map((thread, index) => ({
    id: thread.id,
    subject: thread.subject,
    messageCount: thread.messageCount,
    lastMessage: at(thread.lastMessageAt),
    current: thread.id === currentId,
    inPortal: index === 0,
  }));

export const PRIORITIES = [
  { value: '', text: 'None' },
  { value: 'low', text: 'Low' },
  { value: 'medium', text: 'Medium' },
  { value: 'high', text: 'High' },
  { value: 'urgent', text: 'Urgent' },
] as const;
