import type { PropertyType } from '@helpdesk/contracts';
import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** A custom ticket property an account defines; values live in Ticket.properties by name. */
@Entity({ tableName: 'ticket_property' })
@Unique({ properties: ['accountId', 'name'] })
export class TicketProperty {
  [OptionalProps]?: 'options' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  accountId: string;

  @Property({ type: 'string', length: 100 })
  name: string;

  @Property({ type: 'string', length: 100 })
  label: string;

  @Property({ type: 'string', length: 20 })
  type: PropertyType;

  @Property({ type: 'json', nullable: true })
  options: { value: string; label: string }[] | null = null;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();
}
