import { LOGGER, Metrics, OutboxRelay, SERVICE_CONFIG, type Logger } from '@helpdesk/kit';
import { MikroORM } from '@mikro-orm/core';
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { FormsConfig } from '../config.js';
import { SubmissionDelivery } from '../submissions/submission-delivery.js';
import { formsOutbox } from './forms-outbox.entity.js';

/** The kinds of row forms writes into its outbox. */
export const SUBMISSION_DELIVER = 'submission.deliver';

/**
 * Forms' outbox relay (the kit's OutboxRelay, docs/adr/0002): delivers every stored submission until
 * identity, tickets and inbox have acknowledged it. Runs in every replica (they share the rows through
 * SKIP LOCKED); woken after each submission so the ticket exists by the customer's next page load.
 */
@Injectable()
export class FormsRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly relay: OutboxRelay;
  private readonly enabled: boolean;

  constructor(
    orm: MikroORM,
    delivery: SubmissionDelivery,
    metrics: Metrics,
    @Inject(SERVICE_CONFIG) config: FormsConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.enabled = config.OUTBOX_RELAY === 'on';
    this.relay = new OutboxRelay(orm, {
      outbox: formsOutbox,
      handlers: { [SUBMISSION_DELIVER]: (row) => delivery.deliver(row) },
      logger,
      registry: metrics.registry,
      pollMs: config.OUTBOX_POLL_MS,
      batchSize: config.OUTBOX_BATCH_SIZE,
      leaseMs: config.OUTBOX_LEASE_MS,
      backoff: { baseMs: config.OUTBOX_BACKOFF_BASE_MS, maxMs: config.OUTBOX_BACKOFF_MAX_MS },
      retentionMs: config.OUTBOX_RETENTION_HOURS * 3_600_000,
      failingAfterAttempts: config.OUTBOX_FAILING_AFTER_ATTEMPTS,
    });
  }

  onApplicationBootstrap() {
    if (this.enabled) this.relay.start();
  }

  /** Call after committing a submission: delivers now instead of at the next poll. */
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
