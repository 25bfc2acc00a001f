import { envPort, loadConfig, ServiceEnv } from '@helpdesk/kit';
import { z } from 'zod';

export const TicketsEnv = ServiceEnv.extend({
  METRICS_PORT: envPort.default(9102),
});
export type TicketsConfig = z.output<typeof TicketsEnv>;

export const loadTicketsConfig = (env: Record<string, string | undefined> = process.env): TicketsConfig =>
  loadConfig(TicketsEnv, env);
