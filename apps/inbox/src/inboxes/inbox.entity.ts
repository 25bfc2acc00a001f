import type { InboxKind } from '@helpdesk/contracts';
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** An inbox or a help desk: where a ticket's conversation lives (SPEC S3). */
@Entity({ tableName: 'inbox' })
@Index({ properties: ['accountId', 'createdAt', 'id'] })
export class Inbox {
  [OptionalProps]?: 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  accountId: string;

  @Enum({ items: ['inbox', 'help_desk'], type: 'string' })
  kind: InboxKind;

  @Property({ type: 'string', length: 100 })
  name: string;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', length: 3, onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
