import { envPort, loadConfig, MailEnv, RedisEnv, ServiceEnv } from '@helpdesk/kit';
import { z } from 'zod';

export const IdentityEnv = ServiceEnv.extend({
  METRICS_PORT: envPort.default(9101),
  ...RedisEnv.shape,
  ...MailEnv.shape,
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
