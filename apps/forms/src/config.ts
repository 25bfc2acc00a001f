import { envPort, loadConfig, ServiceEnv } from '@helpdesk/kit';
import { z } from 'zod';

export const FormsEnv = ServiceEnv.extend({
  METRICS_PORT: envPort.default(9103),
});
export type FormsConfig = z.output<typeof FormsEnv>;

export const loadFormsConfig = (env: Record<string, string | undefined> = process.env): FormsConfig =>
  loadConfig(FormsEnv, env);
