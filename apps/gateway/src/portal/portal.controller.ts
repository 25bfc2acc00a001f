import {
  Id,
  type AttachmentInput,
  type PortalConversation,
  type PortalTicketDetail,
  type ResolvedPortal,
  type TicketExportView,
  type ViewerScope,
} from '@helpdesk/contracts';
import { AppError, LOGGER, RpcClient, type FileStorage, type Logger } from '@helpdesk/kit';
import { Controller, Get, Inject, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { assertCsrf, csrfToken, csrfValid, CsrfRejectedError } from '../auth/csrf.js';
import { SESSION_COOKIE, startSessionClock } from '../auth/sessions.js';
import type { ContactViewer } from '../auth/viewer.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { sendStoredFile } from '../http/stored-file.js';
import { AttachmentDownloads } from '../uploads/attachment-downloads.js';
import { AttachmentUploads } from '../uploads/attachment-uploads.js';
import { FILE_STORAGE } from '../uploads/uploads.tokens.js';
import { ContactSessions } from './contact-sessions.js';
import { translatorFor, type MessageKey, type Translator } from './i18n.js';
import { PortalErrorFilter } from './portal-error.filter.js';
import { columnsOf, contactOf, layoutData, requireContact, safeNext, ticketLabelOf } from './portal-page.js';
import { PortalResolver } from './portal-resolver.js';
import { PortalViews } from './portal-views.js';
import {
  cellFor,
  customerFilters,
  pageLinks,
  parseListView,
  sortLink,
  statusText,
  textToHtml,
  viewQuery,
  type ListView,
} from './ticket-view.js';

const PAGE_SIZE = 25;
/** Notices a redirect may ask the next page to show (`?notice=`); nothing else is echoed. */
const detailNotices = new Set<MessageKey>(['replySent', 'ticketClosedNow', 'alreadyClosed']);

/** Passport's callback style as a promise. */
const settled = (call: (done: (error?: unknown) => void) => void) =>
  new Promise<void>((resolve, reject) =>
    call((error) =>
      error ? reject(error instanceof Error ? error : new Error('session error')) : resolve(),
    ),
  );

const field = (body: unknown, name: string): string => {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
};

const codeOf = (error: unknown) => (error instanceof AppError ? error.code : undefined);

/**
 * The customer portal's pages (SPEC P1–P4, P6, S1, S2, S4, S6–S9, S13, S14), server-rendered, each
 * action a plain form post (303 to the next page). The portal comes from Host + slug; the viewer
 * from the session; which tickets they may see from identity (`identity.viewer.scope`), applied by
 * tickets and inbox themselves. Registered after every other controller: `/:slug` matches any
 * single path segment.
 */
@ApiExcludeController()
@UseFilters(PortalErrorFilter)
@Controller(':slug')
export class PortalController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly resolver: PortalResolver,
    private readonly views: PortalViews,
    private readonly sessions: ContactSessions,
    private readonly uploads: AttachmentUploads,
    private readonly downloads: AttachmentDownloads,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  // ---------------------------------------------------------------------------------------------
  // Entry, login, logout

  @Get()
  async home(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.portalOf(slug, req, res);
    res.redirect(302, `/${portal.general.slug}/${contactOf(req, portal) ? 'tickets' : 'login'}`);
  }

  @Get('login')
  async loginPage(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.portalOf(slug, req, res);
    if (contactOf(req, portal)) return res.redirect(302, safeNext(portal.general.slug, req.query.next));
    const expired = req.query.expired === '1' || res.locals.sessionExpired === true;
    await this.renderLogin(req, res, portal, { notice: expired ? 'sessionExpired' : null });
  }

  @Post('login')
  async login(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.portalOf(slug, req, res);
    assertCsrf(req);
    const email = field(req.body, 'email').trim();
    const password = field(req.body, 'password');
    const next = field(req.body, 'next');
    if (!email || !password)
      return this.renderLogin(req, res, portal, { error: 'loginRequired', email, next }, 400);
    let contact;
    try {
      ({ contact } = await this.rpc.send('identity.portal.login', {
        accountId: portal.accountId,
        email,
        password,
      }));
    } catch (error) {
      const code = codeOf(error);
      if (code === 'INVALID_CREDENTIALS' || code === 'VALIDATION_FAILED')
        return this.renderLogin(req, res, portal, { error: 'loginFailed', email, next }, 401);
      if (code === 'TOO_MANY_ATTEMPTS') {
        res.setHeader('Retry-After', '5');
        return this.renderLogin(req, res, portal, { error: 'loginTooMany', email, next }, 429);
      }
      if (code === 'PORTAL_ACCESS_DENIED') return res.redirect(303, `/${portal.general.slug}/access-denied`);
      throw error;
    }
    const viewer: ContactViewer = {
      kind: 'contact',
      accountId: portal.accountId,
      portalId: portal.id,
      contactId: contact.id,
      email: contact.email,
      firstName: contact.firstName,
      lastName: contact.lastName,
      primaryCompanyId: contact.primaryCompanyId,
    };
    // Passport regenerates the session id here: an id planted before login is worthless after it.
    await settled((done) => req.logIn(viewer, done));
    startSessionClock(req, portal.access.sessionIdleMinutes);
    csrfToken(req.session);
    await this.sessions.remember(portal.accountId, contact.id, req.sessionID);
    res.redirect(303, safeNext(portal.general.slug, next));
  }

  @Get('access-denied')
  async accessDenied(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.portalOf(slug, req, res);
    const t = translatorFor(portal.domain.language);
    await this.views.render(
      res,
      'access-denied.liquid',
      { ...layoutData(req, portal, { title: t.t('accessDeniedTitle') }) },
      403,
    );
  }

  @Post('logout')
  async logout(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.portalOf(slug, req, res);
    const contact = contactOf(req, portal);
    if (contact) {
      assertCsrf(req);
      await this.sessions.forget(contact.accountId, contact.contactId, req.sessionID);
      await settled((done) => req.logOut(done));
      await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
      res.clearCookie(SESSION_COOKIE);
    }
    res.redirect(303, `/${portal.general.slug}/logout`);
  }

  @Get('logout')
  async loggedOut(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.portalOf(slug, req, res);
    const contact = contactOf(req, portal);
    const t = translatorFor(portal.domain.language);
    await this.views.render(res, 'logout.liquid', {
      ...layoutData(req, portal, { title: t.t(contact ? 'logOut' : 'loggedOutTitle') }),
      stillLoggedIn: Boolean(contact),
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Ticket list (P1) and export (P4)

  @Get('tickets')
  async list(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.portalOf(slug, req, res);
    const contact = requireContact(req, portal);
    const scope = await this.scopeOf(portal, contact);
    const view = parseListView(req.query, portal);
    const page = await this.rpc.send('tickets.portal.list', {
      ...this.listRequest(portal, scope, view),
      after: view.after,
      limit: PAGE_SIZE,
    });
    const t = translatorFor(portal.domain.language);
    const base = `/${portal.general.slug}`;
    const now = Date.now();
    const columns = columnsOf(portal, t).map((column) => {
      const sorted = view.sort === column.property ? view.dir : null;
      return {
        ...column,
        sortable: column.property !== 'content',
        sortHref: `${base}/tickets${sortLink(view, column.property)}`,
        ariaSort: sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : null,
        sortLabel: `${t.t('sortBy', { column: column.label })}${
          sorted ? ` (${t.t(sorted === 'asc' ? 'sortedAscending' : 'sortedDescending')})` : ''
        }`,
      };
    });
    const hasSubject = columns.some((column) => column.property === 'subject');
    const rows = page.items.map((row) => {
      const href = `${base}/tickets/${row.id}`;
      const cells = columns.map((column) => ({
        label: column.label,
        property: column.property,
        ...cellFor(column.property, row, portal, t, href, now),
      }));
      // Without a subject column the first column opens the ticket.
      if (!hasSubject && cells[0]) cells[0].href = href;
      return { id: row.id, closed: row.closed, cells };
    });
    const links = pageLinks(view, page.nextCursor);
    const filtered = view.q !== '' || view.status !== 'all';
    await this.views.render(res, 'tickets.liquid', {
      ...layoutData(req, portal, { contact, section: 'tickets' }),
      heading: ticketLabelOf(portal, t),
      view,
      showSwitch: scope.seesCompanyTickets,
      columns,
      rows,
      previousHref: links.previous === null ? null : `${base}/tickets${links.previous}`,
      nextHref: links.next === null ? null : `${base}/tickets${links.next}`,
      clearHref: `${base}/tickets${viewQuery(view, { status: 'all', q: '', after: undefined, prev: [] })}`,
      emptyState: rows.length === 0 ? (filtered ? 'noMatches' : 'none') : null,
      countText: t.t('ticketCountOnPage', { count: t.formatNumber(rows.length) }),
    });
  }

  @Post('exports')
  async startExport(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.portalOf(slug, req, res);
    const contact = requireContact(req, portal);
    assertCsrf(req);
    const scope = await this.scopeOf(portal, contact);
    const view = parseListView((req.body ?? {}) as Record<string, unknown>, portal);
    const t = translatorFor(portal.domain.language);
    try {
      const started = await this.rpc.send('tickets.exports.start', {
        ...this.listRequest(portal, scope, view),
        // The file's header is what the list's headings say, in the page's language.
        columns: columnsOf(portal, t).map(({ property, label }) => ({ property, label })),
        showStages: portal.ticketDisplay.showStages,
        language: portal.domain.language,
      });
      res.redirect(303, `/${portal.general.slug}/exports/${started.exportId}`);
    } catch (error) {
      if (codeOf(error) !== 'TOO_MANY_ATTEMPTS') throw error;
      res.setHeader('Retry-After', '5');
      await this.views.render(
        res,
        'export.liquid',
        {
          ...layoutData(req, portal, { contact, section: 'tickets', title: t.t('exportTitle') }),
          error: t.t('exportTooMany'),
          backHref: `/${portal.general.slug}/tickets${viewQuery(view, { after: undefined, prev: [] })}`,
        },
        429,
      );
    }
  }

  @Get('exports/:id')
  async exportPage(
    @Param('slug') slug: string,
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const portal = await this.portalOf(slug, req, res);
    const contact = requireContact(req, portal);
    const found = await this.exportOf(portal, contact, id);
    const t = translatorFor(portal.domain.language);
    await this.views.render(res, 'export.liquid', {
      ...layoutData(req, portal, { contact, section: 'tickets', title: t.t('exportTitle') }),
      export: this.exportState(portal, found, t),
      backHref: `/${portal.general.slug}/tickets`,
    });
  }

  /** The export's progress as JSON, for the page's script to poll. */
  @Get('exports/:id/status')
  async exportStatus(
    @Param('slug') slug: string,
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const portal = await this.portalOf(slug, req, res);
    const contact = requireContact(req, portal);
    const found = await this.exportOf(portal, contact, id);
    res.setHeader('Cache-Control', 'no-store');
    res.json(this.exportState(portal, found, translatorFor(portal.domain.language)));
  }

  @Get('exports/:id/download')
  async downloadExport(
    @Param('slug') slug: string,
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const portal = await this.portalOf(slug, req, res);
    const contact = requireContact(req, portal);
    const found = await this.exportOf(portal, contact, id);
    // Only the file the service names for this export, and only inside this account's exports.
    const notFound = new AppError('EXPORT_NOT_FOUND', `Export ${id} has no file`);
    if (
      found.status !== 'done' ||
      !found.storageKey ||
      !found.storageKey.startsWith(`exports/${portal.accountId}/`)
    )
      throw notFound;
    const file = {
      storageKey: found.storageKey,
      fileName: found.fileName ?? 'tickets.csv',
      contentType: 'text/csv',
    };
    await sendStoredFile(res, this.storage, file, notFound, this.logger);
  }

  // ---------------------------------------------------------------------------------------------
  // Ticket detail (P2), reply (P3), close (S9), attachments

  @Get('tickets/:id')
  async detail(
    @Param('slug') slug: string,
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const portal = await this.portalOf(slug, req, res);
    const contact = requireContact(req, portal);
    const notice = typeof req.query.notice === 'string' ? req.query.notice : '';
    await this.renderDetail(req, res, portal, contact, id, {
      notice: detailNotices.has(notice as MessageKey) ? (notice as MessageKey) : null,
    });
  }

  @Post('tickets/:id/reply')
  async reply(
    @Param('slug') slug: string,
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const portal = await this.portalOf(slug, req, res);
    const contact = requireContact(req, portal);
    this.assertTicketId(id);
    // A reply with files is multipart: its fields (the CSRF token too) arrive with the files, which
    // are streamed into the storage as they come and removed again on any refusal. The session
    // cookie is SameSite, so a cross-site post never gets this far.
    let fields: Record<string, unknown> = (req.body ?? {}) as Record<string, unknown>;
    let attachments: AttachmentInput[] = [];
    if (AttachmentUploads.isMultipart(req)) {
      try {
        ({ fields, attachments } = await this.uploads.receive(req, portal.accountId, 'attachments'));
      } catch (error) {
        const message = this.attachmentProblem(error);
        if (!message) throw error;
        return this.renderDetail(req, res, portal, contact, id, { error: message }, 400);
      }
      if (!csrfValid(req.session, fields._csrf)) {
        await this.uploads.discard(attachments);
        throw new CsrfRejectedError();
      }
    } else assertCsrf(req);
    const text = field(fields, 'body');
    const html = field(fields, 'bodyHtml').trim();
    // With script, the editor's HTML (inbox sanitises it with its allow-list); without, the text's paragraphs.
    const bodyHtml = html || textToHtml(text);
    const refuse = async (error: MessageKey, status: number) => {
      await this.uploads.discard(attachments);
      return this.renderDetail(req, res, portal, contact, id, { error, draft: text }, status);
    };
    if (!bodyHtml.replace(/<[^>]*>|&nbsp;|\s/g, '')) return refuse('replyEmpty', 400);
    const scope = await this.scopeOf(portal, contact);
    try {
      const { message } = await this.rpc.send('inbox.messages.reply', {
        accountId: portal.accountId,
        ticketId: id,
        viewer: scope,
        visibility: portal.ticketDisplay.visibility,
        replyToClosed: portal.ticketActions.replyToClosed,
        bodyHtml,
        attachments,
        ...(portal.general.destination ? { inboxId: portal.general.destination.id } : {}),
      });
      res.redirect(303, `/${portal.general.slug}/tickets/${id}?notice=replySent#message-${message.id}`);
    } catch (error) {
      const code = codeOf(error);
      if (code === 'TICKET_CLOSED') return refuse('closedNoReplies', 409);
      if (code === 'VALIDATION_FAILED') return refuse('replyFailed', 400);
      const problem = this.attachmentProblem(error);
      if (problem) return refuse(problem, 400);
      // Inbox may have stored the reply when it is unreachable or failed: its files are kept then.
      if (code === 'SERVICE_UNAVAILABLE' || code === 'INTERNAL') {
        if (attachments.length)
          this.logger.warn({ storageKeys: attachments.map((a) => a.storageKey) }, 'reply outcome unknown');
      } else await this.uploads.discard(attachments);
      throw error;
    }
  }

  /** What went wrong with the attached files, in words a customer can act on. */
  private attachmentProblem(error: unknown): MessageKey | null {
    const problems: Partial<Record<string, MessageKey>> = {
      ATTACHMENT_TOO_LARGE: 'attachTooLarge',
      PAYLOAD_TOO_LARGE: 'attachTooLarge',
      ATTACHMENT_TYPE_NOT_ALLOWED: 'attachType',
      TOO_MANY_ATTACHMENTS: 'attachTooMany',
      ATTACHMENT_INVALID: 'attachFailed',
      VALIDATION_FAILED: 'attachFailed',
    };
    return problems[codeOf(error) ?? ''] ?? null;
  }

  @Post('tickets/:id/close')
  async close(
    @Param('slug') slug: string,
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const portal = await this.portalOf(slug, req, res);
    const contact = requireContact(req, portal);
    assertCsrf(req);
    this.assertTicketId(id);
    if (!portal.ticketActions.allowClose)
      throw new AppError('FORBIDDEN', 'This portal does not let customers close tickets');
    const scope = await this.scopeOf(portal, contact);
    let notice: MessageKey = 'ticketClosedNow';
    try {
      await this.rpc.send('tickets.close', {
        accountId: portal.accountId,
        id,
        viewer: scope,
        visibility: portal.ticketDisplay.visibility,
        closedStages: portal.ticketActions.closedStages,
      });
    } catch (error) {
      if (codeOf(error) !== 'TICKET_ALREADY_CLOSED') throw error;
      notice = 'alreadyClosed';
    }
    res.redirect(303, `/${portal.general.slug}/tickets/${id}?notice=${notice}`);
  }

  @Get('attachments/:id')
  async attachment(
    @Param('slug') slug: string,
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const portal = await this.portalOf(slug, req, res);
    const contact = requireContact(req, portal);
    // Inbox answers only for an attachment of a public message on a ticket this viewer may see.
    await this.downloads.send(res, {
      accountId: portal.accountId,
      attachmentId: id,
      viewer: await this.scopeOf(portal, contact),
      visibility: portal.ticketDisplay.visibility,
    });
  }

  // ---------------------------------------------------------------------------------------------

  private async renderLogin(
    req: Request,
    res: Response,
    portal: ResolvedPortal,
    state: { notice?: MessageKey | null; error?: MessageKey; email?: string; next?: string },
    status = 200,
  ): Promise<void> {
    const t = translatorFor(portal.domain.language);
    await this.views.render(
      res,
      'login.liquid',
      {
        ...layoutData(req, portal, { title: t.t('loginTitle') }),
        notice: state.notice ? t.t(state.notice) : null,
        error: state.error ? t.t(state.error) : null,
        email: state.email ?? '',
        next: safeNext(portal.general.slug, state.next ?? req.query.next),
        // Registration and password reset pages come with the next part of the portal; until they
        // exist the login page links to neither (S10's "Register here" appears with them).
        registrationHref: null,
        resetHref: null,
        ssoNote: portal.access.authentication === 'oidc' ? t.t('ssoNotAvailable') : null,
      },
      status,
    );
  }

  /** Resolves the request's portal (404 page when unknown or switched off) and keeps it for error pages. */
  private async portalOf(slug: string, req: Request, res: Response): Promise<ResolvedPortal> {
    const portal = await this.resolver.resolve(req.hostname, slug);
    res.locals.portal = portal;
    return portal;
  }

  private scopeOf(portal: ResolvedPortal, contact: ContactViewer): Promise<ViewerScope> {
    return this.rpc.send('identity.viewer.scope', {
      accountId: portal.accountId,
      contactId: contact.contactId,
    });
  }

  /** The list's request (and the export's): scope, the portal's visibility filter, the customer's view. */
  private listRequest(portal: ResolvedPortal, scope: ViewerScope, view: ListView) {
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

  /** A malformed id names no ticket: the same 404 as one that does not exist or is out of reach. */
  private assertTicketId(id: string): void {
    if (!Id.safeParse(id).success) throw new AppError('TICKET_NOT_FOUND', `Ticket ${id} not found`);
  }

  private exportOf(portal: ResolvedPortal, contact: ContactViewer, id: string): Promise<TicketExportView> {
    if (!Id.safeParse(id).success) throw new AppError('EXPORT_NOT_FOUND', `Export ${id} not found`);
    return this.rpc.send('tickets.exports.get', {
      accountId: portal.accountId,
      contactId: contact.contactId,
      exportId: id,
    });
  }

  private exportState(portal: ResolvedPortal, found: TicketExportView, t: Translator) {
    const rows = t.formatNumber(found.rows);
    const message =
      found.status === 'done'
        ? t.t('exportDone', { rows })
        : found.status === 'failed'
          ? t.t('exportFailed')
          : found.rows > 0
            ? t.t('exportRows', { rows })
            : t.t(found.status === 'queued' ? 'exportQueued' : 'exportRunning');
    const base = `/${portal.general.slug}/exports/${found.id}`;
    return {
      id: found.id,
      status: found.status,
      rows: found.rows,
      message,
      finished: found.status === 'done' || found.status === 'failed',
      downloadUrl: found.status === 'done' ? `${base}/download` : null,
      statusUrl: `${base}/status`,
      expires:
        found.status === 'done' ? t.t('exportExpires', { date: t.formatDateTime(found.expiresAt) }) : null,
    };
  }

  private async renderDetail(
    req: Request,
    res: Response,
    portal: ResolvedPortal,
    contact: ContactViewer,
    id: string,
    state: { notice?: MessageKey | null; error?: MessageKey; draft?: string },
    status = 200,
  ): Promise<void> {
    this.assertTicketId(id);
    const scope = await this.scopeOf(portal, contact);
    const visibility = portal.ticketDisplay.visibility;
    const [ticket, conversation]: [PortalTicketDetail, PortalConversation] = await Promise.all([
      this.rpc.send('tickets.portal.get', {
        accountId: portal.accountId,
        id,
        viewer: scope,
        visibility,
        ownerDisplay: { mode: portal.ticketDisplay.ownerDisplay, alias: portal.ticketDisplay.ownerAlias },
      }),
      this.rpc.send('inbox.portal.conversation', {
        accountId: portal.accountId,
        ticketId: id,
        viewer: scope,
        visibility,
      }),
    ]);
    const t = translatorFor(portal.domain.language);
    const base = `/${portal.general.slug}`;
    const properties = columnsOf(portal, t)
      .filter((column) => column.property !== 'subject')
      .map((column) => ({ label: column.label, ...cellFor(column.property, ticket, portal, t, '') }));
    const actions = portal.ticketActions;
    const limits = {
      count: this.config.MAX_ATTACHMENTS_PER_MESSAGE,
      size: t.formatBytes(this.config.MAX_ATTACHMENT_BYTES),
    };
    await this.views.render(
      res,
      'ticket.liquid',
      {
        ...layoutData(req, portal, { contact, section: 'tickets', title: ticket.subject }),
        ticket: {
          id: ticket.id,
          subject: ticket.subject,
          closed: ticket.closed,
          status: statusText(ticket, portal, t),
          closedNote: ticket.closed
            ? ticket.closedAt
              ? t.t('ticketClosedOn', { date: t.formatDate(ticket.closedAt) })
              : t.t('ticketClosed')
            : null,
          created: { text: t.formatDateTime(ticket.createdAt), datetime: ticket.createdAt },
        },
        properties,
        messages: conversation.messages.map((message) => ({
          id: message.id,
          fromCustomer: message.direction === 'from_customer',
          mine: message.mine,
          author: message.mine ? t.t('you') : message.author.name || t.t('supportTeam'),
          role: message.direction === 'from_customer' ? null : t.t('supportTeam'),
          initials:
            (message.author.name || '?')
              .split(/\s+/)
              .filter(Boolean)
              .slice(0, 2)
              .map((word) => word[0].toUpperCase())
              .join('') || '?',
          bodyHtml: message.bodyHtml,
          at: { text: t.formatDateTime(message.createdAt), datetime: message.createdAt },
          attachments: message.attachments.map((attachment) => ({
            href: `${base}/attachments/${attachment.id}`,
            name: attachment.fileName,
            size: t.formatBytes(attachment.size),
          })),
        })),
        canReply: !ticket.closed || actions.replyToClosed,
        replyReopens: ticket.closed && actions.replyToClosed,
        canClose: actions.allowClose && !ticket.closed,
        submitHref: portal.supportForm.connected && portal.supportForm.menuText ? `${base}/submit` : null,
        notice: state.notice ? t.t(state.notice) : null,
        error: state.error ? t.t(state.error, limits) : null,
        draft: state.draft ?? '',
        attachHint: t.t('attachHint', limits),
        backHref: `${base}/tickets`,
      },
      status,
    );
  }
}
