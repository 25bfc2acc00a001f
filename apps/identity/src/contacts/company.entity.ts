import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

@Entity({ tableName: 'company' })
@Index({ properties: ['accountId', 'name'] })
export class Company {
  [OptionalProps]?: 'domain' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  accountId: string;

  @Property({ type: 'string', length: 200 })
  name: string;

  /** The company's web domain (acme.test), lower-case. */
  @Property({ type: 'string', length: 253, nullable: true })
  domain: string | null = null;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();
}
