import { ServiceKitModule, type Logger } from '@helpdesk/kit';
import { Module, type DynamicModule } from '@nestjs/common';
import type { TicketsConfig } from './config.js';
import { ormConfig } from './mikro-orm.config.js';
import { TicketsModule } from './tickets/tickets.module.js';

@Module({})
export class AppModule {
  static forRoot(this: void, config: TicketsConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({ service: 'tickets', config, logger, orm: ormConfig(config.DATABASE_URL) }),
        TicketsModule,
      ],
    };
  }
}
