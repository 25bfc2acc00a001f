import { Events, type EventName, type EventPayload } from '@helpdesk/contracts';
import { LOGGER, type Logger } from '@helpdesk/kit';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { connect, type NatsConnection } from 'nats';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';

type Handler<E extends EventName> = (payload: EventPayload<E>) => void | Promise<void>;

/**
 * The events the portal reacts to: `portal.updated` (drop cached portals),
 * `ticket.property.changed` and `pipeline.changed` (drop an account's cached ticket properties) and
 * `contact.sessions.revoked` (end a contact's sessions). Every gateway replica subscribes without a
 * queue group, so each one drops its own cache. Core NATS is at-most-once: a missed event is covered
 * by the resolver's short TTL, and revoked sessions by their idle timeout.
 */
@Injectable()
export class PortalEvents implements OnModuleInit, OnApplicationShutdown {
  private readonly handlers = new Map<EventName, Handler<never>[]>();
  private connection?: Promise<NatsConnection | undefined>;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  on<E extends EventName>(event: E, handler: Handler<E>): void {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
  }

  onModuleInit(): void {
    // Not awaited: the gateway starts (and answers 503 where it must) while NATS is away.
    this.connection = connect({
      servers: this.config.NATS_URL,
      name: 'gateway-portal-events',
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
    }).then(
      (nats) => {
        for (const event of this.handlers.keys()) this.subscribe(nats, event);
        return nats;
      },
      (error: unknown) => {
        this.logger.warn({ err: error }, 'portal events not subscribed');
        return undefined;
      },
    );
  }

  /** Resolves once the subscriptions are in place (tests wait for it). */
  async ready(): Promise<void> {
    const nats = await this.connection;
    await nats?.flush();
  }

  async onApplicationShutdown(): Promise<void> {
    const nats = await this.connection;
    await nats?.drain().catch(() => undefined);
  }

  private subscribe(nats: NatsConnection, event: EventName): void {
    nats.subscribe(event, {
      callback: (error, message) => {
        if (error) return this.logger.warn({ err: error, event }, 'portal event subscription failed');
        // Nest's wire format: { pattern, data }.
        let payload: unknown;
        try {
          payload = (JSON.parse(message.string()) as { data?: unknown }).data;
        } catch {
          payload = undefined;
        }
        const parsed = Events[event].safeParse(payload);
        if (!parsed.success) return this.logger.warn({ event }, 'malformed portal event ignored');
        for (const handler of this.handlers.get(event) ?? []) {
          Promise.resolve()
            .then(() => handler(parsed.data as never))
            .catch((failure: unknown) =>
              this.logger.warn({ err: failure, event }, 'portal event handler failed'),
            );
        }
      },
    });
  }
}
