import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@helpdesk/kit';
import { freePort, LogCapture } from '@helpdesk/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import type { DeliveryStatus, OutgoingEmail } from '../src/emails/email.js';
import { EmailsModule } from '../src/emails/emails.module.js';
import type { EmailsModuleOptions } from '../src/emails/emails.options.js';
import { EmailsService } from '../src/emails/emails.service.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test-emails-${randomUUID()}`;
const link = 'https://portal.example.test/set-password?token=Zm9vYmFy-0123456789&lang=fi';

/** What the test SMTP server does with a message, chosen by the recipient's local part. */
const behaviour = (to: string) => to.split(/[.@]/)[0];
const received: { to: string; raw: string }[] = [];
const dataCalls = new Map<string, number>();
const smtpError = (code: number, message: string) =>
  Object.assign(new Error(message), { responseCode: code });

let smtp: SMTPServer;
let smtpUrl: string;
let redis: Redis;
let mailDir: string;
const logs = new LogCapture();
let smtpApp: INestApplicationContext;
let fileApp: INestApplicationContext;
let emails: EmailsService;
let fileEmails: EmailsService;

async function boot(options: Partial<EmailsModuleOptions>): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(
    EmailsModule.forRoot({
      redisUrl,
      queuePrefix: prefix,
      mailDir: join(tmpdir(), 'unused'),
      from: 'Acme Support <no-reply@acme.example.test>',
      logger: createLogger({ service: 'identity', level: 'debug', destination: logs }),
      attempts: 3,
      backoffMs: 50,
      ...options,
    }),
    { logger: false },
  );
}

beforeAll(async () => {
  smtp = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address).join(',');
        const call = (dataCalls.get(to) ?? 0) + 1;
        dataCalls.set(to, call);
        switch (behaviour(to)) {
          case 'defer-twice':
            if (call <= 2) return callback(smtpError(451, 'Try again later'));
            break;
          case 'defer-always':
            return callback(smtpError(451, 'Try again later'));
          case 'reject':
            return callback(smtpError(550, 'Mailbox unavailable'));
        }
        const accept = () => {
          received.push({ to, raw: Buffer.concat(chunks).toString('utf8') });
          callback();
        };
        if (behaviour(to) === 'slow') setTimeout(accept, 500);
        else accept();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => smtp.listen(port, '127.0.0.1', resolve));
  redis = new Redis(redisUrl);
  mailDir = await mkdtemp(join(tmpdir(), 'identity-mail-'));

  smtpUrl = `smtp://127.0.0.1:${port}`;
  smtpApp = await boot({ smtpUrl });
  emails = smtpApp.get(EmailsService);
  // Its own prefix: two workers on one queue would take each other's jobs.
  fileApp = await boot({ queuePrefix: `${prefix}-file`, mailDir: join(mailDir, 'nested') });
  fileEmails = fileApp.get(EmailsService);
});

afterAll(async () => {
  await smtpApp?.close();
  await fileApp?.close();
  if (smtp) await new Promise<void>((resolve) => smtp.close(() => resolve()));
  if (redis) {
    const keys: string[] = [];
    for await (const batch of redis.scanStream({ match: `${prefix}*`, count: 1000 }))
      keys.push(...(batch as string[]));
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  }
  if (mailDir) await rm(mailDir, { recursive: true, force: true });
});

async function settled(service: EmailsService, jobId: string): Promise<DeliveryStatus> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const status = await service.deliveryStatus(jobId);
    if (status.state === 'completed' || status.state === 'failed') return status;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${status.state}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const address = (kind: string) => `${kind}.${randomUUID()}@example.test`;
const mailsTo = (to: string) => received.filter((mail) => mail.to === to);

const invitation = (to: string, params: Partial<OutgoingEmail['params']> = {}): OutgoingEmail => ({
  kind: 'invitation',
  to,
  locale: 'fi',
  params: { portalName: 'Acme Tuki', link, name: 'Maija', expiresInHours: 72, ...params },
});

describe('identity.emails', () => {
  it('delivers a Finnish invitation with its subject and the exact link, as a button and as text', async () => {
    const to = address('ok');
    const { jobId } = await emails.send(invitation(to));

    expect(await settled(emails, jobId)).toMatchObject({ state: 'completed', attemptsMade: 1 });
    const [mail] = mailsTo(to);
    const parsed = parseMail(mail.raw);
    expect(parsed.subject).toBe('Kutsu asiakasportaaliin Acme Tuki');
    expect(parsed.header('from')).toBe('Acme Support <no-reply@acme.example.test>');
    expect(parsed.header('message-id')).toBe(`<${jobId}@acme.example.test>`);
    expect(parsed.text).toContain('Sinut on kutsuttu asiakasportaaliin Acme Tuki');
    expect(parsed.text).toContain('Linkki on voimassa 72 tuntia');
    expect(parsed.text.split('\n')).toContain(link);
    const hrefs = [...parsed.html.matchAll(/<a href="([^"]*)"/g)].map((m) => unescapeHtml(m[1]));
    expect(hrefs).toEqual([link, link]);
    expect(parsed.html).toContain('>Aseta salasana</a>');
  });

  it('escapes a hostile name and portal name in the HTML part', async () => {
    const to = address('ok');
    const hostile = '<script>alert("x")</script> & Co';
    const { jobId } = await emails.send(invitation(to, { name: hostile, portalName: '<b>Evil</b>' }));

    expect(await settled(emails, jobId)).toMatchObject({ state: 'completed' });
    const { html, text } = parseMail(mailsTo(to)[0].raw);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>');
    expect(html).toContain('Hei &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co,');
    expect(html).toContain('asiakasportaaliin &lt;b&gt;Evil&lt;/b&gt;.');
    expect(text).toContain(`Hei ${hostile},`);
  });

  it('retries while the server defers and delivers exactly once', async () => {
    const to = address('defer-twice');
    const { jobId } = await emails.send({ ...invitation(to), kind: 'password-reset', locale: 'en' });

    expect(await settled(emails, jobId)).toMatchObject({ state: 'completed', attemptsMade: 3 });
    expect(dataCalls.get(to)).toBe(3);
    expect(mailsTo(to)).toHaveLength(1);
    expect(parseMail(mailsTo(to)[0].raw).subject).toBe('Reset your Acme Tuki password');
    const warnings = logs.find(
      (line) => line.jobId === jobId && line.msg === 'email attempt failed; will retry',
    );
    expect(warnings).toHaveLength(2);
  });

  it('fails at once on a permanent rejection and keeps the job in the failed set', async () => {
    const to = address('reject');
    const { jobId } = await emails.send(invitation(to));

    const status = await settled(emails, jobId);
    expect(status).toMatchObject({ state: 'failed', attemptsMade: 1 });
    expect(status.failedReason).toContain('550');
    expect(mailsTo(to)).toHaveLength(0);
    expect(await redis.zscore(`${prefix}:identity.emails:failed`, jobId)).not.toBeNull();
    expect(logs.find((line) => line.jobId === jobId && line.level === 50)).toHaveLength(1);
  });

  it('gives up after the configured attempts while the server keeps deferring, and keeps the job', async () => {
    const to = address('defer-always');
    const { jobId } = await emails.send(invitation(to));

    const status = await settled(emails, jobId);
    expect(status).toMatchObject({ state: 'failed', attemptsMade: 3 });
    expect(status.failedReason).toContain('451');
    expect(dataCalls.get(to)).toBe(3);
    expect(await redis.zscore(`${prefix}:identity.emails:failed`, jobId)).not.toBeNull();
    // Still there a moment later: failed jobs are not cleaned up.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await emails.deliveryStatus(jobId)).state).toBe('failed');
  });

  it('queues one email for the same idempotency key, however often it is sent', async () => {
    const to = address('ok');
    const idempotencyKey = `invitation-${randomUUID()}`;
    const [first, second] = await Promise.all([
      emails.send(invitation(to), { idempotencyKey }),
      emails.send(invitation(to), { idempotencyKey }),
    ]);
    expect(second.jobId).toBe(first.jobId);
    await settled(emails, first.jobId);
    const again = await emails.send(invitation(to), { idempotencyKey });
    expect(again.jobId).toBe(first.jobId);

    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mailsTo(to)).toHaveLength(1);
    expect(dataCalls.get(to)).toBe(1);
  });

  it('refuses an invalid email or idempotency key before queueing anything', async () => {
    await expect(
      emails.send(invitation(address('ok'), { link: 'javascript:alert(1)' })),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(emails.send(invitation(address('ok')), { idempotencyKey: 'a:b' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('lets an email being sent finish when the application shuts down', async () => {
    const stopPrefix = `${prefix}-stop`;
    const app = await boot({ smtpUrl, queuePrefix: stopPrefix });
    const to = address('slow');
    const { jobId } = await app.get(EmailsService).send(invitation(to));
    const deadline = Date.now() + 10_000;
    while (dataCalls.get(to) === undefined && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));

    await app.close();
    expect(mailsTo(to)).toHaveLength(1);
    expect(await redis.zscore(`${stopPrefix}:identity.emails:completed`, jobId)).not.toBeNull();
  });

  it('writes an .eml file with the link and logs the link when no SMTP server is configured', async () => {
    const to = address('file');
    const { jobId } = await fileEmails.send({
      kind: 'verification',
      to,
      locale: 'en',
      params: { portalName: 'Acme', link },
    });

    expect(await settled(fileEmails, jobId)).toMatchObject({ state: 'completed' });
    const files = await readdir(join(mailDir, 'nested'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d-]+Z-${jobId}\\.eml$`));
    const parsed = parseMail(await readFile(join(mailDir, 'nested', files[0]), 'utf8'));
    expect(parsed.subject).toBe('Confirm your email address for Acme');
    expect(parsed.header('to')).toBe(to);
    expect(parsed.text.split('\n')).toContain(link);

    const [logged] = logs.find((line) => line.jobId === jobId && Array.isArray(line.links));
    expect(logged).toMatchObject({ level: 30, links: [link] });
    // Links, yes; the message itself, never.
    const everything = JSON.stringify(logs.lines);
    expect(everything).not.toContain('<!doctype');
    expect(everything).not.toContain('Thanks for signing up');
  });
});

// A minimal reader for the messages nodemailer builds (multipart/alternative, quoted-printable or
// base64 parts, RFC 2047 encoded words), so the test checks what a mail client would show.
function parseMail(raw: string) {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = parseHeaders(head);
  const boundary = /boundary="?([^";]+)"?/i.exec(headers.get('content-type') ?? '')?.[1];
  const parts = new Map<string, string>();
  if (boundary) {
    for (const section of rest.join('\r\n\r\n').split(`--${boundary}`).slice(1, -1)) {
      const [partHead = '', ...body] = section.replace(/^\r?\n/, '').split(/\r?\n\r?\n/);
      const partHeaders = parseHeaders(partHead);
      const type = (partHeaders.get('content-type') ?? '').split(';')[0].trim();
      parts.set(type, decodeBody(body.join('\r\n\r\n'), partHeaders.get('content-transfer-encoding')));
    }
  }
  return {
    header: (name: string) => decodeWords(headers.get(name) ?? ''),
    subject: decodeWords(headers.get('subject') ?? ''),
    text: (parts.get('text/plain') ?? '').replace(/\r\n/g, '\n'),
    html: parts.get('text/html') ?? '',
  };
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function decodeBody(body: string, encoding = '7bit'): string {
  if (/base64/i.test(encoding)) return Buffer.from(body, 'base64').toString('utf8');
  if (/quoted-printable/i.test(encoding)) return decodeQuotedPrintable(body.replace(/=\r?\n/g, ''));
  return body;
}

function decodeQuotedPrintable(value: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const hex = value.slice(i + 1, i + 3);
    if (value[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(value.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_all, encoding: string, text: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}

function unescapeHtml(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
