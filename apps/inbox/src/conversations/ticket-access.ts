import type { Filter, PortalTicketDetail, PortalViewer } from '@helpdesk/contracts';
import { RpcClient } from '@helpdesk/kit';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Thread } from './thread.entity.js';

/**
 * What a customer may see. Tickets decides whether a viewer sees a ticket (scope, the portal's
 * visibility filter); inbox decides which conversation of it they see: the oldest thread (S8).
 */
@Injectable()
export class TicketAccess {
  constructor(
    private readonly rpc: RpcClient,
    private readonly em: EntityManager,
  ) {}

  /** The ticket as the viewer sees it, or TICKET_NOT_FOUND (the same for one that does not exist). */
  visibleTicket(request: {
    accountId: string;
    ticketId: string;
    viewer: PortalViewer;
    visibility: Filter;
  }): Promise<PortalTicketDetail> {
    const { accountId, ticketId, viewer, visibility } = request;
    return this.rpc.send('tickets.portal.get', { accountId, id: ticketId, viewer, visibility });
  }

  /** The ticket's oldest thread: the only one the portal shows. */
  portalThread(accountId: string, ticketId: string): Promise<Thread | null> {
    return this.em.findOne(Thread, { accountId, ticketId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }
}
