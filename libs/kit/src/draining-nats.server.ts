import { ServerNats, type NatsOptions } from '@nestjs/microservices';
import type { Msg, NatsConnection, Subscription } from 'nats';
import { inFlight } from './in-flight.js';

/**
 * Nest's NATS server, stopping the way a replica in a queue group should: drain each subscription
 * (the server routes new requests to the other replicas; messages already buffered here are still
 * handled), wait for handlers in flight up to the grace period, then close the connection.
 * Nest's own graceful mode unsubscribes instead, which drops buffered requests, and then always
 * waits the whole grace period.
 */
export class DrainingNatsServer extends ServerNats {
  constructor(
    options: NatsOptions['options'],
    private readonly graceMs: number,
  ) {
    super({ ...options, gracefulShutdown: false });
  }

  /** Counts a message from its arrival; the RPC interceptor keeps counting it until it is answered. */
  override async handleMessage(channel: string, message: Msg): Promise<unknown> {
    inFlight.start();
    try {
      return await super.handleMessage(channel, message);
    } finally {
      inFlight.finish();
    }
  }

  override async close(): Promise<void> {
    // `subscriptions` is private in Nest's class; it is the list of this server's handler subscriptions.
    const subscriptions = (this as unknown as { subscriptions: Subscription[] }).subscriptions;
    await Promise.all(subscriptions.filter((s) => !s.isClosed()).map((s) => s.drain()));
    await inFlight.idle(this.graceMs);
    // Replies written just now are still in the client's buffer: send them before closing.
    await this.unwrap<NatsConnection>()
      .flush()
      .catch(() => undefined);
    await super.close();
  }
}
