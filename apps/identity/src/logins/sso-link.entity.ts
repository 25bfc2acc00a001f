import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** Links a contact to an identity at an OpenID provider: (issuer, subject) names one contact. */
@Entity({ tableName: 'sso_link' })
@Unique({ properties: ['accountId', 'issuer', 'subject'] })
export class SsoLink {
  [OptionalProps]?: 'linkedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  accountId: string;

  @Property({ type: 'uuid' })
  contactId: string;

  @Property({ type: 'string', length: 500 })
  issuer: string;

  @Property({ type: 'string', length: 255 })
  subject: string;

  @Property({ type: 'datetime', length: 3 })
  linkedAt: Date = new Date();
}
