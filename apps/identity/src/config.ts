import { envPort, loadConfig, ServiceEnv } from '@helpdesk/kit';
import { z } from 'zod';

export const IdentityEnv = ServiceEnv.extend({
  METRICS_PORT: envPort.default(9101),
});
export type IdentityConfig = z.output<typeof IdentityEnv>;

export const loadIdentityConfig = (env: Record<string, string | undefined> = process.env): IdentityConfig =>
  loadConfig(IdentityEnv, env);
