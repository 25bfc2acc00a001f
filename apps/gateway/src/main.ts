import 'reflect-metadata';
import { closeOnSignals, createLogger, runMain } from '@helpdesk/kit';
import { loadGatewayConfig } from './config.js';
import { createGateway } from './gateway.js';

await runMain(async () => {
  const config = loadGatewayConfig();
  const logger = createLogger({ service: 'gateway', level: config.LOG_LEVEL });
  const app = await createGateway(config, logger);
  await app.listen(config.PORT, config.HOST);
  closeOnSignals(app, logger, config.SHUTDOWN_GRACE_MS);
  logger.info({ url: config.PUBLIC_URL }, 'gateway ready');
});
