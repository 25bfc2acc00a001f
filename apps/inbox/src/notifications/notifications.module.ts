import { createMailTransport, type Logger } from '@helpdesk/kit';
import { Module, type DynamicModule } from '@nestjs/common';
import { MAIL_TRANSPORT, NOTIFICATIONS_OPTIONS, type NotificationsModuleOptions } from './notification.js';
import { NotificationJob } from './notification.job.js';
import { NotificationsService } from './notifications.service.js';

/** Agent reply emails: the `inbox.emails` queue and its worker. */
@Module({})
export class NotificationsModule {
  static forRoot(
    options: NotificationsModuleOptions & { smtpUrl?: string; mailDir: string; logger: Logger },
  ): DynamicModule {
    return {
      module: NotificationsModule,
      providers: [
        { provide: NOTIFICATIONS_OPTIONS, useValue: options },
        {
          provide: MAIL_TRANSPORT,
          useFactory: () =>
            createMailTransport({
              smtpUrl: options.smtpUrl,
              mailDir: options.mailDir,
              logger: options.logger,
            }),
        },
        NotificationsService,
        NotificationJob,
      ],
      exports: [NotificationsService],
    };
  }
}
