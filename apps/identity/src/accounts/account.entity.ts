import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** A tenant: one company running the help desk. Every other row in the system carries its id. */
@Entity({ tableName: 'account' })
export class Account {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 200 })
  name: string;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();
}
