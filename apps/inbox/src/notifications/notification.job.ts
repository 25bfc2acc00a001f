import { LOGGER, startJobWorker, type Logger } from '@helpdesk/kit';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  NOTIFICATIONS_OPTIONS,
  NOTIFICATIONS_QUEUE,
  type NotificationJobData,
  type NotificationKind,
  type NotificationsModuleOptions,
} from './notification.js';
import { NotificationsService, type DeliveryResult } from './notifications.service.js';

/** The `inbox.emails` worker: a thin adapter from a job to `NotificationsService.deliver`, in a fresh ORM context. */
@Injectable()
export class NotificationJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private worker?: ReturnType<typeof startJobWorker<NotificationJobData, DeliveryResult, NotificationKind>>;

  constructor(
    @Inject(NOTIFICATIONS_OPTIONS) private readonly options: NotificationsModuleOptions,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly notifications: NotificationsService,
    private readonly orm: MikroORM,
  ) {}

  onApplicationBootstrap() {
    this.worker = startJobWorker<NotificationJobData, DeliveryResult, NotificationKind>(
      NOTIFICATIONS_QUEUE,
      (job) => RequestContext.create(this.orm.em, () => this.notifications.deliver(job.id!, job.data)),
      {
        redisUrl: this.options.redisUrl,
        prefix: this.options.queuePrefix,
        logger: this.logger,
        concurrency: this.options.concurrency ?? 4,
        what: 'notification',
      },
    );
  }

  // Before the queue closes (onApplicationShutdown): let emails being sent finish first.
  async beforeApplicationShutdown() {
    await this.worker?.close();
  }
}
