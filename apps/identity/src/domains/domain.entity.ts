import type { Language } from '@helpdesk/contracts';
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** A host name an account serves its portal on. A host belongs to exactly one account. */
@Entity({ tableName: 'domain' })
@Unique({ properties: ['hostname'] })
@Index({ properties: ['accountId'] })
export class Domain {
  [OptionalProps]?: 'primary' | 'language' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  accountId: string;

  /** Lower-case, no port. */
  @Property({ type: 'string', length: 253 })
  hostname: string;

  /** The portal is shown in this language when served on this domain. */
  @Property({ type: 'string', length: 5 })
  language: Language = 'en';

  @Property({ type: 'boolean' })
  primary: boolean = false;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();
}
