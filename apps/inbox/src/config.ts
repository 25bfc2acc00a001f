import { envPort, envUrl, loadConfig, ServiceEnv } from '@helpdesk/kit';
import { z } from 'zod';

const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const InboxEnv = ServiceEnv.extend({
  METRICS_PORT: envPort.default(9104),
  /** BullMQ (the inbox.emails queue). */
  REDIS_URL: envUrl(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  /** Key prefix of the queues, so several systems (or test runs) can share one Redis. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,50}$/)
    .default('helpdesk'),
  /**
   * The shared file storage: the gateway stores uploads under `attachments/<accountId>/<uuid>`,
   * inbox checks them and removes refused ones. Replicas and the gateway must see the same directory.
   */
  FILE_STORAGE_DIR: z.string().min(1).default('var/files'),
  /** Outgoing mail server, e.g. smtp://user:pass@mail.example.com:587. Unset: mail is written to MAIL_DIR. */
  SMTP_URL: envUrl(['smtp:', 'smtps:']).optional(),
  MAIL_DIR: z.string().min(1).default('var/mail'),
  MAIL_FROM: z.string().min(3).default('Help desk <no-reply@localhost>'),
  /** Links in emails point at https://{portal domain}/{slug}/tickets/{id}; plain http and a port for local use. */
  PORTAL_LINK_SCHEME: z.enum(['http', 'https']).default('https'),
  PORTAL_LINK_PORT: envPort.optional(),
  MAX_ATTACHMENT_BYTES: count(1, 1024 * 1024 * 1024).default(20 * 1024 * 1024),
  MAX_ATTACHMENTS_PER_MESSAGE: count(0, 100).default(5),
  /** How often the outbox relay looks for due rows (it is also woken after every commit). */
  OUTBOX_POLL_MS: count(10, 60_000).default(1_000),
  OUTBOX_BATCH_SIZE: count(1, 1_000).default(20),
  /** First retry delay of a failed delivery; doubles up to OUTBOX_BACKOFF_MAX_MS. */
  OUTBOX_BACKOFF_BASE_MS: count(1, 3_600_000).default(1_000),
  OUTBOX_BACKOFF_MAX_MS: count(1, 24 * 3_600_000).default(5 * 60_000),
  /** Delivered rows are kept this long (for ops), then removed. */
  OUTBOX_RETENTION_HOURS: count(1, 24 * 365).default(72),
  /** From this many failed attempts on, a row is logged as an error and counted in outbox_failing_rows. */
  OUTBOX_FAILING_AFTER_ATTEMPTS: count(1, 1_000).default(5),
});
export type InboxConfig = z.output<typeof InboxEnv>;

export const loadInboxConfig = (env: Record<string, string | undefined> = process.env): InboxConfig =>
  loadConfig(InboxEnv, env);
