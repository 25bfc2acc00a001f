import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import { pino, type DestinationStream, type Logger } from 'pino';

export const CORRELATION_HEADER = 'x-correlation-id';

/** The correlation id of the HTTP request or NATS message being handled, carried across awaits. */
export const correlation = new AsyncLocalStorage<{ correlationId: string }>();

export const currentCorrelationId = (): string | undefined => correlation.getStore()?.correlationId;

const acceptable = /^[A-Za-z0-9._:-]{8,128}$/;
/** Accepts a caller's id when it looks like one, so a hostile header cannot inject into log lines. */
export const correlationIdFrom = (candidate: string | undefined | null): string =>
  candidate && acceptable.test(candidate) ? candidate : randomUUID();

export type { Logger };

export function createLogger(options: {
  service: string;
  level: string;
  destination?: DestinationStream;
}): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: () => {
        const id = currentCorrelationId();
        return id ? { correlationId: id } : {};
      },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}

/** Routes Nest's own log calls into pino so every line has the same shape. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]) {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]) {
    this.write('fatal', message, rest);
  }

  private write(
    level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace',
    message: unknown,
    rest: unknown[],
  ) {
    // Nest passes the context (a class name) last, and for errors a stack before it.
    const context = typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
    const stack = rest.length > 1 && typeof rest[0] === 'string' ? rest[0] : undefined;
    if (message instanceof Error) this.logger[level]({ context, err: message }, message.message);
    else this.logger[level]({ context, ...(stack ? { stack } : {}) }, String(message));
  }
}
