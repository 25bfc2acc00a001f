import { startJobWorker } from '@helpdesk/kit';
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { EMAILS_QUEUE, type EmailKind, type QueuedEmail } from './email.js';
import { EMAILS_OPTIONS, type EmailsModuleOptions } from './emails.options.js';
import { EmailsService, type DeliveryResult } from './emails.service.js';

/** The `identity.emails` worker: a thin adapter from a job to `EmailsService.deliver`. */
@Injectable()
export class EmailJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private worker?: ReturnType<typeof startJobWorker<QueuedEmail, DeliveryResult, EmailKind>>;

  constructor(
    @Inject(EMAILS_OPTIONS) private readonly options: EmailsModuleOptions,
    private readonly emails: EmailsService,
  ) {}

  onApplicationBootstrap() {
    this.worker = startJobWorker<QueuedEmail, DeliveryResult, EmailKind>(
      EMAILS_QUEUE,
      (job) => this.emails.deliver(job.id!, job.data),
      {
        redisUrl: this.options.redisUrl,
        prefix: this.options.queuePrefix,
        logger: this.options.logger,
        concurrency: this.options.concurrency ?? 4,
        what: 'email',
      },
    );
  }

  // Before the service's onApplicationShutdown closes the queue: let jobs in progress finish first.
  async beforeApplicationShutdown() {
    await this.worker?.close();
  }
}
