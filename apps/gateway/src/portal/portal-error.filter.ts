import { ErrorKinds, type ResolvedPortal } from '@helpdesk/contracts';
import { AppError, currentCorrelationId, LOGGER, type Logger } from '@helpdesk/kit';
import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CsrfRejectedError } from '../auth/csrf.js';
import type { MessageKey } from './i18n.js';
import { layoutData, LoginRequired, PreviewReadOnlyError } from './portal-page.js';
import { PageViews } from '../http/page-views.js';

interface ErrorPage {
  status: number;
  title: MessageKey;
  text: MessageKey;
}

const pages = {
  notFound: { status: 404, title: 'notFoundTitle', text: 'notFoundText' },
  csrf: { status: 403, title: 'csrfTitle', text: 'csrfText' },
  forbidden: { status: 403, title: 'accessDeniedTitle', text: 'accessDeniedText' },
  previewReadOnly: { status: 403, title: 'previewReadOnlyTitle', text: 'previewReadOnlyText' },
  badRequest: { status: 400, title: 'badRequestTitle', text: 'badRequestText' },
  tooMany: { status: 429, title: 'badRequestTitle', text: 'loginTooMany' },
  unavailable: { status: 503, title: 'unavailableTitle', text: 'unavailableText' },
  internal: { status: 500, title: 'errorTitle', text: 'errorText' },
} satisfies Record<string, ErrorPage>;

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
    const page = this.pageFor(error);
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

  private pageFor(error: unknown): ErrorPage {
    if (error instanceof CsrfRejectedError) return pages.csrf;
    if (error instanceof PreviewReadOnlyError) return pages.previewReadOnly;
    if (error instanceof AppError) {
      switch (ErrorKinds[error.code]) {
        case 'not_found':
          return pages.notFound;
        case 'forbidden':
          return pages.forbidden;
        case 'invalid':
        case 'conflict':
        case 'too_large':
          return pages.badRequest;
        case 'rate_limited':
          return pages.tooMany;
        case 'unavailable':
          this.logger.warn({ code: error.code, message: error.message }, 'dependency unavailable');
          return pages.unavailable;
        case 'unauthenticated':
        case 'internal':
          break;
      }
    }
    if (error instanceof HttpException && error.getStatus() === 404) return pages.notFound;
    this.logger.error({ err: error }, 'portal page failed');
    return pages.internal;
  }
}
