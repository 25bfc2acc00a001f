import type { ResolvedPortal, TicketExportView } from '@helpdesk/contracts';
import { AppError, LOGGER, RpcClient, type FileStorage, type Logger } from '@helpdesk/kit';
import { Controller, Get, Inject, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { assertCsrf } from '../auth/csrf.js';
import type { ContactViewer } from '../auth/viewer.js';
import { pathId } from '../http/path-id.js';
import { sendStoredFile } from '../http/stored-file.js';
import { FILE_STORAGE } from '../uploads/uploads.tokens.js';
import { translatorFor, type Translator } from './i18n.js';
import { listRequest, PortalContext } from './portal-context.js';
import { PortalErrorFilter } from './portal-error.filter.js';
import { columnsOf, layoutData, requireContact } from './portal-page.js';
import { PageViews } from '../http/page-views.js';
import { TicketPropertiesCache } from './ticket-properties-cache.js';
import { listViewOf, viewQuery } from './ticket-view.js';
import { errorCode } from '../http/form-fields.js';

const exportId = pathId('EXPORT_NOT_FOUND', 'Export');

/**
 * Export to CSV (SPEC P4): the current view with its filters, search and sort becomes a job in
 * tickets; the page shows its progress and the file downloads when it is ready.
 */
@ApiExcludeController()
@UseFilters(PortalErrorFilter)
@Controller(':slug')
export class PortalExportsController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly context: PortalContext,
    private readonly views: PageViews,
    private readonly ticketProperties: TicketPropertiesCache,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post('exports')
  async startExport(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.context.portalOf(slug, req, res);
    const contact = requireContact(req, portal);
    assertCsrf(req);
    const [scope, properties] = await Promise.all([
      this.context.scopeOf(portal, contact),
      this.ticketProperties.of(portal.accountId),
    ]);
    const { view } = listViewOf(properties, portal, (req.body ?? {}) as Record<string, unknown>);
    const t = translatorFor(portal.domain.language);
    try {
      const started = await this.rpc.send('tickets.exports.start', {
        ...listRequest(portal, scope, view),
        // The file's header is what the list's headings say, in the page's language.
        columns: columnsOf(portal, t).map(({ property, label }) => ({ property, label })),
        showStages: portal.ticketDisplay.showStages,
        language: portal.domain.language,
      });
      res.redirect(303, `/${portal.general.slug}/exports/${started.exportId}`);
    } catch (error) {
      if (errorCode(error) !== 'TOO_MANY_ATTEMPTS') throw error;
      res.setHeader('Retry-After', '5');
      this.views.render(
        res,
        'portal/export.liquid',
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
    const portal = await this.context.portalOf(slug, req, res);
    const contact = requireContact(req, portal);
    const found = await this.exportOf(portal, contact, id);
    const t = translatorFor(portal.domain.language);
    this.views.render(res, 'portal/export.liquid', {
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
    const portal = await this.context.portalOf(slug, req, res);
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
    const portal = await this.context.portalOf(slug, req, res);
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

  private exportOf(portal: ResolvedPortal, contact: ContactViewer, id: string): Promise<TicketExportView> {
    return this.rpc.send('tickets.exports.get', {
      accountId: portal.accountId,
      contactId: contact.contactId,
      exportId: exportId(id),
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
}
