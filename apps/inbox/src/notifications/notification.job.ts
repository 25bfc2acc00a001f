import { isPermanentFailure, LOGGER, type Logger } from '@helpdesk/kit';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import {
  NOTIFICATIONS_OPTIONS,
  NOTIFICATIONS_QUEUE,
  type NotificationJobData,
  type NotificationKind,
  type NotificationsModuleOptions,
} from './notification.js';
import { NotificationsService, type DeliveryResult } from './notifications.service.js';

/** The `inbox.emails` worker: a thin adapter from a job to `NotificationsService.deliver`. */
@Injectable()
export class NotificationJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private worker?: Worker<NotificationJobData, DeliveryResult, NotificationKind>;
  private connection?: Redis;
  private readonly logger: Logger;

  constructor(
    @Inject(NOTIFICATIONS_OPTIONS) private readonly options: NotificationsModuleOptions,
    @Inject(LOGGER) logger: Logger,
    private readonly notifications: NotificationsService,
    private readonly orm: MikroORM,
  ) {
    this.logger = logger.child({ queue: NOTIFICATIONS_QUEUE });
  }

  onApplicationBootstrap() {
    // A worker's own connection must retry forever (maxRetriesPerRequest: null) or BullMQ refuses it.
    this.connection = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null });
    this.worker = new Worker(NOTIFICATIONS_QUEUE, (job) => this.process(job), {
      connection: this.connection,
      prefix: this.options.queuePrefix,
      concurrency: this.options.concurrency ?? 4,
    });
    this.worker.on('failed', (job, err) => {
      const final = !job || err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
      const fields = { jobId: job?.id, kind: job?.name, attemptsMade: job?.attemptsMade, err };
      if (final) this.logger.error(fields, 'notification failed for good; kept in the failed set');
      else this.logger.warn(fields, 'notification attempt failed; will retry');
    });
    this.worker.on('error', (err) => this.logger.error({ err }, 'notification worker error'));
  }

  private process(job: Job<NotificationJobData, DeliveryResult, NotificationKind>): Promise<DeliveryResult> {
    return RequestContext.create(this.orm.em, async () => {
      try {
        return await this.notifications.deliver(job.id!, job.data);
      } catch (error) {
        // The mail server said no for good (5xx): fail now instead of asking five more times.
        if (isPermanentFailure(error)) throw new UnrecoverableError((error as Error).message);
        throw error;
      }
    });
  }

  // Before the queue closes (onApplicationShutdown): let emails being sent finish first.
  async beforeApplicationShutdown() {
    await this.worker?.close();
    await this.connection?.quit().catch(() => this.connection?.disconnect());
  }
}
