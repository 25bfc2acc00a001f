import type { MessageDirection, MessageVisibility } from '@helpdesk/contracts';
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export type AuthorKind = 'contact' | 'user';

/** One message of a thread: a customer's or an agent's public message, or an internal note or comment. */
@Entity({ tableName: 'message' })
// A thread's messages in order.
@Index({ properties: ['accountId', 'threadId', 'createdAt', 'id'] })
// A ticket's timeline, newest first.
@Index({ properties: ['accountId', 'ticketId', 'createdAt', 'id'] })
// A contact's timeline: what they wrote.
@Index({ properties: ['accountId', 'authorContactId', 'createdAt', 'id'] })
export class Message {
  [OptionalProps]?: 'authorContactId' | 'authorUserId' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  accountId: string;

  @Property({ type: 'uuid' })
  threadId: string;

  /** Copied from the thread, so a ticket's timeline needs no join. */
  @Property({ type: 'uuid' })
  ticketId: string;

  @Enum({ items: ['from_customer', 'from_agent'], type: 'string' })
  direction: MessageDirection;

  @Enum({ items: ['public', 'note', 'comment'], type: 'string' })
  visibility: MessageVisibility;

  @Enum({ items: ['contact', 'user'], type: 'string' })
  authorKind: AuthorKind;

  @Property({ type: 'uuid', nullable: true })
  authorContactId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  authorUserId: string | null = null;

  @Property({ type: 'text' })
  authorName: string;

  /** Sanitised on write. */
  @Property({ type: 'text' })
  bodyHtml: string;

  /** Derived from bodyHtml. */
  @Property({ type: 'text' })
  bodyText: string;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();
}
