import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { TicketView } from '@helpdesk/contracts';
import { randomUUID } from 'node:crypto';

type Priority = NonNullable<TicketView['priority']>;
export type TicketSource = 'portal' | 'form' | 'email' | 'api';

@Entity({ tableName: 'ticket' })
// The account-wide list, newest first, as a keyset walk (scanned backwards).
@Index({ properties: ['accountId', 'createdAt', 'id'] })
// The portal's scopes: a contact's own tickets, a company's tickets.
@Index({ properties: ['accountId', 'requesterContactId', 'createdAt', 'id'] })
@Index({ properties: ['accountId', 'companyId', 'createdAt', 'id'] })
// "Last activity" is the other common order of the portal list.
@Index({ properties: ['accountId', 'lastActivityAt', 'id'] })
// Search finds parts of words in subjects (ILIKE), which needs trigrams (pg_trgm).
@Index({
  name: 'ticket_subject_trgm_index',
  expression:
    'create index "ticket_subject_trgm_index" on "tickets"."ticket" using gin ("subject" gin_trgm_ops)',
})
// Idempotent creation: one ticket per source key (a form submission id, say).
@Index({
  name: 'ticket_account_id_source_key_unique',
  expression:
    'create unique index "ticket_account_id_source_key_unique" on "tickets"."ticket" ("account_id", "source_key") where "source_key" is not null',
})
@Index({
  name: 'ticket_search_index',
  expression: 'create index "ticket_search_index" on "tickets"."ticket" using gin ("search")',
})
export class Ticket {
  [OptionalProps]?:
    | 'content'
    | 'priority'
    | 'requesterContactId'
    | 'requesterName'
    | 'requesterEmail'
    | 'companyId'
    | 'ownerId'
    | 'ownerFirstName'
    | 'ownerLastName'
    | 'closed'
    | 'closedAt'
    | 'source'
    | 'sourceKey'
    | 'properties'
    | 'messageText'
    | 'createdAt'
    | 'lastActivityAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  accountId: string;

  @Property({ type: 'string', length: 255 })
  subject: string;

  @Property({ type: 'text', default: '' })
  content: string = '';

  @Enum({ items: ['low', 'medium', 'high', 'urgent'], nullable: true, type: 'string' })
  priority: Priority | null = null;

  @Property({ type: 'uuid' })
  pipelineId: string;

  @Property({ type: 'uuid' })
  stageId: string;

  /** Mirrors the stage's state, so lists filter open/closed without a join. */
  @Property({ type: 'boolean', default: false })
  closed: boolean = false;

  @Property({ type: 'datetime', length: 3, nullable: true })
  closedAt: Date | null = null;

  /** The internal user who owns it; the name is copied at assignment for lists and exports. */
  @Property({ type: 'uuid', nullable: true })
  ownerId: string | null = null;

  @Property({ type: 'text', default: '' })
  ownerFirstName: string = '';

  @Property({ type: 'text', default: '' })
  ownerLastName: string = '';

  @Property({ type: 'uuid', nullable: true })
  requesterContactId: string | null = null;

  @Property({ type: 'text', default: '' })
  requesterName: string = '';

  @Property({ type: 'text', default: '' })
  requesterEmail: string = '';

  @Property({ type: 'uuid', nullable: true })
  companyId: string | null = null;

  @Property({ type: 'string', length: 10, default: 'api' })
  source: TicketSource = 'api';

  @Property({ type: 'string', length: 200, nullable: true })
  sourceKey: string | null = null;

  /** Values of the account's custom ticket properties, by name. */
  @Property({ type: 'json', default: '{}' })
  properties: Record<string, unknown> = {};

  /** The public messages' text (kept up to date from inbox events), for search. */
  @Property({ type: 'text', default: '', lazy: true })
  messageText: string = '';

  @Property({
    type: 'tsvector',
    columnType: 'tsvector',
    generated: `(to_tsvector('simple', "subject" || ' ' || "content" || ' ' || "message_text")) stored`,
    lazy: true,
    hidden: true,
    nullable: true,
  })
  search?: string;

  // Millisecond precision, like the keyset cursor that carries it through JSON.
  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', length: 3 })
  lastActivityAt: Date = new Date();
}
