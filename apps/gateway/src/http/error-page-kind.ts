import { ErrorKinds } from '@helpdesk/contracts';
import { AppError, type Logger } from '@helpdesk/kit';
import { HttpException } from '@nestjs/common';
import { CsrfRejectedError } from '../auth/csrf.js';

export type ErrorPageKind =
  'notFound' | 'csrf' | 'forbidden' | 'badRequest' | 'tooMany' | 'unavailable' | 'internal';

/**
 * Which error page a failed page request gets (the portal's and the admin area's filters word
 * them). A service away is logged as a warning; anything unexpected as an error.
 */
export function errorPageKind(error: unknown, logger: Logger): ErrorPageKind {
  if (error instanceof CsrfRejectedError) return 'csrf';
  if (error instanceof AppError) {
    switch (ErrorKinds[error.code]) {
      case 'not_found':
        return 'notFound';
      case 'forbidden':
        return 'forbidden';
      case 'invalid':
      case 'conflict':
      case 'too_large':
        return 'badRequest';
      case 'rate_limited':
        return 'tooMany';
      case 'unavailable':
        logger.warn({ code: error.code, message: error.message }, 'dependency unavailable');
        return 'unavailable';
      case 'unauthenticated':
      case 'internal':
        break;
    }
  }
  if (error instanceof HttpException && error.getStatus() === 404) return 'notFound';
  logger.error({ err: error }, 'page failed');
  return 'internal';
}
