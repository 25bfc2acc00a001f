import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates an app's own environment keys at boot and reports every bad key at once. */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined>,
): z.output<S> {
  // An empty value (KEY= in a .env or compose file) means "not set", so defaults apply.
  const result = schema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')),
  );
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`),
  );
}

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );

export const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
const port = z.coerce.number().int().min(0).max(65_535);

/** Keys every service and the gateway read. */
export const CommonEnv = z.object({
  NATS_URL: url(['nats:', 'tls:']).default('nats://127.0.0.1:4222'),
  LOG_LEVEL: LogLevel.default('info'),
  /** How long a stopping process keeps answering requests already received. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(3_000),
});

/** Keys every domain service reads (each has its own schema in the shared database). */
export const ServiceEnv = CommonEnv.extend({
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/helpdesk'),
  METRICS_PORT: port,
  METRICS_HOST: z.string().default('127.0.0.1'),
  /** How long a request to another service may take before it counts as unavailable. */
  RPC_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
});
export type ServiceConfig = z.output<typeof ServiceEnv>;

export const envUrl = url;
export const envPort = port;

/** The keys of a process that keeps something in Redis (queues, sessions, rate-limit counters). */
export const RedisEnv = z.object({
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  /**
   * The first part of every key the system keeps in Redis (`<prefix>:…`: queues, sessions, counters),
   * so several systems (or test runs) can share one Redis without seeing each other's keys.
   */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,50}$/)
    .default('helpdesk'),
});

/** The keys of a service that mails customers: where mail goes, and how its links reach the portal. */
export const MailEnv = z.object({
  /** Without it, mail is written as `.eml` files to MAIL_DIR and its links are logged. */
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  MAIL_DIR: z.string().min(1).default('var/mail'),
  MAIL_FROM: z.string().min(3).default('Help desk <no-reply@localhost>'),
  /** Links in emails point at https://{portal domain}/{slug}/…; plain http and a port for local use. */
  PORTAL_LINK_SCHEME: z.enum(['http', 'https']).default('https'),
  PORTAL_LINK_PORT: port.optional(),
});
