import type {
  MessageDirection,
  MessageView,
  MessageVisibility,
  Page,
  PortalConversation,
  PortalMessage,
  PortalTicketDetail,
  RpcPayload,
  ThreadDetail,
  ThreadSummary,
} from '@helpdesk/contracts';
import {
  AppError,
  decodeCursor,
  encodeCursor,
  htmlFromText,
  isIsoInstant,
  isUuid,
  LOGGER,
  outboxRow,
  RpcClient,
  type Logger,
} from '@helpdesk/kit';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { Inbox } from '../inboxes/inbox.entity.js';
import { InboxesService } from '../inboxes/inboxes.service.js';
import { InboxOutbox } from '../outbox/inbox-outbox.entity.js';
import { InboxRelay, type InboxOutboxPayloads } from '../outbox/inbox-relay.js';
import { richText, type RichText } from '../rich-text/rich-text.js';
import { Attachment } from './attachment.entity.js';
import { AttachmentsService, type AcceptedAttachment } from './attachments.service.js';
import {
  previewOf,
  toMessageView,
  toPortalMessage,
  toThreadSummary,
  type ThreadRow,
} from './conversation-views.js';
import { Message } from './message.entity.js';
import { isoUtc } from './sql.js';
import { TicketAccess } from './ticket-access.js';
import { Thread } from './thread.entity.js';

/** The longest body accepted, in characters of HTML as sent. */
export const MAX_BODY_CHARS = 100_000;

type Author =
  | { kind: 'contact'; contactId: string | null; name: string }
  | { kind: 'user'; userId: string; name: string };

interface Draft {
  direction: MessageDirection;
  visibility: MessageVisibility;
  author: Author;
  body: RichText;
  attachments?: AcceptedAttachment[];
  /** A customer reply that reopens the closed ticket (S9). */
  reopen?: boolean;
  /** Email the requester (an agent's public reply). */
  notify?: boolean;
  createdAt?: Date;
}

const threadColumns = `id, account_id as "accountId", inbox_id as "inboxId", ticket_id as "ticketId", subject,
  requester_contact_id as "requesterContactId", requester_name as "requesterName",
  requester_email as "requesterEmail", ${isoUtc('created_at')} as "createdAt",
  ${isoUtc('last_message_at')} as "lastMessageAt", message_count as "messageCount",
  last_message_preview as "lastMessagePreview"`;

/** A body as stored, or VALIDATION_FAILED naming the field. */
export function bodyOf(html: string, field = 'bodyHtml'): RichText {
  if (html.length > MAX_BODY_CHARS)
    throw new AppError('VALIDATION_FAILED', `The message is longer than ${MAX_BODY_CHARS} characters`, {
      [field]: [`must be at most ${MAX_BODY_CHARS} characters`],
    });
  const body = richText(html);
  if (!body) throw new AppError('VALIDATION_FAILED', 'The message is empty', { [field]: ['is required'] });
  return body;
}

/**
 * Threads and messages. Every write stores the message, its attachments, the thread's new state and
 * the outbox rows for what must follow (tickets' record, the requester's email) in one transaction,
 * and answers only after it committed (docs/adr/0002).
 */
@Injectable()
export class ConversationsService {
  constructor(
    private readonly em: EntityManager,
    private readonly rpc: RpcClient,
    private readonly relay: InboxRelay,
    private readonly attachments: AttachmentsService,
    private readonly access: TicketAccess,
    private readonly inboxes: InboxesService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * A ticket's first thread with its description as the first customer message. Idempotent: the
   * same key, or a ticket that has a thread already, answers with the existing thread.
   */
  async open(request: RpcPayload<'inbox.threads.open'>): Promise<ThreadSummary> {
    const { accountId, ticketId, inboxId, requester, subject, idempotencyKey } = request;
    const existing =
      (await this.em.findOne(Thread, { accountId, idempotencyKey })) ??
      (await this.access.portalThread(accountId, ticketId));
    if (existing) return toThreadSummary(existing);
    await this.inboxes.find(accountId, inboxId);
    const body =
      request.bodyHtml !== undefined
        ? bodyOf(request.bodyHtml)
        : bodyOf(htmlFromText(request.bodyText ?? ''), 'bodyText');
    const thread = this.em.create(Thread, {
      accountId,
      inboxId,
      ticketId,
      subject,
      requesterContactId: requester.contactId,
      requesterName: requester.name,
      requesterEmail: requester.email,
      idempotencyKey,
    });
    const { message } = this.record(thread, {
      direction: 'from_customer',
      visibility: 'public',
      author: { kind: 'contact', contactId: requester.contactId, name: requester.name || requester.email },
      body,
      createdAt: thread.createdAt,
    });
    try {
      await this.em.flush();
    } catch (error) {
      // The same key opened concurrently: the first one wins, this one answers with it.
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      this.em.clear();
      return toThreadSummary(await this.em.findOneOrFail(Thread, { accountId, idempotencyKey }));
    }
    await this.afterCommit(message);
    return toThreadSummary(thread);
  }

  /** An inbox's threads, most recent activity first. */
  async listThreads({
    accountId,
    inboxId,
    after,
    limit,
  }: RpcPayload<'inbox.threads.list'>): Promise<Page<ThreadSummary>> {
    await this.inboxes.find(accountId, inboxId);
    const cursor =
      after === undefined ? null : decodeCursor(after, 2, ([at, id]) => isIsoInstant(at) && isUuid(id));
    const rows = await this.em.getConnection().execute<ThreadRow[]>(
      `select ${threadColumns} from inbox.thread
        where account_id = ? and inbox_id = ? ${cursor ? 'and (last_message_at, id) < (?, ?)' : ''}
        order by last_message_at desc, id desc
        limit ?`,
      cursor ? [accountId, inboxId, cursor[0], cursor[1], limit + 1] : [accountId, inboxId, limit + 1],
    );
    const items = rows.slice(0, limit).map(toThreadSummary);
    const last = items.at(-1);
    return {
      items,
      nextCursor: rows.length > limit && last ? encodeCursor([last.lastMessageAt, last.id]) : null,
    };
  }

  /** A thread with every message, notes and comments included (agents only). */
  async getThread({ accountId, threadId }: RpcPayload<'inbox.threads.get'>): Promise<ThreadDetail> {
    const thread = await this.findThread(accountId, threadId);
    const messages = await this.em.find(
      Message,
      { accountId, threadId },
      { orderBy: { createdAt: 'asc', id: 'asc' } },
    );
    const attachments = await this.attachmentsOf(accountId, messages);
    return {
      ...toThreadSummary(thread),
      messages: messages.map((m) => toMessageView(m, attachments.get(m.id) ?? [])),
    };
  }

  /** A ticket's threads, oldest (the one the portal shows) first. */
  async threadsOfTicket({
    accountId,
    ticketId,
  }: RpcPayload<'inbox.threads.ofTicket'>): Promise<ThreadSummary[]> {
    const threads = await this.em.find(
      Thread,
      { accountId, ticketId },
      { orderBy: { createdAt: 'asc', id: 'asc' } },
    );
    return threads.map(toThreadSummary);
  }

  /** An agent's public reply: stored, recorded on the ticket and emailed to the requester. */
  agentReply(request: RpcPayload<'inbox.messages.agentReply'>): Promise<MessageView> {
    const { accountId, threadId, author, bodyHtml } = request;
    return this.attachments.orDiscard(accountId, request.attachments, async () => {
      const thread = await this.findThread(accountId, threadId);
      const body = bodyOf(bodyHtml);
      const accepted = await this.attachments.accept(accountId, request.attachments);
      const stored = this.record(thread, {
        direction: 'from_agent',
        visibility: 'public',
        author: { kind: 'user', userId: author.userId, name: author.name },
        body,
        attachments: accepted,
        notify: true,
      });
      await this.commit(accountId, stored.message);
      return toMessageView(stored.message, stored.attachments);
    });
  }

  /** An internal note or comment: agents only, never emailed, never shown on a customer-facing subject. */
  async note({
    accountId,
    threadId,
    author,
    bodyHtml,
    kind,
  }: RpcPayload<'inbox.messages.note'>): Promise<MessageView> {
    const thread = await this.findThread(accountId, threadId);
    const stored = this.record(thread, {
      direction: 'from_agent',
      visibility: kind,
      author: { kind: 'user', userId: author.userId, name: author.name },
      body: bodyOf(bodyHtml),
    });
    await this.commit(accountId, stored.message);
    return toMessageView(stored.message, []);
  }

  /** The conversation a customer sees (S8): the ticket's oldest thread, public messages only. */
  async portalConversation(request: RpcPayload<'inbox.portal.conversation'>): Promise<PortalConversation> {
    const { accountId, ticketId, viewer, visibility } = request;
    await this.access.visibleTicket({ accountId, ticketId, viewer, visibility });
    const thread = await this.access.portalThread(accountId, ticketId);
    if (!thread) return { ticketId, threadId: null, messages: [] };
    const messages = await this.em.find(
      Message,
      { accountId, threadId: thread.id, visibility: 'public' },
      { orderBy: { createdAt: 'asc', id: 'asc' } },
    );
    const attachments = await this.attachmentsOf(accountId, messages);
    return {
      ticketId,
      threadId: thread.id,
      messages: messages.map((m) => toPortalMessage(m, attachments.get(m.id) ?? [], viewer.contactId)),
    };
  }

  /**
   * A customer's reply from the portal (P3): only to a ticket they may see, only to a closed one when
   * the portal allows it (and then it reopens the ticket). Stored before the answer; on any refusal
   * nothing is stored and the uploaded files are removed.
   */
  portalReply(
    request: RpcPayload<'inbox.messages.reply'>,
  ): Promise<{ message: PortalMessage; reopening: boolean }> {
    const { accountId, ticketId, viewer, visibility, replyToClosed } = request;
    return this.attachments.orDiscard(accountId, request.attachments, async () => {
      const ticket = await this.access.visibleTicket({ accountId, ticketId, viewer, visibility });
      if (ticket.closed && !replyToClosed)
        throw new AppError(
          'TICKET_CLOSED',
          'This ticket is closed; replies to closed tickets are not allowed',
        );
      const body = bodyOf(request.bodyHtml);
      const accepted = await this.attachments.accept(accountId, request.attachments);
      const name = await this.contactName(accountId, viewer.contactId, ticket);
      const thread =
        (await this.access.portalThread(accountId, ticketId)) ??
        (await this.startThread(accountId, ticket, request.inboxId));
      const reopening = ticket.closed;
      const stored = this.record(thread, {
        direction: 'from_customer',
        visibility: 'public',
        author: { kind: 'contact', contactId: viewer.contactId, name },
        body,
        attachments: accepted,
        reopen: reopening,
      });
      await this.commit(accountId, stored.message);
      // The customer's next page must show the ticket open again, so the reopening is told to tickets
      // now rather than whenever the relay gets to it; the outbox row stays as the retry (idempotent).
      if (reopening)
        await this.rpc
          .send('tickets.messages.record', stored.ticketRecord)
          .catch((error: unknown) =>
            this.logger.warn({ err: error, messageId: stored.message.id }, 'reopening left to the outbox'),
          );
      return { message: toPortalMessage(stored.message, stored.attachments, viewer.contactId), reopening };
    });
  }

  async findThread(accountId: string, threadId: string): Promise<Thread> {
    const thread = await this.em.findOne(Thread, { accountId, id: threadId });
    if (!thread) throw new AppError('THREAD_NOT_FOUND', `Thread ${threadId} not found`);
    return thread;
  }

  /**
   * Adds a message to the unit of work with everything that must commit with it: attachments, the
   * thread's activity, and the outbox rows for tickets (and the requester's email).
   */
  private record(
    thread: Thread,
    draft: Draft,
  ): { message: Message; attachments: Attachment[]; ticketRecord: InboxOutboxPayloads['tickets.record'] } {
    const { accountId } = thread;
    const message = this.em.create(Message, {
      accountId,
      threadId: thread.id,
      ticketId: thread.ticketId,
      direction: draft.direction,
      visibility: draft.visibility,
      authorKind: draft.author.kind,
      authorContactId: draft.author.kind === 'contact' ? draft.author.contactId : null,
      authorUserId: draft.author.kind === 'user' ? draft.author.userId : null,
      authorName: draft.author.name,
      bodyHtml: draft.body.html,
      bodyText: draft.body.text,
      createdAt: draft.createdAt ?? new Date(),
    });
    const attachments = (draft.attachments ?? []).map((a, position) =>
      this.em.create(Attachment, {
        ...a,
        accountId,
        messageId: message.id,
        position,
        createdAt: message.createdAt,
      }),
    );
    if (message.createdAt > thread.lastMessageAt || thread.messageCount === 0)
      thread.lastMessageAt = message.createdAt;
    thread.messageCount += 1;
    thread.lastMessagePreview = previewOf(draft.body.text);
    const ticketRecord: InboxOutboxPayloads['tickets.record'] = {
      accountId,
      ticketId: thread.ticketId,
      messageId: message.id,
      direction: message.direction,
      visibility: message.visibility,
      text: message.visibility === 'public' ? message.bodyText.slice(0, 200_000) : '',
      occurredAt: message.createdAt.toISOString(),
      reopen: draft.reopen ?? false,
    };
    this.em.create(InboxOutbox, outboxRow(accountId, 'tickets.record', ticketRecord));
    if (draft.notify) {
      const notify: InboxOutboxPayloads['notify'] = { messageId: message.id };
      this.em.create(InboxOutbox, outboxRow(accountId, 'notify', notify));
    }
    return { message, attachments, ticketRecord };
  }

  /** Commits the unit of work, then wakes the relay and announces the message. */
  private async commit(accountId: string, message: Message): Promise<void> {
    try {
      await this.em.flush();
    } catch (error) {
      // Another reply took one of these files between the check and the commit.
      if (error instanceof UniqueConstraintViolationException)
        throw new AppError('ATTACHMENT_INVALID', 'An attachment is already on another message', {
          attachments: ['a file is already on another message'],
        });
      throw error;
    }
    this.logger.debug({ accountId, messageId: message.id }, 'message stored');
    await this.afterCommit(message);
  }

  private async afterCommit(message: Message): Promise<void> {
    this.relay.wake();
    await this.rpc.emit('message.added', {
      accountId: message.accountId,
      ticketId: message.ticketId,
      threadId: message.threadId,
      messageId: message.id,
      direction: message.direction,
      visibility: message.visibility,
      occurredAt: message.createdAt.toISOString(),
    });
  }

  /** A customer's name as shown on their message: the ticket's requester name, or identity's record. */
  private async contactName(
    accountId: string,
    contactId: string,
    ticket: PortalTicketDetail,
  ): Promise<string> {
    if (ticket.requesterContactId === contactId && (ticket.requesterName || ticket.requesterEmail))
      return ticket.requesterName || ticket.requesterEmail;
    const contact = await this.rpc.send('identity.contacts.get', { accountId, id: contactId });
    return `${contact.firstName} ${contact.lastName}`.trim() || contact.email;
  }

  /** The first thread of a ticket that has none yet (created elsewhere): in the portal's destination. */
  private async startThread(
    accountId: string,
    ticket: PortalTicketDetail,
    inboxId?: string,
  ): Promise<Thread> {
    const inbox = inboxId
      ? await this.inboxes.find(accountId, inboxId)
      : await this.em.findOne(Inbox, { accountId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    if (!inbox) throw new AppError('INBOX_NOT_FOUND', 'There is no inbox to start this conversation in');
    return this.em.create(Thread, {
      accountId,
      inboxId: inbox.id,
      ticketId: ticket.id,
      subject: ticket.subject,
      requesterContactId: ticket.requesterContactId,
      requesterName: ticket.requesterName,
      requesterEmail: ticket.requesterEmail,
    });
  }

  private async attachmentsOf(accountId: string, messages: Message[]): Promise<Map<string, Attachment[]>> {
    const byMessage = new Map<string, Attachment[]>();
    if (messages.length === 0) return byMessage;
    const attachments = await this.em.find(
      Attachment,
      { accountId, messageId: { $in: messages.map((m) => m.id) } },
      { orderBy: { position: 'asc' } },
    );
    for (const attachment of attachments)
      byMessage.set(attachment.messageId, [...(byMessage.get(attachment.messageId) ?? []), attachment]);
    return byMessage;
  }
}
