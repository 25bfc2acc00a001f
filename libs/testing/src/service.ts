import type { ServiceName } from '@helpdesk/contracts';
import { createLogger, startService, type Logger, type ServiceConfig } from '@helpdesk/kit';
import type { DynamicModule, INestMicroservice } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { LogCapture } from './logs.js';
import { deleteRedisKeys } from './redis.js';

export interface TestService {
  app: INestMicroservice;
  /** Every line the service logged, parsed. */
  logs: LogCapture;
  stop(): Promise<void>;
}

/**
 * Boots a domain service in-process exactly as its main.ts does (same module, NATS queue group,
 * interceptor, filter), with its log lines captured for assertions.
 */
export async function startTestService<C extends ServiceConfig>(options: {
  service: ServiceName;
  loadConfig: (env: Record<string, string | undefined>) => C;
  module: (config: C, logger: Logger) => DynamicModule;
  natsUrl: string;
  databaseUrl: string;
  env?: Record<string, string>;
}): Promise<TestService> {
  const queuePrefix = `test-${randomUUID().slice(0, 8)}`;
  const config = options.loadConfig({
    NATS_URL: options.natsUrl,
    DATABASE_URL: options.databaseUrl,
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    // Queues of its own, so a running demo's workers never take a test's jobs (or the reverse).
    REDIS_PREFIX: queuePrefix,
    ...options.env,
  });
  const logs = new LogCapture();
  const logger = createLogger({ service: options.service, level: config.LOG_LEVEL, destination: logs });
  const app = await startService({
    service: options.service,
    module: options.module(config, logger),
    config,
    logger,
  });
  return {
    app,
    logs,
    stop: async () => {
      await app.close();
      await deleteRedisKeys(`${queuePrefix}:*`);
    },
  };
}
