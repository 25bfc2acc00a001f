import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** A static list of contacts; a portal in access-group mode admits members of its chosen groups. */
@Entity({ tableName: 'access_group' })
@Unique({ properties: ['accountId', 'name'] })
export class AccessGroup {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  accountId: string;

  @Property({ type: 'string', length: 100 })
  name: string;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();
}
