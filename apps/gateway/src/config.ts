import { CommonEnv, envPort, envUrl, loadConfig } from '@helpdesk/kit';
import { z } from 'zod';

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const GatewayEnv = CommonEnv.extend({
  PORT: envPort.default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** The address people use, for links and printed URLs. */
  PUBLIC_URL: envUrl(['http:', 'https:']).default('http://localhost:3000'),
  REDIS_URL: envUrl(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
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
  /** Largest JSON or form body accepted. */
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(50 * 1024 * 1024)
    .default(1024 * 1024),
  /** Set when a reverse proxy terminates TLS, so cookies get Secure and client IPs are right. */
  TRUST_PROXY: flag.default(false),
});
export type GatewayConfig = z.output<typeof GatewayEnv>;

export const loadGatewayConfig = (env: Record<string, string | undefined> = process.env): GatewayConfig =>
  loadConfig(GatewayEnv, env);

/** Injection token of the gateway's validated config. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
