import { AppError, currentCorrelationId, LOGGER, type Logger } from '@helpdesk/kit';
import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { viewerOf } from '../auth/viewer.js';
import { errorPageKind, type ErrorPageKind } from '../http/error-page-kind.js';
import { PageViews } from '../http/page-views.js';
import { adminLayoutData, AdminLoginRequired } from './admin-page.js';

interface ErrorPage {
  status: number;
  title: string;
  text: string;
}

const pages: Record<ErrorPageKind, ErrorPage> = {
  notFound: { status: 404, title: 'Not found', text: 'There is no such page, or it was removed.' },
  csrf: {
    status: 403,
    title: 'The form expired',
    text: 'The page was open for too long or in another session. Go back, reload it and try again.',
  },
  forbidden: {
    status: 403,
    title: 'No access',
    text: 'Your account does not have the permission this page needs. An admin can grant it.',
  },
  badRequest: { status: 400, title: 'Not accepted', text: 'The request was not valid.' },
  tooMany: { status: 429, title: 'Too many requests', text: 'Wait a little and try again.' },
  unavailable: {
    status: 503,
    title: 'Temporarily unavailable',
    text: 'A part of the help desk is not answering. Try again in a moment; nothing was lost.',
  },
  internal: {
    status: 500,
    title: 'Something went wrong',
    text: 'The error was logged. If it happens again, quote the reference below.',
  },
};

/**
 * Admin pages answer failures with pages: the login where one is needed, 403 for a missing
 * permission or CSRF token, 404, 503 while a service is away; unexpected errors are logged and get
 * a 500 page with the correlation id.
 */
@Catch()
export class AdminErrorFilter implements ExceptionFilter {
  constructor(
    private readonly views: PageViews,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    this.respond(
      error,
      host.switchToHttp().getRequest<Request>(),
      host.switchToHttp().getResponse<Response>(),
    );
  }

  /** The answer to a failed admin page; also used outside Nest's routes (the queue dashboard's page). */
  respond(error: unknown, req: Request, res: Response): void {
    if (res.headersSent) return;
    if (error instanceof AdminLoginRequired) {
      const expired = res.locals.sessionExpired ? '&expired=1' : '';
      return res.redirect(303, `/admin/login?next=${encodeURIComponent(error.next)}${expired}`);
    }
    const page = pages[errorPageKind(error, this.logger)];
    if (page.status === 503) res.setHeader('Retry-After', '5');
    const viewer = viewerOf(req);
    try {
      this.views.render(
        res,
        'admin/error.liquid',
        {
          ...adminLayoutData(req, viewer?.kind === 'internal' ? viewer : undefined, { title: page.title }),
          error: {
            ...page,
            detail: error instanceof AppError && page.status < 500 ? error.message : null,
            reference: page.status >= 500 ? currentCorrelationId() : null,
          },
        },
        page.status,
      );
    } catch (failure) {
      this.logger.error({ err: failure }, 'admin error page failed');
      if (!res.headersSent) res.status(page.status).type('text').send(String(page.status));
    }
  }
}
