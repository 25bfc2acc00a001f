import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

export type InvitationStatus = 'pending' | 'accepted' | 'failed';

/** A contact's membership in an access group, with the state of its portal invitation. */
@Entity({ tableName: 'access_group_member' })
@Index({ properties: ['accountId', 'contactId'] })
export class AccessGroupMember {
  [OptionalProps]?: 'invitationStatus' | 'invitedAt' | 'addedAt';

  @PrimaryKey({ type: 'uuid' })
  groupId: string;

  @PrimaryKey({ type: 'uuid' })
  contactId: string;

  @Property({ type: 'uuid' })
  accountId: string;

  @Property({ type: 'string', length: 10 })
  invitationStatus: InvitationStatus = 'pending';

  @Property({ type: 'datetime', length: 3, nullable: true })
  invitedAt: Date | null = null;

  @Property({ type: 'datetime', length: 3 })
  addedAt: Date = new Date();
}
