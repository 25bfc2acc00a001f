import { ErrorKinds, type ErrorBody, type ErrorCode, type ErrorKind } from '@helpdesk/contracts';
import { AppError, currentCorrelationId, type Logger } from '@helpdesk/kit';
import { HttpException } from '@nestjs/common';
import type { Response } from 'express';

const statusOfKind: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

/** The HTTP status the API answers an error code with (and pages refusing a form use too). */
export const httpStatusOf = (code: ErrorCode): number => statusOfKind[ErrorKinds[code]];

const codeOfStatus = (status: number): ErrorCode =>
  (({
    400: 'VALIDATION_FAILED',
    401: 'UNAUTHENTICATED',
    403: 'FORBIDDEN',
    404: 'ROUTE_NOT_FOUND',
    409: 'CONFLICT',
    413: 'PAYLOAD_TOO_LARGE',
    429: 'TOO_MANY_ATTEMPTS',
  })[status] as ErrorCode | undefined) ?? (status < 500 ? 'VALIDATION_FAILED' : 'INTERNAL');

/** Seconds a client should wait before retrying when a service is unavailable or it is rate limited. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Turns anything thrown while handling a request into `{ error: { code, message, fields?, correlationId } }`
 * with the matching status. Only what is truly unexpected is a 500, and it is logged with its stack.
 */
export function sendError(error: unknown, res: Response, logger: Logger): void {
  const { status, body } = describe(error);
  if (status >= 500 && status !== 503) logger.error({ err: error }, 'request failed');
  else if (status === 503) logger.warn({ code: body.code, message: body.message }, 'dependency unavailable');
  if (res.headersSent) return;
  if (status === 503 || status === 429) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  res.status(status).json({ error: { ...body, correlationId: currentCorrelationId() } });
}

function describe(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof AppError) return { status: httpStatusOf(error.code), body: error.toBody() };
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return { status, body: { code: codeOfStatus(status), message: error.message } };
  }
  // Errors from Express middleware (body parser: too large, malformed JSON) carry their status.
  const status = (error as { status?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const type = (error as { type?: string }).type;
    const message =
      type === 'entity.parse.failed' ? 'The request body is not valid JSON' : (error as Error).message;
    return { status, body: { code: codeOfStatus(status), message } };
  }
  return { status: 500, body: { code: 'INTERNAL', message: 'Internal error' } };
}
