import {
  isErrorBody,
  ReadSubjects,
  type EventName,
  type EventPayload,
  type RpcRequest,
  type RpcResponse,
  type Subject,
} from '@helpdesk/contracts';
import { randomUUID } from 'node:crypto';
import {
  connect,
  headers as natsHeaders,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type NatsError,
} from 'nats';
import { AppError } from './app-error.js';
import { CORRELATION_HEADER, currentCorrelationId, type Logger } from './logging.js';

export interface RpcClientOptions {
  natsUrl: string;
  /** How long a request may take before the caller gets SERVICE_UNAVAILABLE. */
  timeoutMs: number;
  /** Shown in the NATS server's connection list. */
  name?: string;
  /** Where a failed event publish is reported (events never fail the caller). */
  logger?: Pick<Logger, 'warn'>;
}

/** Nest's NATS wire format: what its server expects in a request and sends back. */
interface NestReply {
  id?: string;
  response?: unknown;
  err?: unknown;
  isDisposed?: boolean;
}

/**
 * The typed way to talk to a service: request and response types come from the contracts, the
 * correlation id travels in a header, and every failure becomes an AppError with a known code.
 *
 * It speaks Nest's NATS message format through nats.js directly: `request()` answers on one shared
 * reply subscription, where Nest's client proxy subscribes and unsubscribes a new inbox per request,
 * and a request nobody listens to fails at once ("no responders") instead of waiting for a timeout.
 */
export class RpcClient {
  private connection?: Promise<NatsConnection>;

  constructor(private readonly options: RpcClientOptions) {}

  async send<S extends Subject>(
    subject: S,
    payload: RpcRequest<S>,
    opts: { timeoutMs?: number } = {},
  ): Promise<RpcResponse<S>> {
    const timeoutMs = opts.timeoutMs ?? this.options.timeoutMs;
    let reply: NestReply;
    try {
      const nats = await this.connect();
      const data = encode({ pattern: subject, data: payload, id: randomUUID() });
      const headers = this.headers();
      const message = ReadSubjects.has(subject)
        ? await this.read(nats, subject, data, headers, timeoutMs)
        : await nats.request(subject, data, { timeout: timeoutMs, headers });
      reply = JSON.parse(message.string()) as NestReply;
    } catch (error) {
      throw unavailable(error, subject, timeoutMs);
    }
    if (reply.err !== undefined && reply.err !== null) {
      if (isErrorBody(reply.err)) throw new AppError(reply.err.code, reply.err.message, reply.err.fields);
      // e.g. "There is no matching message handler": a service older than its caller.
      throw new AppError(
        'SERVICE_UNAVAILABLE',
        `The ${serviceOf(subject)} service could not handle ${subject}`,
      );
    }
    return reply.response as RpcResponse<S>;
  }

  /**
   * Publishes an event. Events are notifications over core NATS (at most once): a failure to publish
   * is logged and never fails the caller, whose own change is already stored. What must not be lost
   * goes through an outbox instead (docs/adr/0002).
   *
   * With `routed`, it resolves once the NATS server has passed the event on to its subscribers. An
   * event that invalidates caches is emitted so before the change is answered: a caller that gets the
   * answer and asks again finds the caches already dropped.
   */
  async emit<E extends EventName>(
    event: E,
    payload: EventPayload<E>,
    { routed = false }: { routed?: boolean } = {},
  ): Promise<void> {
    try {
      const nats = await this.connect();
      nats.publish(event, encode({ pattern: event, data: payload }), { headers: this.headers() });
      // The server handles a connection's messages in order: its answer to this ping comes after it
      // has routed the event.
      if (routed) await nats.flush();
    } catch (error) {
      this.options.logger?.warn({ err: error, event }, 'event not published');
    }
  }

  /** Resolves once the NATS server has answered a round trip on this client's connection. */
  async checkConnection(): Promise<void> {
    await (await this.connect()).flush();
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection) await (await connection.catch(() => undefined))?.drain().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /**
   * A read that has had no answer for half its timeout is sent once more, and the first answer wins,
   * within the same deadline. A replica killed while it held a request never answers it; the queue
   * group gives the second one to a replica that is alive. (A stopped replica drains instead, and a
   * service nobody serves fails at once with no responders: neither waits for this.)
   */
  private async read(
    nats: NatsConnection,
    subject: string,
    data: Uint8Array,
    headers: MsgHdrs | undefined,
    timeoutMs: number,
  ): Promise<Msg> {
    const first = nats.request(subject, data, { timeout: timeoutMs, headers });
    const againAfterMs = Math.floor(timeoutMs / 2);
    let timer: NodeJS.Timeout | undefined;
    const silent = await Promise.race([
      first.then(
        () => false,
        () => false,
      ),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), againAfterMs))),
    ]);
    clearTimeout(timer);
    if (!silent) return first;
    this.options.logger?.warn({ subject, afterMs: againAfterMs }, 'no answer yet; asking again');
    const second = nats.request(subject, data, { timeout: timeoutMs - againAfterMs, headers });
    return Promise.any([first, second]).catch((error: AggregateError) => {
      throw error.errors[0];
    });
  }

  private connect(): Promise<NatsConnection> {
    this.connection ??= connect({
      servers: this.options.natsUrl,
      name: this.options.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      // No stack trace captured per request; our own errors name the subject anyway.
      noAsyncTraces: true,
    }).catch((error: unknown) => {
      this.connection = undefined; // try again on the next request
      throw error;
    });
    return this.connection;
  }

  private headers(): MsgHdrs | undefined {
    const id = currentCorrelationId();
    if (!id) return undefined;
    const headers = natsHeaders();
    headers.set(CORRELATION_HEADER, id);
    return headers;
  }
}

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const serviceOf = (subject: string) => subject.split('.')[0];

function unavailable(error: unknown, subject: string, timeoutMs: number): AppError {
  const code = (error as NatsError | undefined)?.code;
  const service = serviceOf(subject);
  if (code === 'TIMEOUT')
    return new AppError(
      'SERVICE_UNAVAILABLE',
      `The ${service} service did not answer within ${timeoutMs} ms`,
    );
  if (code === '503') return new AppError('SERVICE_UNAVAILABLE', `The ${service} service is not running`);
  const reason = error instanceof Error ? error.message : 'unknown error';
  return new AppError('SERVICE_UNAVAILABLE', `The ${service} service is not reachable (${reason})`);
}
