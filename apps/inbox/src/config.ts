import { envPort, loadConfig, ServiceEnv } from '@helpdesk/kit';
import { z } from 'zod';

export const InboxEnv = ServiceEnv.extend({
  METRICS_PORT: envPort.default(9104),
});
export type InboxConfig = z.output<typeof InboxEnv>;

export const loadInboxConfig = (env: Record<string, string | undefined> = process.env): InboxConfig =>
  loadConfig(InboxEnv, env);
