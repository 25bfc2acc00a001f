import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** One saved change to a portal section: who, when, and the section before and after. */
@Entity({ tableName: 'portal_audit' })
@Index({ properties: ['accountId', 'at', 'id'] })
export class PortalAudit {
  [OptionalProps]?: 'at';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  accountId: string;

  @Property({ type: 'uuid' })
  portalId: string;

  /** The internal user who saved; null for changes made by the system (seed, migrations). */
  @Property({ type: 'uuid', nullable: true })
  actorUserId: string | null;

  @Property({ type: 'string', length: 40 })
  section: string;

  @Property({ type: 'json', nullable: true })
  before: unknown;

  @Property({ type: 'json' })
  after: unknown;

  @Property({ type: 'datetime', length: 3 })
  at: Date = new Date();
}
