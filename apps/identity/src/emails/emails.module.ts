import { Module, type DynamicModule } from '@nestjs/common';
import { EmailJob } from './email.job.js';
import { EMAILS_OPTIONS, MAIL_TRANSPORT, type EmailsModuleOptions } from './emails.options.js';
import { EmailsService } from './emails.service.js';
import { createMailTransport } from '@helpdesk/kit';

/** Identity's outgoing email: `EmailsService.send` queues on `identity.emails`; the worker here sends. */
@Module({})
export class EmailsModule {
  static forRoot(options: EmailsModuleOptions): DynamicModule {
    return {
      module: EmailsModule,
      providers: [
        { provide: EMAILS_OPTIONS, useValue: options },
        { provide: MAIL_TRANSPORT, useFactory: () => createMailTransport(options) },
        EmailsService,
        EmailJob,
      ],
      exports: [EmailsService],
    };
  }
}
