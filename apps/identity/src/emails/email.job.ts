import { isPermanentFailure, type Logger } from '@helpdesk/kit';
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { EMAILS_QUEUE, type EmailKind, type QueuedEmail } from './email.js';
import { EMAILS_OPTIONS, type EmailsModuleOptions } from './emails.options.js';
import { EmailsService, type DeliveryResult } from './emails.service.js';

type EmailJobData = Job<QueuedEmail, DeliveryResult, EmailKind>;

/** The `identity.emails` worker: a thin adapter from a job to `EmailsService.deliver`. */
@Injectable()
export class EmailJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private worker?: Worker<QueuedEmail, DeliveryResult, EmailKind>;
  private connection?: Redis;
  private readonly logger: Logger;

  constructor(
    @Inject(EMAILS_OPTIONS) private readonly options: EmailsModuleOptions,
    private readonly emails: EmailsService,
  ) {
    this.logger = options.logger.child({ queue: EMAILS_QUEUE });
  }

  onApplicationBootstrap() {
    // A worker's own connection must retry forever (maxRetriesPerRequest: null) or BullMQ refuses it.
    this.connection = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null });
    this.worker = new Worker(EMAILS_QUEUE, (job) => this.process(job), {
      connection: this.connection,
      prefix: this.options.queuePrefix,
      concurrency: this.options.concurrency ?? 4,
    });
    this.worker.on('failed', (job, err) => {
      const final = !job || err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
      const fields = { jobId: job?.id, kind: job?.name, attemptsMade: job?.attemptsMade, err };
      if (final) this.logger.error(fields, 'email failed for good; kept in the failed set');
      else this.logger.warn(fields, 'email attempt failed; will retry');
    });
    this.worker.on('error', (err) => this.logger.error({ err }, 'email worker error'));
  }

  private async process(job: EmailJobData): Promise<DeliveryResult> {
    try {
      return await this.emails.deliver(job.id!, job.data);
    } catch (error) {
      // The server said no for good (5xx): fail now instead of asking five more times.
      if (isPermanentFailure(error)) throw new UnrecoverableError((error as Error).message);
      throw error;
    }
  }

  // Before the service's onApplicationShutdown closes the queue: let jobs in progress finish first.
  async beforeApplicationShutdown() {
    await this.worker?.close();
    await this.connection?.quit().catch(() => this.connection?.disconnect());
  }
}
