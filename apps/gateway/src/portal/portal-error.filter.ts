import type { ResolvedPortal } from '@helpdesk/contracts';
import { currentCorrelationId, LOGGER, type Logger } from '@helpdesk/kit';
import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { errorPageKind, type ErrorPageKind } from '../http/error-page-kind.js';
import type { MessageKey } from './i18n.js';
import { layoutData, LoginRequired, PreviewReadOnlyError } from './portal-page.js';
import { PageViews } from '../http/page-views.js';

interface ErrorPage {
  status: number;
  title: MessageKey;
  text: MessageKey;
}

const previewReadOnly: ErrorPage = {
  status: 403,
  title: 'previewReadOnlyTitle',
  text: 'previewReadOnlyText',
};
const pages: Record<ErrorPageKind, ErrorPage> = {
  notFound: { status: 404, title: 'notFoundTitle', text: 'notFoundText' },
  csrf: { status: 403, title: 'csrfTitle', text: 'csrfText' },
  forbidden: { status: 403, title: 'accessDeniedTitle', text: 'accessDeniedText' },
  badRequest: { status: 400, title: 'badRequestTitle', text: 'badRequestText' },
  tooMany: { status: 429, title: 'badRequestTitle', text: 'tooManyText' },
  unavailable: { status: 503, title: 'unavailableTitle', text: 'unavailableText' },
  internal: { status: 500, title: 'errorTitle', text: 'errorText' },
};

/**
 * Portal pages answer failures with pages, not JSON: a login where one is needed, a 404 page for
 * anything unknown or out of the viewer's reach (exactly alike), a 403 page for a form without its
 * CSRF token, a 503 page while a service is away. Unexpected errors are logged and get a 500 page
 * with the correlation id to quote.
 */
@Catch()
export class PortalErrorFilter implements ExceptionFilter {
  constructor(
    private readonly views: PageViews,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    if (error instanceof LoginRequired) {
      const params = new URLSearchParams({ next: error.next });
      if (res.locals.sessionExpired) params.set('expired', '1');
      return res.redirect(303, `/${error.slug}/login?${params.toString()}`);
    }
    // A preview only looks; everything else as any page's error.
    const page =
      error instanceof PreviewReadOnlyError ? previewReadOnly : pages[errorPageKind(error, this.logger)];
    if (page.status === 503 || page.status === 429) res.setHeader('Retry-After', '5');
    const portal = res.locals.portal as ResolvedPortal | undefined;
    try {
      this.views.render(
        res,
        'portal/error.liquid',
        {
          ...layoutData(req, portal),
          error: {
            title: page.title,
            text: page.text,
            status: page.status,
            reference: page.status >= 500 ? currentCorrelationId() : null,
          },
        },
        page.status,
      );
    } catch (failure) {
      this.logger.error({ err: failure }, 'error page failed');
      if (!res.headersSent) res.status(page.status).type('text').send(String(page.status));
    }
  }
}
