import type { ServiceName } from '@helpdesk/contracts';
import { MikroORM } from '@mikro-orm/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import type { Options } from '@mikro-orm/postgresql';
import {
  Global,
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceConfig } from './config.js';
import type { Logger } from './logging.js';
import { Metrics, startMetricsServer } from './metrics.js';
import { PingController } from './ping.controller.js';
import { RpcClient } from './rpc-client.js';
import { LOGGER, RpcErrorFilter, RpcInterceptor } from './rpc-server.js';

export interface ServiceKitOptions {
  service: ServiceName;
  config: ServiceConfig;
  logger: Logger;
  /** The service's MikroORM options (its own schema, entities and migrations). */
  orm: Options;
}

/** The service's whole validated config object (its own keys included), for injection. */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

export class MetricsEndpoint implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: Server;

  constructor(
    private readonly metrics: Metrics,
    private readonly orm: MikroORM,
    private readonly rpc: RpcClient,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap() {
    this.server = await startMetricsServer(this.metrics, this.config.METRICS_PORT, this.config.METRICS_HOST, {
      database: () => this.orm.em.getConnection().execute('select 1'),
      nats: () => this.rpc.checkConnection(),
    });
    this.logger.info({ port: this.port }, 'metrics listening');
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | undefined)?.port ?? 0;
  }

  async onApplicationShutdown() {
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }
}

/**
 * What every domain service has around its own modules: the ORM on its schema, logger, metrics
 * endpoint, `<service>.ping`, a client for other services, the RPC interceptor and error filter.
 */
@Global()
@Module({})
export class ServiceKitModule {
  static forRoot({ service, config, logger, orm }: ServiceKitOptions): DynamicModule {
    return {
      module: ServiceKitModule,
      imports: [MikroOrmModule.forRoot({ ...orm, registerRequestContext: false })],
      controllers: [PingController(service)],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: Metrics, useValue: new Metrics(service) },
        MetricsEndpoint,
        {
          provide: RpcClient,
          useFactory: () =>
            new RpcClient({
              natsUrl: config.NATS_URL,
              timeoutMs: config.RPC_TIMEOUT_MS,
              name: service,
              logger,
            }),
        },
        { provide: APP_INTERCEPTOR, useClass: RpcInterceptor },
        { provide: APP_FILTER, useClass: RpcErrorFilter },
      ],
      exports: [SERVICE_CONFIG, LOGGER, Metrics, MetricsEndpoint, RpcClient],
    };
  }
}
