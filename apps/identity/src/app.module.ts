import { ServiceKitModule, type Logger } from '@helpdesk/kit';
import { Module, type DynamicModule } from '@nestjs/common';
import type { IdentityConfig } from './config.js';
import { ormConfig } from './mikro-orm.config.js';
import { PortalAccessModule } from './portal-access.module.js';
import { UsersModule } from './users/users.module.js';

@Module({})
export class AppModule {
  static forRoot(this: void, config: IdentityConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({
          service: 'identity',
          config,
          logger,
          orm: ormConfig(config.DATABASE_URL),
        }),
        UsersModule,
        PortalAccessModule.forRoot(config, logger),
      ],
    };
  }
}
