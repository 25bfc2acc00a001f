import type { ResolvedPortal, ViewerScope } from '@helpdesk/contracts';
import { RpcClient } from '@helpdesk/kit';
import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { ContactViewer } from '../auth/viewer.js';
import { pathId } from '../http/path-id.js';
import { previewOf, PreviewReadOnlyError } from './portal-page.js';
import { PortalResolver } from './portal-resolver.js';
import { ExpiringCache } from './expiring-cache.js';
import { PortalEvents } from './portal-events.js';
import { customerFilters, type ListView } from './ticket-view.js';

const SAFE_METHODS = new Set(['GET', 'HEAD']);
/**
 * How long a contact's scope is reused when no event says it changed: the events drop it at once,
 * the TTL bounds what a missed event (core NATS is at most once) can leave behind.
 */
export const SCOPE_CACHE_TTL_MS = 15_000;
/** Contacts whose scope is kept; past that the cache starts over (one identity call each). */
const SCOPE_CACHE_ENTRIES = 20_000;

/** A posted form field as a string ('' when missing or not a string). */
/** A malformed id names no ticket: the same 404 as one that does not exist or is out of reach. */
export const assertTicketId = pathId('TICKET_NOT_FOUND', 'Ticket');

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
  private readonly scopes = new ExpiringCache<ViewerScope>(SCOPE_CACHE_TTL_MS, SCOPE_CACHE_ENTRIES);

  constructor(
    private readonly rpc: RpcClient,
    private readonly resolver: PortalResolver,
    events: PortalEvents,
  ) {
    // A contact's company or properties decide their scope, and the portal's permissions everyone's.
    events.on('contact.updated', ({ accountId, contactId }) =>
      this.scopes.delete(`${accountId} ${contactId}`),
    );
    events.on('portal.updated', () => this.scopes.clear());
  }

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

  /**
   * Which tickets the contact may see, as identity computes it (asked once, then kept until an event
   * says it may have changed); tickets and inbox apply it themselves.
   */
  scopeOf(portal: ResolvedPortal, contact: ContactViewer, now = Date.now()): Promise<ViewerScope> {
    const { accountId } = portal;
    const { contactId } = contact;
    return this.scopes.get(
      `${accountId} ${contactId}`,
      () => this.rpc.send('identity.viewer.scope', { accountId, contactId }),
      now,
    );
  }
}
