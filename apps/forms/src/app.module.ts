import { ServiceKitModule, type Logger } from '@helpdesk/kit';
import { Module, type DynamicModule } from '@nestjs/common';
import type { FormsConfig } from './config.js';
import { FormsModule } from './forms/forms.module.js';
import { ormConfig } from './mikro-orm.config.js';
import { SubmissionsModule } from './submissions/submissions.module.js';

@Module({})
export class AppModule {
  static forRoot(this: void, config: FormsConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({
          service: 'forms',
          config,
          logger,
          orm: ormConfig(config.DATABASE_URL, config.DATABASE_POOL_MAX),
        }),
        FormsModule,
        SubmissionsModule,
      ],
    };
  }
}
