import { LocalFileStorage, ServiceKitModule, type Logger } from '@helpdesk/kit';
import { Module, type DynamicModule } from '@nestjs/common';
import type { InboxConfig } from './config.js';
import { ConversationsModule } from './conversations/conversations.module.js';
import type { ConversationsOptions } from './conversations/conversations.options.js';
import { InboxesModule } from './inboxes/inboxes.module.js';
import { ormConfig } from './mikro-orm.config.js';

/** What a test may swap (a file storage of its own, say). */
export interface InboxOverrides {
  conversations?: Partial<ConversationsOptions>;
}

@Module({})
export class AppModule {
  static forRoot(
    this: void,
    config: InboxConfig,
    logger: Logger,
    overrides: InboxOverrides = {},
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({ service: 'inbox', config, logger, orm: ormConfig(config.DATABASE_URL) }),
        InboxesModule,
        ConversationsModule.forRoot(
          {
            storage: new LocalFileStorage(config.FILE_STORAGE_DIR),
            maxAttachmentBytes: config.MAX_ATTACHMENT_BYTES,
            maxAttachmentsPerMessage: config.MAX_ATTACHMENTS_PER_MESSAGE,
            ...overrides.conversations,
          },
          {
            redisUrl: config.REDIS_URL,
            queuePrefix: config.REDIS_PREFIX,
            from: config.MAIL_FROM,
            smtpUrl: config.SMTP_URL,
            mailDir: config.MAIL_DIR,
            logger,
          },
        ),
      ],
    };
  }
}
