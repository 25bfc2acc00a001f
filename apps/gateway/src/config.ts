import { DEFAULT_MAX_ATTACHMENT_BYTES, DEFAULT_MAX_ATTACHMENTS_PER_MESSAGE } from '@helpdesk/contracts';
import { CommonEnv, envPort, envUrl, loadConfig, RedisEnv } from '@helpdesk/kit';
import { z } from 'zod';

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const GatewayEnv = CommonEnv.extend({
  PORT: envPort.default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** The address people use, for links and printed URLs. */
  PUBLIC_URL: envUrl(['http:', 'https:']).default('http://localhost:3000'),
  /** Sessions and rate-limit counters live in this Redis under REDIS_PREFIX, where the queue dashboard reads the services' queues. */
  ...RedisEnv.shape,
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters (generate one: openssl rand -hex 32)'),
  /** Internal users are logged out after this long without a request. */
  ADMIN_SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(60),
  /** No session lives longer than this, active or not. */
  SESSION_ABSOLUTE_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  RPC_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /**
   * How long an idle keep-alive connection stays open. Longer than the idle timeout of the proxy or
   * load balancer in front (60 s on most): otherwise the gateway may close a connection just as the
   * proxy sends the next request on it, which the proxy answers with a 502. Node's default is 5 s.
   */
  KEEP_ALIVE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3_600).default(65),
  /** Largest JSON or form body accepted. */
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(50 * 1024 * 1024)
    .default(1024 * 1024),
  /** Public form submissions (POST /forms/v1/submit/…): at most this many per client address in a window… */
  FORMS_SUBMIT_LIMIT_PER_IP: z.coerce.number().int().min(1).max(100_000_000).default(20),
  /** …and at most this many to one form from everyone together. */
  FORMS_SUBMIT_LIMIT_PER_FORM: z.coerce.number().int().min(1).max(100_000_000).default(600),
  /** The rate limits' window (fixed, starting at a window's first submission). */
  FORMS_SUBMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** Portal registrations and password reset requests send mail: at most this many per client address to one portal in a window… */
  PORTAL_MAIL_LIMIT_PER_IP: z.coerce.number().int().min(1).max(100_000_000).default(10),
  /** …and at most this many for one email address, so nobody can flood someone's inbox from many addresses. */
  PORTAL_MAIL_LIMIT_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000_000).default(5),
  /** Their window (fixed, starting at a window's first request). */
  PORTAL_MAIL_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  /**
   * Password logins (portal and API) are counted before the password is checked; a successful one
   * then no longer counts. At most this many failures from one client address in a window…
   */
  LOGIN_LIMIT_PER_IP: z.coerce.number().int().min(1).max(100_000_000).default(50),
  /** …and at most this many for one email address, from anywhere (guessing one account's password). */
  LOGIN_LIMIT_PER_EMAIL: z.coerce.number().int().min(1).max(100_000_000).default(10),
  /** Their window (fixed, starting at a window's first attempt). */
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  /** Largest public form submission accepted (at most BODY_LIMIT_BYTES, which the body parser enforces). */
  FORMS_SUBMIT_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(50 * 1024 * 1024)
    .default(64 * 1024),
  /** Set when a reverse proxy terminates TLS, so cookies get Secure and client IPs are right. */
  TRUST_PROXY: flag.default(false),
  /**
   * The shared file storage (the same directory as tickets' and inbox's): uploads are stored under
   * `attachments/<accountId>/<uuid>`, downloads are read from the key the owning service names.
   */
  FILE_STORAGE_DIR: z.string().min(1).default('var/files'),
  /** An upload larger than this is refused while it streams (413) and its partial file removed. */
  MAX_ATTACHMENT_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(1024 * 1024 * 1024)
    .default(DEFAULT_MAX_ATTACHMENT_BYTES),
  MAX_ATTACHMENTS_PER_MESSAGE: z.coerce
    .number()
    .int()
    .min(0)
    .max(100)
    .default(DEFAULT_MAX_ATTACHMENTS_PER_MESSAGE),
});
export type GatewayConfig = z.output<typeof GatewayEnv>;

export const loadGatewayConfig = (env: Record<string, string | undefined> = process.env): GatewayConfig =>
  loadConfig(GatewayEnv, env);

/** Injection token of the gateway's validated config. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
