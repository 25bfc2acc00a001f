import type { ServiceName } from '@helpdesk/contracts';
import type { DynamicModule, INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import type { NatsConnection } from 'nats';
import { ConfigError, type ServiceConfig } from './config.js';
import { DrainingNatsServer } from './draining-nats.server.js';
import { createLogger, NestPinoLogger, type Logger } from './logging.js';

export interface StartServiceOptions {
  service: ServiceName;
  module: DynamicModule;
  config: Pick<ServiceConfig, 'NATS_URL' | 'SHUTDOWN_GRACE_MS'>;
  logger: Logger;
}

/**
 * Starts a domain service as a NATS microservice in a queue group named after it, so replicas share
 * requests. On SIGTERM/SIGINT it drains its subscriptions, lets requests in flight finish (up to the
 * grace period), then closes its connections.
 */
export async function startService({
  service,
  module,
  config,
  logger,
}: StartServiceOptions): Promise<INestMicroservice> {
  const server = new DrainingNatsServer(
    { servers: config.NATS_URL, queue: service, name: service, reconnect: true, maxReconnectAttempts: -1 },
    config.SHUTDOWN_GRACE_MS,
  );
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(module, {
    strategy: server,
    logger: new NestPinoLogger(logger),
  });
  await app.listen();
  // Ready only once the NATS server has registered every subscription: before that, a request
  // from another connection could still find no responder.
  await server.unwrap<NatsConnection>().flush();
  closeOnSignals(app, logger, config.SHUTDOWN_GRACE_MS);
  return app;
}

/**
 * SIGTERM/SIGINT close the app (each transport drains as configured, then connections close) and end
 * the process with code 0, logging both steps so an operator can tell a clean stop from a crash.
 */
export function closeOnSignals(app: { close(): Promise<void> }, logger: Logger, graceMs: number): void {
  const stop = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'stopping');
    // Whatever still hangs after the grace period (a stuck connection) does not keep the process up.
    setTimeout(() => {
      logger.error({ graceMs }, 'did not stop within the grace period; exiting');
      logger.flush();
      process.exit(1);
    }, graceMs + 5_000).unref();
    app.close().then(
      () => {
        logger.info('stopped');
        logger.flush();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'failed to stop cleanly');
        logger.flush();
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** Runs a process's entry point; a bad configuration ends it with the list of bad keys and no stack trace. */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/** The whole `main.ts` of a domain service: load and check its config, log as itself, serve. */
export function runService<C extends ServiceConfig>(
  service: ServiceName,
  loadConfig: () => C,
  module: (config: C, logger: Logger) => DynamicModule,
): Promise<void> {
  return runMain(async () => {
    const config = loadConfig();
    const logger = createLogger({ service, level: config.LOG_LEVEL });
    await startService({ service, module: module(config, logger), config, logger });
    logger.info(`${service} service ready`);
  });
}
