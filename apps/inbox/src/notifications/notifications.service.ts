import {
  deliverFromJob,
  LOGGER,
  openJobQueue,
  portalPageUrl,
  RpcClient,
  SERVICE_CONFIG,
  type Logger,
  type MailTransport,
} from '@helpdesk/kit';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { InboxConfig } from '../config.js';
import { Attachment } from '../conversations/attachment.entity.js';
import { Message } from '../conversations/message.entity.js';
import { Thread } from '../conversations/thread.entity.js';
import { renderAgentReplyEmail } from './notification-email.js';
import {
  MAIL_TRANSPORT,
  NOTIFICATIONS_OPTIONS,
  NOTIFICATIONS_QUEUE,
  notificationJobId,
  type NotificationJobData,
  type NotificationKind,
  type NotificationsModuleOptions,
} from './notification.js';

export type DeliveryResult = { messageId: string } | { skipped: string };

/**
 * The requester's notification of an agent's reply. The outbox relay queues it (`notify` rows), the
 * worker sends it: the reply, and a link to the ticket on the portal's primary domain, in that
 * domain's language.
 */
@Injectable()
export class NotificationsService implements OnApplicationShutdown {
  readonly queue: Queue<NotificationJobData, DeliveryResult, NotificationKind>;
  private readonly closeQueue: () => Promise<void>;
  private readonly logger: Logger;

  constructor(
    @Inject(NOTIFICATIONS_OPTIONS) private readonly options: NotificationsModuleOptions,
    @Inject(MAIL_TRANSPORT) private readonly transport: MailTransport,
    @Inject(SERVICE_CONFIG) private readonly config: InboxConfig,
    @Inject(LOGGER) logger: Logger,
    private readonly em: EntityManager,
    private readonly rpc: RpcClient,
  ) {
    this.logger = logger.child({ queue: NOTIFICATIONS_QUEUE });
    const { queue, close } = openJobQueue<NotificationJobData, DeliveryResult, NotificationKind>(
      NOTIFICATIONS_QUEUE,
      {
        redisUrl: options.redisUrl,
        prefix: options.queuePrefix,
        logger,
        attempts: options.attempts,
        backoffMs: options.backoffMs,
      },
    );
    this.queue = queue;
    this.closeQueue = close;
  }

  /** Queues the email about a message once, however often it is asked (the job id is the message's). */
  async enqueue(accountId: string, messageId: string): Promise<void> {
    await this.queue.add('agent-reply', { accountId, messageId }, { jobId: notificationJobId(messageId) });
  }

  /** Sends the email about one agent reply (the worker calls this; safe to call again). */
  async deliver(jobId: string, { accountId, messageId }: NotificationJobData): Promise<DeliveryResult> {
    const message = await this.em.findOne(Message, { accountId, id: messageId });
    if (!message || message.visibility !== 'public' || message.direction !== 'from_agent')
      return { skipped: 'not an agent’s public reply' };
    const thread = await this.em.findOneOrFail(Thread, { accountId, id: message.threadId });
    if (!thread.requesterEmail) return { skipped: 'the requester has no email address' };
    const attachments = await this.em.find(
      Attachment,
      { accountId, messageId },
      { orderBy: { position: 'asc' } },
    );
    const portal = await this.rpc.send('identity.portal.get', { accountId });
    const domain = portal.domains.find((d) => d.primary) ?? portal.domains[0];
    const link = domain
      ? portalPageUrl(this.config, domain.hostname, portal.general.slug, `tickets/${thread.ticketId}`)
      : null;
    const rendered = renderAgentReplyEmail({
      language: domain?.language ?? 'en',
      portalName: portal.general.name,
      requesterName: thread.requesterName,
      agentName: message.authorName,
      ticketSubject: thread.subject,
      bodyHtml: message.bodyHtml,
      bodyText: message.bodyText,
      attachmentNames: attachments.map((a) => a.fileName),
      link,
    });
    const sent = await deliverFromJob(this.transport, {
      jobId,
      from: this.options.from,
      to: thread.requesterEmail,
      ...rendered,
    });
    this.logger.info({ jobId, messageId, ticketId: thread.ticketId }, 'agent reply notification sent');
    return sent;
  }

  async onApplicationShutdown() {
    await this.closeQueue();
    this.transport.close();
  }
}
