import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/**
 * A conversation about a ticket, in one inbox. A ticket may have several; the oldest is the one the
 * portal shows (SPEC S8). The requester is copied here: their email is where agent replies are sent.
 */
@Entity({ tableName: 'thread' })
// An inbox's list, most recent activity first (a keyset walk).
@Index({ properties: ['accountId', 'inboxId', 'lastMessageAt', 'id'] })
// A ticket's threads, oldest first.
@Index({ properties: ['accountId', 'ticketId', 'createdAt', 'id'] })
// A contact's timeline.
@Index({ properties: ['accountId', 'requesterContactId'] })
// Idempotent opening: one thread per key.
@Index({
  name: 'thread_account_id_idempotency_key_unique',
  expression:
    'create unique index "thread_account_id_idempotency_key_unique" on "inbox"."thread" ("account_id", "idempotency_key") where "idempotency_key" is not null',
})
export class Thread {
  [OptionalProps]?:
    | 'requesterContactId'
    | 'idempotencyKey'
    | 'createdAt'
    | 'lastMessageAt'
    | 'messageCount'
    | 'lastMessagePreview';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  accountId: string;

  @Property({ type: 'uuid' })
  inboxId: string;

  /** The ticket (tickets service) this conversation is about. */
  @Property({ type: 'uuid' })
  ticketId: string;

  @Property({ type: 'string', length: 255 })
  subject: string;

  @Property({ type: 'uuid', nullable: true })
  requesterContactId: string | null = null;

  @Property({ type: 'text' })
  requesterName: string;

  @Property({ type: 'text' })
  requesterEmail: string;

  @Property({ type: 'string', length: 200, nullable: true })
  idempotencyKey: string | null = null;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', length: 3 })
  lastMessageAt: Date = new Date();

  @Property({ type: 'integer', default: 0 })
  messageCount: number = 0;

  /** The start of the newest message's text, for the agents' list. */
  @Property({ type: 'text', default: '' })
  lastMessagePreview: string = '';
}
