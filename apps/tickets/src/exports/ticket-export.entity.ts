import type { RpcPayload, TicketExportStatus } from '@helpdesk/contracts';
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** The view and layout an export was started with, as validated then (SPEC P4). */
export type TicketExportRequest = RpcPayload<'tickets.exports.start'>;

/** One CSV export of a contact's portal view; the file itself lives in the file storage. */
@Entity({ tableName: 'ticket_export' })
// A contact's exports (their own only), and how many are still in progress.
@Index({ properties: ['accountId', 'contactId', 'createdAt'] })
// The hourly cleanup walks the expired ones.
@Index({ properties: ['expiresAt'] })
export class TicketExport {
  [OptionalProps]?: 'status' | 'rows' | 'storageKey' | 'error' | 'createdAt' | 'finishedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  accountId: string;

  /** The contact who started it: the only one who may see it. */
  @Property({ type: 'uuid' })
  contactId: string;

  @Property({ type: 'json' })
  request: TicketExportRequest;

  @Enum({ items: ['queued', 'running', 'done', 'failed'], type: 'string', length: 10 })
  status: TicketExportStatus = 'queued';

  /** Rows written so far; the total once done. */
  @Property({ type: 'integer', default: 0 })
  rows: number = 0;

  /** Set once the file is complete. */
  @Property({ type: 'string', length: 300, nullable: true })
  storageKey: string | null = null;

  @Property({ type: 'text', nullable: true })
  error: string | null = null;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', length: 3, nullable: true })
  finishedAt: Date | null = null;

  /** When the file and this row are removed; moved to finish + TTL once done. */
  @Property({ type: 'datetime', length: 3 })
  expiresAt: Date;
}
