import { envPort, envUrl, loadConfig, ServiceEnv } from '@helpdesk/kit';
import { z } from 'zod';

export const IdentityEnv = ServiceEnv.extend({
  METRICS_PORT: envPort.default(9101),
  /** BullMQ (the identity.emails queue). */
  REDIS_URL: envUrl(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  /** Key prefix of the queues, so several systems (or test runs) can share one Redis. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,50}$/)
    .default('helpdesk'),
  /** Outgoing mail server, e.g. smtp://user:pass@mail.example.com:587. Unset: mail is written to MAIL_DIR. */
  SMTP_URL: envUrl(['smtp:', 'smtps:']).optional(),
  MAIL_DIR: z.string().min(1).default('var/mail'),
  MAIL_FROM: z.string().min(3).default('Help desk <no-reply@localhost>'),
  /** Links in emails point at https://{portal domain}/{slug}/…; plain http and a port for local use. */
  PORTAL_LINK_SCHEME: z.enum(['http', 'https']).default('https'),
  PORTAL_LINK_PORT: envPort.optional(),
  /** Lets portal SSO use an http:// OpenID provider. Only for a local test provider. */
  OIDC_ALLOW_INSECURE_HTTP: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
});
export type IdentityConfig = z.output<typeof IdentityEnv>;

export { SERVICE_CONFIG as IDENTITY_CONFIG } from '@helpdesk/kit';

export const loadIdentityConfig = (env: Record<string, string | undefined> = process.env): IdentityConfig =>
  loadConfig(IdentityEnv, env);
