import type {
  AttachmentInput,
  PortalConversation,
  PortalTicketDetail,
  ResolvedPortal,
  TicketPropertyView,
} from '@helpdesk/contracts';
import { AppError, htmlFromText, RpcClient } from '@helpdesk/kit';
import { Controller, Get, Inject, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { assertCsrf, csrfValid, CsrfRejectedError } from '../auth/csrf.js';
import type { ContactViewer } from '../auth/viewer.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { AttachmentDownloads } from '../uploads/attachment-downloads.js';
import { AttachmentUploads, typedBeforeRefusal } from '../uploads/attachment-uploads.js';
import { translatorFor, type MessageKey } from './i18n.js';
import { assertTicketId, listRequest, PortalContext } from './portal-context.js';
import { PortalErrorFilter } from './portal-error.filter.js';
import { columnsOf, layoutData, requireContact, ticketLabelOf } from './portal-page.js';
import { PageViews } from '../http/page-views.js';
import { TicketPropertiesCache } from './ticket-properties-cache.js';
import {
  activeFiltersHtml,
  filterControlsHtml,
  headerCellsHtml,
  hiddenFieldsHtml,
  ticketRowsHtml,
  type HeaderColumn,
} from './ticket-table.js';
import {
  cellFor,
  choiceLabelsOf,
  filterPanel,
  listViewOf,
  pageLinks,
  sortLink,
  statusText,
  viewFields,
  viewQuery,
} from './ticket-view.js';
import { errorCode, formField } from '../http/form-fields.js';

const PAGE_SIZE = 25;
/** Notices a redirect may ask the next page to show (`?notice=`); nothing else is echoed. */
const detailNotices = new Set<MessageKey>([
  'replySent',
  'ticketClosedNow',
  'alreadyClosed',
  'ticketSubmitted',
]);

/**
 * The customer's tickets (SPEC P1–P3, S7–S9): the list, a ticket with its public conversation, the
 * reply with attachments, closing, attachment downloads. Which tickets the viewer may see comes from
 * identity (`identity.viewer.scope`) and is applied by tickets and inbox themselves.
 */
@ApiExcludeController()
@UseFilters(PortalErrorFilter)
@Controller(':slug')
export class PortalTicketsController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly context: PortalContext,
    private readonly views: PageViews,
    private readonly ticketProperties: TicketPropertiesCache,
    private readonly uploads: AttachmentUploads,
    private readonly downloads: AttachmentDownloads,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get('tickets')
  async list(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.context.portalOf(slug, req, res);
    const contact = requireContact(req, portal);
    const [scope, properties] = await Promise.all([
      this.context.scopeOf(portal, contact),
      this.ticketProperties.of(portal.accountId),
    ]);
    const { view, offered } = listViewOf(properties, portal, req.query);
    const page = await this.rpc.send('tickets.portal.list', {
      ...listRequest(portal, scope, view),
      after: view.after,
      limit: PAGE_SIZE,
    });
    const t = translatorFor(portal.domain.language);
    const base = `/${portal.general.slug}`;
    const listPath = `${base}/tickets`;
    const now = Date.now();
    const columns = columnsOf(portal, t).map((column): HeaderColumn => {
      const sorted = view.sort === column.property ? view.dir : null;
      return {
        ...column,
        sortable: column.property !== 'content',
        sortHref: `${listPath}${sortLink(view, column.property)}`,
        ariaSort: sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : null,
        sortLabel: `${t.t('sortBy', { column: column.label })}${
          sorted ? ` (${t.t(sorted === 'asc' ? 'sortedAscending' : 'sortedDescending')})` : ''
        }`,
      };
    });
    const hasSubject = columns.some((column) => column.property === 'subject');
    const choices = choiceLabelsOf(columns, properties);
    const rows = page.items.map((row) => {
      const href = `${base}/tickets/${row.id}`;
      const cells = columns.map((column) => ({
        label: column.label,
        property: column.property,
        ...cellFor(column.property, row, portal, t, choices, href, now),
      }));
      // Without a subject column the first column opens the ticket.
      if (!hasSubject && cells[0]) cells[0].href = href;
      return { id: row.id, closed: row.closed, cells };
    });
    const links = pageLinks(view, page.nextCursor);
    const pageUrl = (link: string | null) => (link === null ? null : `${listPath}${link}`);
    res.vary('Accept');
    // The same list for scripts (`Accept: application/json`): the portal's columns as the page shows them.
    if (req.accepts(['html', 'json']) === 'json') {
      res.json({
        columns: columns.map(({ property, label }) => ({ property, label })),
        tickets: rows.map((row) => ({
          id: row.id,
          url: `${base}/tickets/${row.id}`,
          closed: row.closed,
          cells: row.cells.map(({ property, text, datetime }) => ({ property, text, datetime })),
        })),
        previous: pageUrl(links.previous),
        next: pageUrl(links.next),
      });
      return;
    }
    const filtered = view.q !== '' || view.status !== 'all' || view.filters.length > 0;
    const panel = filterPanel(
      view,
      offered,
      new Map(columns.map((column) => [column.property, column.label])),
      t,
      listPath,
    );
    this.views.render(res, 'portal/tickets.liquid', {
      ...layoutData(req, portal, { contact, section: 'tickets' }),
      heading: ticketLabelOf(portal, t),
      view,
      showSwitch: scope.seesCompanyTickets,
      headerCellsHtml: headerCellsHtml(columns),
      rowsHtml: ticketRowsHtml(rows),
      filterControlsHtml: filterControlsHtml(panel.controls),
      activeFiltersHtml: activeFiltersHtml(panel.active),
      filtersInUse: t.t('filtersInUse', { count: t.formatNumber(view.filters.length) }),
      // The export posts the same view (every page of it).
      exportFieldsHtml: hiddenFieldsHtml(viewFields(view, { after: undefined, prev: [] })),
      previousHref: pageUrl(links.previous),
      nextHref: pageUrl(links.next),
      clearHref: `${listPath}${viewQuery(view, { status: 'all', q: '', filters: [], after: undefined, prev: [] })}`,
      emptyState: rows.length === 0 ? (filtered ? 'noMatches' : 'none') : null,
      countText: rows.length === 0 ? null : t.t('ticketCountOnPage', { count: t.formatNumber(rows.length) }),
    });
  }

  @Get('tickets/:id')
  async detail(
    @Param('slug') slug: string,
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const portal = await this.context.portalOf(slug, req, res);
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
    const portal = await this.context.portalOf(slug, req, res);
    const contact = requireContact(req, portal);
    assertTicketId(id);
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
        // The reply's text comes back as the draft: only the files need choosing again.
        const typed = typedBeforeRefusal(error, req.session);
        const draft = typed ? formField(typed, 'body') : undefined;
        return this.renderDetail(req, res, portal, contact, id, { error: message, draft }, 400);
      }
      if (!csrfValid(req.session, fields._csrf)) {
        await this.uploads.discard(attachments);
        throw new CsrfRejectedError();
      }
    } else assertCsrf(req);
    const text = formField(fields, 'body');
    const html = formField(fields, 'bodyHtml').trim();
    // With script, the editor's HTML (inbox sanitises it with its allow-list); without, the text's paragraphs.
    const bodyHtml = html || htmlFromText(text);
    const refuse = async (error: MessageKey, status: number) => {
      await this.uploads.discard(attachments);
      return this.renderDetail(req, res, portal, contact, id, { error, draft: text }, status);
    };
    if (!bodyHtml.replace(/<[^>]*>|&nbsp;|\s/g, '')) return refuse('replyEmpty', 400);
    const scope = await this.context.scopeOf(portal, contact);
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
      const code = errorCode(error);
      if (code === 'TICKET_CLOSED') return refuse('closedNoReplies', 409);
      if (code === 'VALIDATION_FAILED') return refuse('replyFailed', 400);
      const problem = this.attachmentProblem(error);
      if (problem) return refuse(problem, 400);
      await this.uploads.discardUnlessStored(attachments, error);
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
    return problems[errorCode(error) ?? ''] ?? null;
  }

  @Post('tickets/:id/close')
  async close(
    @Param('slug') slug: string,
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const portal = await this.context.portalOf(slug, req, res);
    const contact = requireContact(req, portal);
    assertCsrf(req);
    assertTicketId(id);
    if (!portal.ticketActions.allowClose)
      throw new AppError('FORBIDDEN', 'This portal does not let customers close tickets');
    const scope = await this.context.scopeOf(portal, contact);
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
      if (errorCode(error) !== 'TICKET_ALREADY_CLOSED') throw error;
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
    const portal = await this.context.portalOf(slug, req, res);
    const contact = requireContact(req, portal);
    // Inbox answers only for an attachment of a public message on a ticket this viewer may see.
    await this.downloads.send(res, {
      accountId: portal.accountId,
      attachmentId: id,
      viewer: await this.context.scopeOf(portal, contact),
      visibility: portal.ticketDisplay.visibility,
    });
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
    assertTicketId(id);
    const scope = await this.context.scopeOf(portal, contact);
    const visibility = portal.ticketDisplay.visibility;
    const [ticket, conversation, ticketProperties]: [
      PortalTicketDetail,
      PortalConversation,
      TicketPropertyView[],
    ] = await Promise.all([
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
      this.ticketProperties.of(portal.accountId),
    ]);
    const t = translatorFor(portal.domain.language);
    const base = `/${portal.general.slug}`;
    const columns = columnsOf(portal, t).filter((column) => column.property !== 'subject');
    const choices = choiceLabelsOf(columns, ticketProperties);
    const properties = columns.map((column) => ({
      label: column.label,
      ...cellFor(column.property, ticket, portal, t, choices, ''),
    }));
    const actions = portal.ticketActions;
    const limits = {
      count: this.config.MAX_ATTACHMENTS_PER_MESSAGE,
      size: t.formatBytes(this.config.MAX_ATTACHMENT_BYTES),
    };
    this.views.render(
      res,
      'portal/ticket.liquid',
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
        // An admin's preview only looks: no reply or close forms (the posts are refused anyway).
        canReply: !contact.preview && (!ticket.closed || actions.replyToClosed),
        replyReopens: ticket.closed && actions.replyToClosed,
        canClose: !contact.preview && actions.allowClose && !ticket.closed,
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
