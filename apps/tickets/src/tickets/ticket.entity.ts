import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { TicketView } from '@helpdesk/contracts';
import { randomUUID } from 'node:crypto';

type Priority = NonNullable<TicketView['priority']>;

@Entity({ tableName: 'ticket' })
// Serves the account-wide list, newest first, as a keyset walk (scanned backwards).
@Index({ properties: ['accountId', 'createdAt', 'id'] })
export class Ticket {
  [OptionalProps]?:
    'content' | 'priority' | 'requesterContactId' | 'companyId' | 'createdAt' | 'lastActivityAt';

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

  @Property({ type: 'uuid', nullable: true })
  requesterContactId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  companyId: string | null = null;

  // Millisecond precision, like the keyset cursor that carries it through JSON.
  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', length: 3 })
  lastActivityAt: Date = new Date();
}
