import { ServiceKitModule, type Logger } from '@helpdesk/kit';
import { Module, type DynamicModule } from '@nestjs/common';
import type { InboxConfig } from './config.js';
import { ormConfig } from './mikro-orm.config.js';

@Module({})
export class AppModule {
  static forRoot(this: void, config: InboxConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({ service: 'inbox', config, logger, orm: ormConfig(config.DATABASE_URL) }),
      ],
    };
  }
}
