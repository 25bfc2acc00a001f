import type { Permission } from '@helpdesk/contracts';
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** An admin or agent of an account. Emails are unique across accounts: a login names exactly one user. */
@Entity({ tableName: 'internal_user' })
@Unique({ properties: ['email'] })
@Index({ properties: ['accountId'] })
export class InternalUser {
  [OptionalProps]?: 'createdAt' | 'permissions';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  accountId: string;

  /** Stored lower-cased. */
  @Property({ type: 'string', length: 254 })
  email: string;

  @Property({ type: 'string', length: 200 })
  name: string;

  @Property({ type: 'text', hidden: true })
  passwordHash: string;

  @Property({ type: 'text[]' })
  permissions: Permission[] = [];

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();
}
