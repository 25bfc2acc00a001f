import { envPort, loadConfig, RedisEnv, ServiceEnv } from '@helpdesk/kit';
import { z } from 'zod';

export const TicketsEnv = ServiceEnv.extend({
  METRICS_PORT: envPort.default(9102),
  ...RedisEnv.shape,
  /**
   * Where finished CSV exports are written (`exports/<accountId>/<exportId>.csv` under it). Replicas
   * and the gateway, which serves the downloads, must see the same directory.
   */
  FILE_STORAGE_DIR: z.string().min(1).default('var/files'),
  /** How long a finished export can be downloaded before the hourly cleanup removes it. */
  EXPORT_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
  /**
   * How long a running export's lock lasts unless its worker renews it (which it does every half of
   * this). A worker that died mid-export is noticed once its lock has run out.
   */
  EXPORT_LOCK_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  /**
   * How often every worker looks for exports whose lock ran out and queues them again: a dead
   * worker's export starts over within about EXPORT_LOCK_MS + 2 × this.
   */
  EXPORT_STALLED_CHECK_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
});
export type TicketsConfig = z.output<typeof TicketsEnv>;

export const loadTicketsConfig = (env: Record<string, string | undefined> = process.env): TicketsConfig =>
  loadConfig(TicketsEnv, env);
