import { LOGGER, Metrics, RpcClient, type Logger } from '@helpdesk/kit';
import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { AuthController } from './auth/auth.controller.js';
import { LoginLimiter } from './auth/login-limiter.js';
import { GATEWAY_CONFIG, type GatewayConfig } from './config.js';
import { DirectoryModule } from './directory/directory.module.js';
import { FormsModule } from './forms/forms.module.js';
import { HealthController } from './health/health.controller.js';
import { HttpErrorFilter } from './http/http-error.filter.js';
import { RateLimiter } from './http/rate-limiter.js';
import { InboxApiModule } from './inbox/inbox-api.module.js';
import { PortalModule } from './portal/portal.module.js';
import { PageViews } from './http/page-views.js';
import { AdminModule } from './admin/admin.module.js';
import { PortalSettingsApiModule } from './portal-settings/portal-settings-api.module.js';
import { QueuesModule } from './queues/queues.module.js';
import { REDIS } from './redis.js';
import { TicketsApiController } from './tickets/tickets-api.controller.js';

class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}
  async onApplicationShutdown() {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** The HTTP edge: no database, no business rules; it authenticates, validates, calls services and composes. */
@Global()
@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig, logger: Logger, redis: Redis, metrics: Metrics): DynamicModule {
    return {
      module: AppModule,
      // PortalModule last: its `/:slug` routes match any single path segment, so every other route goes first.
      imports: [
        InboxApiModule,
        FormsModule,
        DirectoryModule,
        PortalSettingsApiModule,
        AdminModule,
        QueuesModule,
        PortalModule,
      ],
      controllers: [AuthController, TicketsApiController, HealthController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: REDIS, useValue: redis },
        { provide: Metrics, useValue: metrics },
        RedisCloser,
        // Both password logins, the API's here and the portal's, share one LoginLimiter.
        RateLimiter,
        LoginLimiter,
        // One renderer (and template cache) for the portal's and the admin area's pages.
        PageViews,
        {
          provide: RpcClient,
          useFactory: () =>
            new RpcClient({
              natsUrl: config.NATS_URL,
              timeoutMs: config.RPC_TIMEOUT_MS,
              name: 'gateway',
              logger,
            }),
        },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
      exports: [GATEWAY_CONFIG, LOGGER, REDIS, Metrics, RpcClient, LoginLimiter, PageViews],
    };
  }
}
