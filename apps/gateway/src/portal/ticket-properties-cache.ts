import type { TicketPropertyView } from '@helpdesk/contracts';
import { RpcClient } from '@helpdesk/kit';
import { Injectable } from '@nestjs/common';
import { ExpiringCache } from './expiring-cache.js';
import { PortalEvents } from './portal-events.js';

/** How long an account's ticket properties are reused when no event says they changed. */
export const TICKET_PROPERTIES_TTL_MS = 15_000;

/**
 * An account's ticket properties (with the pipelines and stages as options), which every list page
 * and export needs for its filters. Kept per account and dropped on every gateway replica when
 * tickets announces a change (`ticket.property.changed`, `pipeline.changed`); the TTL covers a
 * missed event.
 */
@Injectable()
export class TicketPropertiesCache {
  private readonly cache = new ExpiringCache<TicketPropertyView[]>(TICKET_PROPERTIES_TTL_MS);

  constructor(
    private readonly rpc: RpcClient,
    events: PortalEvents,
  ) {
    events.on('ticket.property.changed', ({ accountId }) => this.cache.delete(accountId));
    events.on('pipeline.changed', ({ accountId }) => this.cache.delete(accountId));
  }

  of(accountId: string): Promise<TicketPropertyView[]> {
    return this.cache.get(accountId, () => this.rpc.send('tickets.properties.list', { accountId }));
  }
}
