import {
  AppError,
  deliverFromJob,
  openJobQueue,
  parseOrThrow,
  type Logger,
  type MailTransport,
} from '@helpdesk/kit';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import {
  EMAILS_QUEUE,
  OutgoingEmail,
  type DeliveryStatus,
  type EmailKind,
  type QueuedEmail,
  type SendOptions,
} from './email.js';
import { MAIL_TRANSPORT, EMAILS_OPTIONS, type EmailsModuleOptions } from './emails.options.js';
import { renderEmail } from './render-email.js';

export interface DeliveryResult {
  messageId: string;
}

const idempotencyKey = /^[\w-]+(\.[\w-]+)*$/;

@Injectable()
export class EmailsService implements OnApplicationShutdown {
  // Job data carries the link itself, not ids: only a hash of each token is stored, so the link
  // cannot be rebuilt later. Tokens expire, which bounds what a kept failed job still exposes.
  readonly queue: Queue<QueuedEmail, DeliveryResult, EmailKind>;
  private readonly closeQueue: () => Promise<void>;
  private readonly logger: Logger;

  constructor(
    @Inject(EMAILS_OPTIONS) private readonly options: EmailsModuleOptions,
    @Inject(MAIL_TRANSPORT) private readonly transport: MailTransport,
  ) {
    this.logger = options.logger.child({ queue: EMAILS_QUEUE });
    const { queue, close } = openJobQueue<QueuedEmail, DeliveryResult, EmailKind>(EMAILS_QUEUE, {
      redisUrl: options.redisUrl,
      prefix: options.queuePrefix,
      logger: options.logger,
      attempts: options.attempts,
      backoffMs: options.backoffMs,
      keepCompletedSeconds: options.keepCompletedSeconds,
    });
    this.queue = queue;
    this.closeQueue = close;
  }

  /**
   * Queues an email. With an idempotency key the same request queues one job however often it is
   * sent, for as long as the job is kept (completed ones for `keepCompletedSeconds`, failed ones
   * until removed).
   */
  async send(email: OutgoingEmail, options: SendOptions = {}): Promise<{ jobId: string }> {
    const data = parseOrThrow(OutgoingEmail, email, 'email');
    const key = options.idempotencyKey;
    if (key !== undefined && (key.length > 200 || !idempotencyKey.test(key))) {
      throw new AppError(
        'VALIDATION_FAILED',
        'Invalid email: idempotencyKey may hold letters, digits, . _ -',
        {
          idempotencyKey: ['may hold letters, digits, . _ - (at most 200)'],
        },
      );
    }
    // Our own ids, never BullMQ's counter: they name the Message-ID too and must stay unique.
    const jobId = `${data.kind}.${key ?? randomUUID()}`;
    const job = await this.queue.add(data.kind, data, { jobId });
    return { jobId: job.id ?? jobId };
  }

  async deliveryStatus(jobId: string): Promise<DeliveryStatus> {
    // State first: once it reads finished, the job's fields read after it are final too.
    const state = await this.queue.getJobState(jobId);
    const job = state === 'unknown' ? undefined : await this.queue.getJob(jobId);
    if (!job) return { jobId, state: 'unknown', attemptsMade: 0 };
    return {
      jobId,
      state,
      attemptsMade: job.attemptsMade,
      ...(job.failedReason ? { failedReason: job.failedReason } : {}),
      ...(job.finishedOn ? { finishedAt: new Date(job.finishedOn).toISOString() } : {}),
    };
  }

  /** Renders and sends one queued email. Runs once per attempt; the job decides about retries. */
  async deliver(jobId: string, email: QueuedEmail): Promise<DeliveryResult> {
    const rendered = renderEmail(email);
    const result = await deliverFromJob(this.transport, {
      jobId,
      from: this.options.from,
      to: email.to,
      ...rendered,
    });
    this.logger.info({ jobId, kind: email.kind, messageId: result.messageId }, 'email sent');
    return result;
  }

  // Runs after the worker has stopped (it closes in beforeApplicationShutdown), so no job is cut off.
  async onApplicationShutdown() {
    await this.closeQueue();
    this.transport.close();
  }
}
