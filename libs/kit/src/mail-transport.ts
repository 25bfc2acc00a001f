import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UnrecoverableError } from 'bullmq';
import { createTransport, type NodemailerError } from 'nodemailer';
import type { Logger } from './logging.js';

export interface MailMessage {
  /** Also the base of the Message-ID, so a job that runs twice sends a duplicate receivers can spot. */
  jobId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Logged by the file transport so the demo works without a mail server; never the body. */
  links: string[];
}

export interface MailTransport {
  deliver(message: MailMessage): Promise<{ messageId: string }>;
  close(): void;
}

/** SMTP when a URL is configured; otherwise `.eml` files in a directory. */
export function createMailTransport(options: {
  smtpUrl?: string;
  mailDir: string;
  logger: Logger;
}): MailTransport {
  return options.smtpUrl ? smtpTransport(options.smtpUrl) : fileTransport(options.mailDir, options.logger);
}

/** A rejection the server will repeat for the same message (5xx); retrying it only delays the failure. */
export const isPermanentFailure = (error: unknown): boolean =>
  (error as NodemailerError | null)?.permanent === true;

/** Sends from a queue job: a refusal the server will repeat fails the job for good instead of retrying it. */
export async function deliverFromJob(
  transport: MailTransport,
  message: MailMessage,
): Promise<{ messageId: string }> {
  try {
    return await transport.deliver(message);
  } catch (error) {
    if (isPermanentFailure(error)) throw new UnrecoverableError((error as Error).message);
    throw error;
  }
}

const messageFields = (message: MailMessage) => ({
  from: message.from,
  to: message.to,
  subject: message.subject,
  text: message.text,
  html: message.html,
  messageId: `<${message.jobId}@${domainOf(message.from)}>`,
});

function domainOf(from: string): string {
  return /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'helpdesk.invalid';
}

function smtpTransport(url: string): MailTransport {
  // Nodemailer waits minutes by default; a stuck server should fail the attempt and let the queue retry.
  const transporter = createTransport({
    url,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 60_000,
  });
  return {
    async deliver(message) {
      const info = await transporter.sendMail(messageFields(message));
      return { messageId: info.messageId };
    },
    close: () => transporter.close(),
  };
}

function fileTransport(mailDir: string, logger: Logger): MailTransport {
  // Builds the same RFC 822 message SMTP would carry, as a buffer instead of a connection.
  const composer = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    async deliver(message) {
      const info = await composer.sendMail(messageFields(message));
      if (!Buffer.isBuffer(info.message)) throw new Error('stream transport returned no buffer');
      await mkdir(mailDir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const file = join(mailDir, `${stamp}-${message.jobId.replace(/[^\w.-]/g, '_')}.eml`);
      // Written under a temporary name first, so whoever watches the directory never reads half a file.
      await writeFile(`${file}.tmp`, info.message, { mode: 0o600 });
      await rename(`${file}.tmp`, file);
      logger.info(
        { jobId: message.jobId, to: message.to, file, links: message.links },
        'email written to file (no SMTP_URL set)',
      );
      return { messageId: info.messageId };
    },
    close: () => composer.close(),
  };
}
