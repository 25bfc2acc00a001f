import { LocalFileStorage, ServiceKitModule, type Logger } from '@helpdesk/kit';
import { Module, type DynamicModule } from '@nestjs/common';
import type { TicketsConfig } from './config.js';
import { ExportsModule } from './exports/exports.module.js';
import type { ExportsModuleOptions } from './exports/exports.options.js';
import { ormConfig } from './mikro-orm.config.js';
import { TicketsModule } from './tickets/tickets.module.js';

/** What a test may swap or tune (a file storage that fails on purpose, short retry delays). */
export interface TicketsOverrides {
  exports?: Partial<Omit<ExportsModuleOptions, 'logger'>>;
}

@Module({})
export class AppModule {
  static forRoot(
    this: void,
    config: TicketsConfig,
    logger: Logger,
    overrides: TicketsOverrides = {},
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({ service: 'tickets', config, logger, orm: ormConfig(config.DATABASE_URL) }),
        TicketsModule,
        ExportsModule.forRoot({
          redisUrl: config.REDIS_URL,
          queuePrefix: config.REDIS_PREFIX,
          storage: new LocalFileStorage(config.FILE_STORAGE_DIR),
          ttlHours: config.EXPORT_TTL_HOURS,
          lockMs: config.EXPORT_LOCK_MS,
          stalledCheckMs: config.EXPORT_STALLED_CHECK_MS,
          logger,
          ...overrides.exports,
        }),
      ],
    };
  }
}
