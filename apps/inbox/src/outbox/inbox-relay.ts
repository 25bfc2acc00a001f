import type { RpcRequest } from '@helpdesk/contracts';
import { LOGGER, Metrics, OutboxRelay, RpcClient, SERVICE_CONFIG, type Logger } from '@helpdesk/kit';
import { MikroORM } from '@mikro-orm/core';
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { InboxConfig } from '../config.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { inboxOutbox } from './inbox-outbox.entity.js';

/** What inbox writes into its outbox, by kind. */
export interface InboxOutboxPayloads {
  /** Told to tickets (`tickets.messages.record`, idempotent by messageId): last activity, search text, reopen. */
  'tickets.record': RpcRequest<'tickets.messages.record'>;
  /** Queue the requester's email about an agent's reply (one BullMQ job per message). */
  notify: { messageId: string };
}

/**
 * Inbox's outbox relay: the one place for work after a commit. Runs in every replica (they share
 * the rows through SKIP LOCKED); stops before the RPC client closes.
 */
@Injectable()
export class InboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly relay: OutboxRelay;

  constructor(
    orm: MikroORM,
    rpc: RpcClient,
    notifications: NotificationsService,
    metrics: Metrics,
    @Inject(SERVICE_CONFIG) config: InboxConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.relay = new OutboxRelay(orm, {
      outbox: inboxOutbox,
      handlers: {
        'tickets.record': (row) =>
          rpc.send('tickets.messages.record', row.payload as InboxOutboxPayloads['tickets.record']),
        notify: (row) =>
          notifications.enqueue(row.accountId, (row.payload as InboxOutboxPayloads['notify']).messageId),
      },
      logger,
      registry: metrics.registry,
      pollMs: config.OUTBOX_POLL_MS,
      batchSize: config.OUTBOX_BATCH_SIZE,
      // Longer than any RPC may take, so a slow delivery is never handed to a second replica.
      leaseMs: Math.max(30_000, config.RPC_TIMEOUT_MS * 3),
      backoff: { baseMs: config.OUTBOX_BACKOFF_BASE_MS, maxMs: config.OUTBOX_BACKOFF_MAX_MS },
      retentionMs: config.OUTBOX_RETENTION_HOURS * 3_600_000,
      failingAfterAttempts: config.OUTBOX_FAILING_AFTER_ATTEMPTS,
    });
  }

  onApplicationBootstrap() {
    this.relay.start();
  }

  /** Call after committing outbox rows: delivers now instead of at the next poll. */
  wake() {
    this.relay.wake();
  }

  stats() {
    return this.relay.stats();
  }

  async beforeApplicationShutdown() {
    await this.relay.stop();
  }
}
