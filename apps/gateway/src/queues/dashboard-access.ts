import { AppError, type Logger } from '@helpdesk/kit';
import type { Request, RequestHandler } from 'express';
import { csrfToken, csrfValid } from '../auth/csrf.js';
import { viewerOf } from '../auth/viewer.js';
import type { AdminErrorFilter } from '../admin/admin-error.filter.js';
import { AdminLoginRequired } from '../admin/admin-page.js';
import { sendError } from '../http/error-response.js';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * bull-board's UI sends its API requests with axios, which copies this cookie into the
 * `X-XSRF-TOKEN` header of same-origin requests. The cookie holds the session's CSRF token (the
 * portal forms' one), so the dashboard's actions are checked against the server-side session like
 * every form post; another site can neither read the cookie nor set the header.
 */
const XSRF_COOKIE = 'XSRF-TOKEN';
const XSRF_HEADER = 'x-xsrf-token';

/** Reading requests: everything else (retry, clean, pause, …) changes a queue and needs the token. */
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** The UI's page (its entry routes), as opposed to its JSON API and static files. */
const isPage = (req: Request) => SAFE_METHODS.has(req.method) && !/^\/(api|static)\//.test(req.path);

/**
 * What the page loads: its own scripts, styles, images and JSON (translations, the API), nothing
 * from other sites. The only inline styles allowed are bull-board 9.10.1's own, by hash: the page's
 * style block, a logo's SVG style block, and the five style attributes of the loading placeholder.
 * (After an upgrade the browser's CSP error names the hash of any new one.)
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "style-src-elem 'self' 'sha256-dv714QSXJBurriRZTklJT4phtgwCe+o7Frxoi2awcdg=' 'sha256-r2N1TB/gHbBtBZFKg7ejmq1acVSREzucTAEw6ga4hoU='",
  "style-src-attr 'unsafe-hashes' 'sha256-of39ksKG33VNCYo5/quRg1dhdo2AWSv8WJi2LNKOSTU=' 'sha256-dg51HqBfD6n0yW6arUPC/pQLVghRZbOuP0gPg9FhCTw=' 'sha256-XtkH5bXSf2qTXVOXBZrUBgydsBjBOqKXas4aSqlrDYQ=' 'sha256-4qiUsLv1mhPpLyv14EyMNeEfESFsI8tYHvGHgST5oO4=' 'sha256-z865ZzzyqKnk/u5EJq1ujBhzC4S9g1xzvJyr7y3Ut8s='",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Only internal users with the `ops` permission: a visitor without a session is sent to the admin
 * login (the API answers 401), anyone else (an agent, a portal customer) gets 403 — the page as an
 * admin error page, the API as JSON. Changes need the session's CSRF token.
 */
export function dashboardAccess(logger: Logger, errorPages: AdminErrorFilter): RequestHandler {
  return (req, res, next) => {
    const viewer = viewerOf(req);
    const refuse = (error: Error) =>
      isPage(req) ? errorPages.respond(error, req, res) : sendError(error, res, logger);
    if (!viewer) {
      if (isPage(req)) return errorPages.respond(new AdminLoginRequired(req.originalUrl), req, res);
      return sendError(new AppError('UNAUTHENTICATED', 'Log in as an internal user first'), res, logger);
    }
    if (viewer.kind !== 'internal' || !viewer.permissions.includes('ops'))
      return refuse(new AppError('FORBIDDEN', 'The queue dashboard needs the "ops" permission'));
    if (!SAFE_METHODS.has(req.method) && !csrfValid(req.session, req.header(XSRF_HEADER)))
      return sendError(
        new AppError('FORBIDDEN', 'The request did not carry this session’s CSRF token'),
        res,
        logger,
      );
    if (isPage(req)) {
      res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
      res.setHeader('Cache-Control', 'no-store');
      res.cookie(XSRF_COOKIE, csrfToken(req.session), {
        path: QUEUE_DASHBOARD_PATH,
        sameSite: 'strict',
        secure: req.secure,
      });
    }
    next();
  };
}

/** bull-board's page links Google Fonts; the dashboard loads nothing from other sites. */
const REMOTE_FONTS = /<link href="https:\/\/fonts\.googleapis\.com\/[^"]*" rel="stylesheet">\s*/;

/**
 * Cuts that link out of the rendered page (the UI then uses the system's sans-serif and monospace
 * fonts), so the CSP needs no third party and the browser reports no blocked stylesheet.
 */
export const withoutRemoteFonts: RequestHandler = (_req, res, next) => {
  const render = res.render.bind(res);
  res.render = (view: string, options?: object) =>
    render(view, options, (error: Error | null, html?: string) =>
      error ? next(error) : res.send(html?.replace(REMOTE_FONTS, '')),
    );
  next();
};
