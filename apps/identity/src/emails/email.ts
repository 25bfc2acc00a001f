import { JobQueues } from '@helpdesk/contracts';
import type { JobState } from 'bullmq';
import { z } from 'zod';

/** Identity's own outgoing mail; inbox notifications have a queue of their own. */
export const EMAILS_QUEUE = JobQueues.identityEmails;

/** Languages with templates (the same set as the portal's UI languages). */
export const EmailLocale = z.enum(['en', 'fi']);
export type EmailLocale = z.infer<typeof EmailLocale>;

// Parameters end up in a subject line and in HTML: one line each, bounded, and links only http(s)
// so a `javascript:` URL can never become a button.
const line = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'is required')
    .max(max)
    .regex(/^[^\r\n]*$/, 'must be a single line');

const LinkParams = z.object({
  portalName: line(200),
  link: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2_000),
  name: line(200).optional(),
  expiresInHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .optional(),
});

/** What each kind of email needs; a kind with different needs gets its own schema here. */
const ParamsByKind = {
  invitation: LinkParams,
  verification: LinkParams,
  'password-reset': LinkParams,
} as const;

export type EmailKind = keyof typeof ParamsByKind;
export type EmailParams<K extends EmailKind> = z.output<(typeof ParamsByKind)[K]>;

const to = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: 'must be an email address' }));
const outgoing = <K extends EmailKind>(kind: K) =>
  z.object({ kind: z.literal(kind), to, locale: EmailLocale, params: ParamsByKind[kind] });

export const OutgoingEmail = z.discriminatedUnion('kind', [
  outgoing('invitation'),
  outgoing('verification'),
  outgoing('password-reset'),
]);
/** An email as a caller hands it over; one typed variant per kind. */
export type OutgoingEmail = z.input<typeof OutgoingEmail>;
/** The validated email, as stored in the job. */
export type QueuedEmail = z.output<typeof OutgoingEmail>;

export interface SendOptions {
  /**
   * Becomes the job id, so the same request sent twice (a client retry, a redelivered event) is
   * queued once. Letters, digits, `.`, `_` and `-` only (BullMQ ids may not contain `:`).
   */
  idempotencyKey?: string;
}

export interface DeliveryStatus {
  jobId: string;
  /** BullMQ's job state; `unknown` once a completed job has been removed (or for a wrong id). */
  state: JobState | 'unknown';
  attemptsMade: number;
  failedReason?: string;
  finishedAt?: string;
}
