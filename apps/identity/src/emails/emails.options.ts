import type { Logger } from '@helpdesk/kit';

export interface EmailsModuleOptions {
  redisUrl: string;
  /** BullMQ key prefix; tests use a unique one per run. */
  queuePrefix: string;
  /** `smtp://…` or `smtps://…`; when unset, emails are written as `.eml` files into `mailDir`. */
  smtpUrl?: string;
  mailDir: string;
  /** The From header, e.g. `Helpdesk <no-reply@example.com>`. */
  from: string;
  logger: Logger;
  /** Tries per email, the first included (default 6). */
  attempts?: number;
  /** First retry delay in ms, doubling on each further retry (default 2000). */
  backoffMs?: number;
  /** How long completed jobs (and so their idempotency keys) are kept (default one day). */
  keepCompletedSeconds?: number;
  /** Emails sent in parallel by one process (default 4). */
  concurrency?: number;
}

export const EMAILS_OPTIONS = Symbol('EMAILS_OPTIONS');
export const MAIL_TRANSPORT = Symbol('MAIL_TRANSPORT');
