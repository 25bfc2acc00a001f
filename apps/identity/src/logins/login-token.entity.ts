import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export type LoginTokenPurpose = 'invitation' | 'verification' | 'password_reset';

/** A single-use, expiring link sent by email. Only the SHA-256 of the token is stored. */
@Entity({ tableName: 'login_token' })
@Unique({ properties: ['tokenHash'] })
@Index({ properties: ['accountId', 'contactId', 'purpose'] })
export class LoginToken {
  [OptionalProps]?: 'usedAt' | 'createdAt' | 'pendingPasswordHash';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  accountId: string;

  @Property({ type: 'uuid' })
  contactId: string;

  @Property({ type: 'string', length: 20 })
  purpose: LoginTokenPurpose;

  @Property({ type: 'string', length: 64 })
  tokenHash: string;

  @Property({ type: 'datetime', length: 3 })
  expiresAt: Date;

  @Property({ type: 'datetime', length: 3, nullable: true })
  usedAt: Date | null = null;

  /** For a registration: the chosen password, applied only once the email is verified. */
  @Property({ type: 'text', nullable: true, hidden: true })
  pendingPasswordHash: string | null = null;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();
}
