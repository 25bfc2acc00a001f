import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** What a contact consented to at registration, word for word, and when (SPEC S11). */
@Entity({ tableName: 'consent_record' })
@Index({ properties: ['accountId', 'contactId'] })
export class ConsentRecord {
  [OptionalProps]?: 'consentedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  accountId: string;

  @Property({ type: 'uuid' })
  contactId: string;

  @Property({ type: 'uuid' })
  domainId: string;

  @Property({ type: 'text' })
  noticeText: string;

  @Property({ type: 'text' })
  checkboxText: string;

  @Property({ type: 'datetime', length: 3 })
  consentedAt: Date = new Date();
}
