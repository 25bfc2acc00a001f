import type { SubmissionChannel, SubmissionStatus } from '@helpdesk/contracts';
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One submission of a form, stored before the answer together with its outbox row. Its id is the
 * idempotency key of everything delivered for it (the ticket's source key, the thread's key). The
 * relay writes the outcome back: status, attempts, last error, and the contact, ticket and thread.
 * It is written with SQL (the hot path); the entity describes the table.
 */
@Entity({ tableName: 'submission' })
// A form's submissions, newest first (a keyset walk).
@Index({ properties: ['accountId', 'formId', 'createdAt', 'id'] })
export class Submission {
  [OptionalProps]?:
    | 'status'
    | 'attempts'
    | 'lastError'
    | 'contactId'
    | 'ticketId'
    | 'threadId'
    | 'pageUri'
    | 'pageName'
    | 'context'
    | 'createdAt'
    | 'deliveredAt';

  @PrimaryKey({ type: 'uuid' })
  id: string;

  @Property({ type: 'uuid' })
  accountId: string;

  /** No foreign key: a deleted form's submissions stay (and are still delivered). */
  @Property({ type: 'uuid' })
  formId: string;

  @Enum({ items: ['json', 'html', 'hubspot', 'portal'], type: 'string' })
  channel: SubmissionChannel;

  /** The values as validated, by field name (`values` is an SQL keyword, hence the column name). */
  @Property({ type: 'json', fieldName: 'field_values' })
  values: Record<string, unknown>;

  @Enum({ items: ['pending', 'retrying', 'delivered'], type: 'string', default: 'pending' })
  status: SubmissionStatus = 'pending';

  @Property({ type: 'integer', default: 0 })
  attempts: number = 0;

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;

  /** The logged-in contact who submitted, or the contact found or created by email on delivery. */
  @Property({ type: 'uuid', nullable: true })
  contactId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  ticketId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  threadId: string | null = null;

  @Property({ type: 'text', nullable: true })
  pageUri: string | null = null;

  @Property({ type: 'text', nullable: true })
  pageName: string | null = null;

  /** What else came with it (HubSpot's hutk and legal consent options). */
  @Property({ type: 'json', nullable: true })
  context: Record<string, unknown> | null = null;

  @Property({ type: 'datetime', length: 3, defaultRaw: 'now()' })
  createdAt: Date;

  @Property({ type: 'datetime', length: 3, nullable: true })
  deliveredAt: Date | null = null;
}
