import type { PortalSettings } from '@helpdesk/contracts';
import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/**
 * The customer portal of an account with all its settings (SPEC S1–S14). Each admin section is one
 * JSON column, validated by its contract schema before it is stored.
 */
@Entity({ tableName: 'portal' })
@Unique({ properties: ['accountId'] })
export class Portal {
  [OptionalProps]?: 'updatedAt' | 'version' | 'oidcClientSecret';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  accountId: string;

  /** Copied out of `general` so the per-request lookup by host and slug is an index scan. */
  @Property({ type: 'string', length: 60 })
  slug: string;

  @Property({ type: 'json' })
  general: PortalSettings['general'];

  @Property({ type: 'json' })
  permissions: PortalSettings['permissions'];

  @Property({ type: 'json' })
  supportForm: PortalSettings['supportForm'];

  @Property({ type: 'json' })
  theme: PortalSettings['theme'];

  @Property({ type: 'json' })
  ticketDisplay: PortalSettings['ticketDisplay'];

  @Property({ type: 'json' })
  ticketActions: PortalSettings['ticketActions'];

  /** Stored without the OIDC client secret, which lives in its own column and never leaves the service. */
  @Property({ type: 'json' })
  access: PortalSettings['access'];

  @Property({ type: 'text', nullable: true, hidden: true })
  oidcClientSecret: string | null = null;

  @Property({ type: 'json' })
  consent: PortalSettings['consent'];

  @Property({ type: 'json' })
  systemPages: PortalSettings['systemPages'];

  @Property({ type: 'integer', version: true })
  version: number = 1;

  @Property({ type: 'datetime', length: 3, onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
