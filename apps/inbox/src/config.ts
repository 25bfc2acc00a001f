import { DEFAULT_MAX_ATTACHMENT_BYTES, DEFAULT_MAX_ATTACHMENTS_PER_MESSAGE } from '@helpdesk/contracts';
import { envPort, loadConfig, MailEnv, RedisEnv, ServiceEnv } from '@helpdesk/kit';
import { z } from 'zod';

const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const InboxEnv = ServiceEnv.extend({
  METRICS_PORT: envPort.default(9104),
  ...RedisEnv.shape,
  /**
   * The shared file storage: the gateway stores uploads under `attachments/<accountId>/<uuid>`,
   * inbox checks them and removes refused ones. Replicas and the gateway must see the same directory.
   */
  FILE_STORAGE_DIR: z.string().min(1).default('var/files'),
  ...MailEnv.shape,
  MAX_ATTACHMENT_BYTES: count(1, 1024 * 1024 * 1024).default(DEFAULT_MAX_ATTACHMENT_BYTES),
  MAX_ATTACHMENTS_PER_MESSAGE: count(0, 100).default(DEFAULT_MAX_ATTACHMENTS_PER_MESSAGE),
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
