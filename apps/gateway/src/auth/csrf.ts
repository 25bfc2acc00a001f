import { AppError } from '@helpdesk/kit';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';

/** The hidden form field (and, for scripts, the header) that carries the token. */
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/**
 * Synchronizer-token CSRF protection: one random token per session, kept server-side, put into
 * every form as a hidden input. A post counts only when it carries the session's token; a page on
 * another site can neither read the token nor guess it. Logging in regenerates the session, and
 * with it the token.
 */
export function csrfToken(session: { csrfToken?: string }): string {
  session.csrfToken ??= randomBytes(32).toString('base64url');
  return session.csrfToken;
}

/** Whether the post carries the session's token (form field or header), compared in constant time. */
export function csrfValid(session: { csrfToken?: string } | undefined, given: unknown): boolean {
  const expected = session?.csrfToken;
  if (typeof expected !== 'string' || typeof given !== 'string' || given.length !== expected.length)
    return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

/** The token a request carries: the form field first, then the header. */
export function csrfTokenOf(req: Request): unknown {
  const body = req.body as Record<string, unknown> | undefined;
  return body?.[CSRF_FIELD] ?? req.header(CSRF_HEADER);
}

/** Thrown on a post without the session's token; the portal answers it with a 403 page. */
export class CsrfRejectedError extends Error {
  constructor() {
    super('The form did not carry this session’s CSRF token');
    this.name = 'CsrfRejectedError';
  }
}

/** Refuses the request unless it carries the session's token. */
export function assertCsrf(req: Request): void {
  if (!csrfValid(req.session, csrfTokenOf(req))) throw new CsrfRejectedError();
}

/** Methods that change nothing: a browser may send them from anywhere. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The JSON API's CSRF protection. It authenticates with the session cookie but takes no token (its
 * callers are scripts), and SameSite=Lax keeps the cookie off other sites' posts but not off a
 * sibling subdomain's. So a request that may change something is refused when the browser says it
 * comes from another origin: `Sec-Fetch-Site` other than same-origin or none (a typed address), or,
 * from a browser without Fetch Metadata, an `Origin` that is not this gateway's own. Scripts send
 * neither header and are not affected.
 */
export const refuseCrossOriginWrites: RequestHandler = (req, _res, next) => {
  if (SAFE_METHODS.has(req.method)) return next();
  const site = req.header('sec-fetch-site');
  const origin = req.header('origin');
  const crossOrigin =
    site !== undefined
      ? site !== 'same-origin' && site !== 'none'
      : origin !== undefined && origin !== `${req.protocol}://${req.host}`;
  next(
    crossOrigin
      ? new AppError('FORBIDDEN', 'The API does not take requests that other sites make in a browser')
      : undefined,
  );
};
