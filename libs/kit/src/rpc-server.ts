import { Rpc, type Subject } from '@helpdesk/contracts';
import {
  applyDecorators,
  Catch,
  Inject,
  Injectable,
  Optional,
  UsePipes,
  type ArgumentMetadata,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type PipeTransform,
  type RpcExceptionFilter,
} from '@nestjs/common';
import { MessagePattern, NatsContext } from '@nestjs/microservices';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import type { MsgHdrs } from 'nats';
import { Observable, throwError } from 'rxjs';
import { AppError } from './app-error.js';
import { inFlight } from './in-flight.js';
import { correlation, correlationIdFrom, CORRELATION_HEADER, type Logger } from './logging.js';
import { Metrics } from './metrics.js';
import { parseOrThrow } from './validation.js';

export const LOGGER = Symbol('LOGGER');

class ContractPipe implements PipeTransform {
  constructor(private readonly subject: Subject) {}

  transform(value: unknown, metadata: ArgumentMetadata) {
    if (metadata.type !== 'body') return value; // leave @Ctx() alone
    return parseOrThrow(Rpc[this.subject].request, value, `${this.subject} request`);
  }
}

/** Marks a handler as the server of a contract subject; its payload is validated against the contract first. */
export const Serves = (subject: Subject) =>
  applyDecorators(MessagePattern(subject), UsePipes(new ContractPipe(subject)));

/** Turns AppErrors into their wire form and everything unexpected into a logged INTERNAL error. */
@Catch()
export class RpcErrorFilter implements RpcExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown): Observable<never> {
    if (exception instanceof AppError) return throwError(() => exception.toBody());
    this.logger.error({ err: exception }, 'unhandled error in handler');
    return throwError(() => new AppError('INTERNAL', 'Internal error').toBody());
  }
}

/**
 * Runs around every NATS request and event: adopts the caller's correlation id, gives the handler
 * a fresh ORM context (no HTTP middleware runs here), logs one line and records the duration.
 */
@Injectable()
export class RpcInterceptor implements NestInterceptor {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: Metrics,
    @Optional() private readonly orm?: MikroORM,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const nats = context.switchToRpc().getContext<NatsContext>();
    const subject = nats.getSubject();
    const correlationId = correlationIdFrom(
      (nats.getHeaders() as MsgHdrs | undefined)?.get(CORRELATION_HEADER),
    );
    return new Observable((subscriber) => {
      inFlight.start();
      const started = process.hrtime.bigint();
      let finished = false;
      const done = (outcome: 'ok' | 'error', error?: unknown) => {
        finished = true;
        inFlight.finish();
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        this.metrics.rpcDuration.observe({ subject, outcome }, ms / 1000);
        correlation.run({ correlationId }, () => {
          const code = error instanceof AppError ? error.code : outcome === 'error' ? 'INTERNAL' : undefined;
          this.logger.info(
            { subject, ms: Math.round(ms * 100) / 100, outcome, ...(code ? { code } : {}) },
            'rpc handled',
          );
        });
      };
      const run = () =>
        next.handle().subscribe({
          next: (value) => subscriber.next(value),
          error: (error: unknown) => {
            done('error', error);
            subscriber.error(error);
          },
          complete: () => {
            done('ok');
            subscriber.complete();
          },
        });
      const inner = correlation.run({ correlationId }, () =>
        this.orm ? RequestContext.create(this.orm.em, run) : run(),
      );
      return () => {
        inner.unsubscribe();
        if (!finished) inFlight.finish();
      };
    });
  }
}
