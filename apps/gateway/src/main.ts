import 'reflect-metadata';
import type { Server } from 'node:http';
import { closeOnSignals, createLogger, runMain } from '@helpdesk/kit';
import { loadGatewayConfig } from './config.js';
import { createGateway } from './gateway.js';

await runMain(async () => {
  const config = loadGatewayConfig();
  const logger = createLogger({ service: 'gateway', level: config.LOG_LEVEL });
  const app = await createGateway(config, logger);
  const server = app.getHttpServer() as Server;
  server.keepAliveTimeout = config.KEEP_ALIVE_TIMEOUT_SECONDS * 1_000;
  await app.listen(config.PORT, config.HOST);
  closeOnSignals(app, logger, config.SHUTDOWN_GRACE_MS);
  logger.info({ url: config.PUBLIC_URL }, 'gateway ready');
});
