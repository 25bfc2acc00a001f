import { Id, type ResolvedPortal, type ViewerScope } from '@helpdesk/contracts';
import { AppError, RpcClient } from '@helpdesk/kit';
import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { ContactViewer } from '../auth/viewer.js';
import { previewOf, PreviewReadOnlyError } from './portal-page.js';
import { PortalResolver } from './portal-resolver.js';
import { customerFilters, type ListView } from './ticket-view.js';

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** A posted form field as a string ('' when missing or not a string). */
/** A malformed id names no ticket: the same 404 as one that does not exist or is out of reach. */
export function assertTicketId(id: string): void {
  if (!Id.safeParse(id).success) throw new AppError('TICKET_NOT_FOUND', `Ticket ${id} not found`);
}

/** The list's request (and the export's): scope, the portal's visibility filter, the customer's view. */
export function listRequest(portal: ResolvedPortal, scope: ViewerScope, view: ListView) {
  return {
    accountId: portal.accountId,
    viewer: scope,
    show: scope.seesCompanyTickets ? view.show : ('mine' as const),
    visibility: portal.ticketDisplay.visibility,
    filters: customerFilters(view),
    ...(view.q ? { search: view.q } : {}),
    sort: { property: view.sort, direction: view.dir },
    ownerDisplay: { mode: portal.ticketDisplay.ownerDisplay, alias: portal.ticketDisplay.ownerAlias },
  };
}

/** What every portal page starts from: the request's portal and, for ticket pages, the viewer's scope. */
@Injectable()
export class PortalContext {
  constructor(
    private readonly rpc: RpcClient,
    private readonly resolver: PortalResolver,
  ) {}

  /**
   * Resolves the request's portal (404 page when unknown or switched off) and keeps it for error
   * pages. During an admin preview every request that would change something is refused here, so
   * no portal action can forget it.
   */
  async portalOf(
    slug: string,
    req: Request,
    res: Response,
    options: { allowInPreview?: boolean } = {},
  ): Promise<ResolvedPortal> {
    const portal = await this.resolver.resolve(req.hostname, slug);
    res.locals.portal = portal;
    if (!options.allowInPreview && !SAFE_METHODS.has(req.method) && previewOf(req, portal))
      throw new PreviewReadOnlyError();
    return portal;
  }

  /** Which tickets the contact may see, from identity; tickets and inbox apply it themselves. */
  scopeOf(portal: ResolvedPortal, contact: ContactViewer): Promise<ViewerScope> {
    return this.rpc.send('identity.viewer.scope', {
      accountId: portal.accountId,
      contactId: contact.contactId,
    });
  }
}
