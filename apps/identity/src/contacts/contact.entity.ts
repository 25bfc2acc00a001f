import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** A customer of the account: someone who may use the portal. */
@Entity({ tableName: 'contact' })
@Unique({ properties: ['accountId', 'email'] })
@Index({ properties: ['accountId', 'primaryCompanyId'] })
export class Contact {
  [OptionalProps]?: 'firstName' | 'lastName' | 'primaryCompanyId' | 'properties' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  accountId: string;

  /** Stored lower-cased; unique within the account. */
  @Property({ type: 'string', length: 254 })
  email: string;

  @Property({ type: 'string', length: 100 })
  firstName: string = '';

  @Property({ type: 'string', length: 100 })
  lastName: string = '';

  @Property({ type: 'uuid', nullable: true })
  primaryCompanyId: string | null = null;

  /** Values of the account's custom contact properties, by property name. */
  @Property({ type: 'json' })
  properties: Record<string, unknown> = {};

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', length: 3, onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
