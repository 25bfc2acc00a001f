import type { PropertyType } from '@helpdesk/contracts';
import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** A custom contact property an account defines (used in contact records and portal segments). */
@Entity({ tableName: 'contact_property' })
@Unique({ properties: ['accountId', 'name'] })
export class ContactProperty {
  [OptionalProps]?: 'options' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  accountId: string;

  /** Internal name (snake_case), the key in Contact.properties. */
  @Property({ type: 'string', length: 100 })
  name: string;

  @Property({ type: 'string', length: 100 })
  label: string;

  @Property({ type: 'string', length: 20 })
  type: PropertyType;

  /** For enumerations: the allowed values and their labels. */
  @Property({ type: 'json', nullable: true })
  options: { value: string; label: string }[] | null = null;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();
}
