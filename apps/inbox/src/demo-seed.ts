import type { MikroORM } from '@mikro-orm/postgresql';
import { Message } from './conversations/message.entity.js';
import { Thread } from './conversations/thread.entity.js';
import { previewOf } from './conversations/conversation-views.js';
import { Inbox } from './inboxes/inbox.entity.js';
import { htmlFromText } from '@helpdesk/kit';
import { richText } from './rich-text/rich-text.js';

/** A demo ticket as the tickets seed reports it. */
export interface DemoTicket {
  id: string;
  subject: string;
  content: string;
  requesterContactId: string | null;
  requesterName: string;
  requesterEmail: string;
  createdAt: string;
  closed?: boolean;
}

export interface InboxDemoInput {
  accountId: string;
  /** The demo agent (identity's seed), who answers some tickets. */
  agent?: { id: string; firstName: string; lastName: string };
  /** The demo tickets (tickets' seed). */
  tickets: DemoTicket[];
}

export interface InboxDemoResult {
  inboxes: number;
  threads: number;
  replies: number;
  /** The demo inboxes' ids by name, created now or before (the forms seed sends to "Support inbox"). */
  inboxIds: Record<string, string>;
}

const DEMO_INBOXES: [name: string, kind: Inbox['kind']][] = [
  ['Support inbox', 'inbox'],
  ['Help desk', 'help_desk'],
];

const HOUR = 3_600_000;

/**
 * The demo's two inboxes and a thread per demo ticket (its description as the first customer
 * message), with an agent's reply on every other one. Creates only what is missing: a second run
 * creates nothing.
 */
export async function seedInboxDemo(
  orm: MikroORM,
  { accountId, agent, tickets }: InboxDemoInput,
): Promise<InboxDemoResult> {
  const em = orm.em.fork();
  const result: InboxDemoResult = { inboxes: 0, threads: 0, replies: 0, inboxIds: {} };
  const inboxes = new Map<string, Inbox>();
  for (const [name, kind] of DEMO_INBOXES) {
    let inbox = await em.findOne(Inbox, { accountId, name });
    if (!inbox) {
      inbox = em.create(Inbox, { accountId, name, kind });
      result.inboxes++;
    }
    inboxes.set(name, inbox);
    result.inboxIds[name] = inbox.id;
  }
  const agentName = agent ? `${agent.firstName} ${agent.lastName}`.trim() : 'Support';
  for (const [index, ticket] of tickets.entries()) {
    const idempotencyKey = `demo:${ticket.id}`;
    if (await em.findOne(Thread, { accountId, $or: [{ idempotencyKey }, { ticketId: ticket.id }] })) continue;
    const inbox = inboxes.get(index % 3 === 2 ? 'Help desk' : 'Support inbox')!;
    const createdAt = new Date(ticket.createdAt);
    const description = richText(htmlFromText(ticket.content || ticket.subject))!;
    const thread = em.create(Thread, {
      accountId,
      inboxId: inbox.id,
      ticketId: ticket.id,
      subject: ticket.subject,
      requesterContactId: ticket.requesterContactId,
      requesterName: ticket.requesterName,
      requesterEmail: ticket.requesterEmail,
      idempotencyKey,
      createdAt,
      lastMessageAt: createdAt,
      messageCount: 1,
      lastMessagePreview: previewOf(description.text),
    });
    em.create(Message, {
      accountId,
      threadId: thread.id,
      ticketId: ticket.id,
      direction: 'from_customer',
      visibility: 'public',
      authorKind: 'contact',
      authorContactId: ticket.requesterContactId,
      authorName: ticket.requesterName || ticket.requesterEmail || 'Customer',
      bodyHtml: description.html,
      bodyText: description.text,
      createdAt,
    });
    result.threads++;
    if (index % 2 === 0) {
      const reply = richText(
        ticket.closed
          ? '<p>This should be <strong>fixed</strong> now. Reply here if it comes back.</p>'
          : '<p>Thanks, we are looking into it.</p><ul><li>We will update this ticket</li><li>No need to call us</li></ul>',
      )!;
      const repliedAt = new Date(createdAt.getTime() + 2 * HOUR);
      em.create(Message, {
        accountId,
        threadId: thread.id,
        ticketId: ticket.id,
        direction: 'from_agent',
        visibility: 'public',
        authorKind: 'user',
        authorUserId: agent?.id ?? null,
        authorName: agentName,
        bodyHtml: reply.html,
        bodyText: reply.text,
        createdAt: repliedAt,
      });
      Object.assign(thread, {
        lastMessageAt: repliedAt,
        messageCount: 2,
        lastMessagePreview: previewOf(reply.text),
      });
      result.replies++;
    }
  }
  await em.flush();
  return result;
}
