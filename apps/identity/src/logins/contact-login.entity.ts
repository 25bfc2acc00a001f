import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** A contact's portal credentials: a password (argon2id) once set, and when the email was verified. */
@Entity({ tableName: 'contact_login' })
export class ContactLogin {
  [OptionalProps]?: 'passwordHash' | 'emailVerifiedAt' | 'passwordChangedAt' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  contactId: string;

  @Property({ type: 'uuid' })
  accountId: string;

  @Property({ type: 'text', nullable: true, hidden: true })
  passwordHash: string | null = null;

  @Property({ type: 'datetime', length: 3, nullable: true })
  emailVerifiedAt: Date | null = null;

  /** Sessions that started before this are revoked. */
  @Property({ type: 'datetime', length: 3, nullable: true })
  passwordChangedAt: Date | null = null;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();
}
