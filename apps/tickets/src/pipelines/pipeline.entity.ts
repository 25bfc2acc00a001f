import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** An ordered set of stages a ticket moves through (e.g. the support pipeline). */
@Entity({ tableName: 'pipeline' })
@Index({ properties: ['accountId', 'displayOrder'] })
export class Pipeline {
  [OptionalProps]?: 'displayOrder' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  accountId: string;

  @Property({ type: 'string', length: 100 })
  label: string;

  @Property({ type: 'integer' })
  displayOrder: number = 0;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();
}
