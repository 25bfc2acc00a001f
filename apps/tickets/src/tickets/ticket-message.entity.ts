import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** A message inbox told us about: its id makes recording idempotent; its public text feeds search. */
@Entity({ tableName: 'ticket_message' })
@Index({ properties: ['accountId', 'ticketId'] })
export class TicketMessage {
  [OptionalProps]?: 'recordedAt';

  @PrimaryKey({ type: 'uuid' })
  messageId: string;

  @Property({ type: 'uuid' })
  accountId: string;

  @Property({ type: 'uuid' })
  ticketId: string;

  @Property({ type: 'datetime', length: 3 })
  occurredAt: Date;

  @Property({ type: 'datetime', length: 3 })
  recordedAt: Date = new Date();
}
