import { correlation, correlationIdFrom, CORRELATION_HEADER, type Logger, type Metrics } from '@helpdesk/kit';
import type { NextFunction, Request, Response } from 'express';
import { Histogram } from 'prom-client';

/** Query parameters that carry a secret: single-use links' tokens, single sign-on's code and state. */
const SECRET_PARAMETERS = new Set(['token', 'code', 'state']);

/**
 * The request's path and query for the log, with the values of secret parameters replaced: a log
 * line must not let its reader use someone's reset link or finish their sign-on.
 */
export function loggableUrl(url: string): string {
  const queryAt = url.indexOf('?');
  if (queryAt === -1) return url;
  const query = new URLSearchParams(
    [...new URLSearchParams(url.slice(queryAt + 1))].map(([name, value]): [string, string] => [
      name,
      SECRET_PARAMETERS.has(name.toLowerCase()) ? 'REDACTED' : value,
    ]),
  );
  return `${url.slice(0, queryAt)}?${query.toString()}`;
}

/**
 * First middleware of every request: adopts or creates the correlation id (answered in a header and
 * sent on with every NATS request), logs one line when the response is done and records its duration.
 */
export function requestContext(logger: Logger, metrics: Metrics) {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [metrics.registry],
  });
  return (req: Request, res: Response, next: NextFunction) => {
    const correlationId = correlationIdFrom(req.header(CORRELATION_HEADER) ?? req.header('x-request-id'));
    res.setHeader(CORRELATION_HEADER, correlationId);
    const started = process.hrtime.bigint();
    correlation.run({ correlationId }, () => {
      res.once('finish', () => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        // The matched route pattern keeps label values few (never raw ids).
        const route = (req.route as { path?: string } | undefined)?.path
          ? `${req.baseUrl}${(req.route as { path: string }).path}`
          : 'unmatched';
        duration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
        correlation.run({ correlationId }, () =>
          logger.info(
            {
              method: req.method,
              url: loggableUrl(req.originalUrl),
              status: res.statusCode,
              ms: Math.round(seconds * 100_000) / 100,
            },
            'http request',
          ),
        );
      });
      next();
    });
  };
}
