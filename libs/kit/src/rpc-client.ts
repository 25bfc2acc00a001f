import {
  isErrorBody,
  type EventName,
  type EventPayload,
  type Subject,
  type RpcRequest,
  type RpcResponse,
} from '@helpdesk/contracts';
import { ClientProxyFactory, NatsRecordBuilder, Transport, type ClientProxy } from '@nestjs/microservices';
import { headers as natsHeaders, type NatsConnection } from 'nats';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { AppError } from './app-error.js';
import { CORRELATION_HEADER, currentCorrelationId } from './logging.js';

export interface RpcClientOptions {
  natsUrl: string;
  /** How long a request may take before the caller gets SERVICE_UNAVAILABLE. */
  timeoutMs: number;
}

/**
 * The typed way to talk to a service: request and response types come from the contracts, the
 * correlation id travels in a header, and every failure becomes an AppError with a known code.
 */
export class RpcClient {
  private readonly proxy: ClientProxy;

  constructor(private readonly options: RpcClientOptions) {
    this.proxy = ClientProxyFactory.create({
      transport: Transport.NATS,
      options: { servers: options.natsUrl },
    });
  }

  async send<S extends Subject>(
    subject: S,
    payload: RpcRequest<S>,
    opts: { timeoutMs?: number } = {},
  ): Promise<RpcResponse<S>> {
    const timeoutMs = opts.timeoutMs ?? this.options.timeoutMs;
    try {
      return await firstValueFrom(
        this.proxy.send<RpcResponse<S>>(subject, this.record(payload)).pipe(timeout(timeoutMs)),
      );
    } catch (error) {
      throw toAppError(error, subject, timeoutMs);
    }
  }

  async emit<E extends EventName>(event: E, payload: EventPayload<E>): Promise<void> {
    await firstValueFrom(this.proxy.emit(event, this.record(payload)), { defaultValue: undefined });
  }

  /** Resolves once the NATS server has answered a round trip on this client's connection. */
  async checkConnection(): Promise<void> {
    const connection = (await this.proxy.connect()) as NatsConnection;
    await connection.flush();
  }

  async close(): Promise<void> {
    await this.proxy.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private record(payload: unknown) {
    const headers = natsHeaders();
    const id = currentCorrelationId();
    if (id) headers.set(CORRELATION_HEADER, id);
    return new NatsRecordBuilder(payload).setHeaders(headers).build();
  }
}

function toAppError(error: unknown, subject: string, timeoutMs: number): AppError {
  if (error instanceof AppError) return error;
  if (isErrorBody(error)) return new AppError(error.code, error.message, error.fields);
  const service = subject.split('.')[0];
  if (error instanceof TimeoutError) {
    return new AppError(
      'SERVICE_UNAVAILABLE',
      `The ${service} service did not answer within ${timeoutMs} ms`,
    );
  }
  // Connection failures and "no matching handler" (a service older than its caller) mean the same to a caller.
  const message =
    error instanceof Error ? error.message : String((error as { message?: unknown })?.message ?? error);
  return new AppError('SERVICE_UNAVAILABLE', `The ${service} service is not reachable (${message})`);
}
