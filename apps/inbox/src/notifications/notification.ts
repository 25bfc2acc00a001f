import { JobQueues } from '@helpdesk/contracts';

/** Inbox's outgoing mail: one job per agent reply, emailing the requester. */
export const NOTIFICATIONS_QUEUE = JobQueues.inboxEmails;

export type NotificationKind = 'agent-reply';

/** Job data is ids; the worker reads the message, the thread and the portal when it runs. */
export interface NotificationJobData {
  accountId: string;
  messageId: string;
}

/** One job per message however often the outbox delivers the `notify` row (BullMQ ignores a repeated id). */
export const notificationJobId = (messageId: string) => `agent-reply.${messageId}`;

export interface NotificationsModuleOptions {
  redisUrl: string;
  /** BullMQ key prefix; tests use a unique one per run. */
  queuePrefix: string;
  /** The From header, e.g. `Help desk <no-reply@example.com>`. */
  from: string;
  /** Tries per email, the first included (default 6). */
  attempts?: number;
  /** First retry delay in ms, doubling on each further retry (default 2 000). */
  backoffMs?: number;
  /** Emails sent in parallel by one process (default 4). */
  concurrency?: number;
}

export const NOTIFICATIONS_OPTIONS = Symbol('NOTIFICATIONS_OPTIONS');
export const MAIL_TRANSPORT = Symbol('MAIL_TRANSPORT');
