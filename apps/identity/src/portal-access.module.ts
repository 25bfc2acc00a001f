import type { Logger } from '@helpdesk/kit';
import { Module, type DynamicModule } from '@nestjs/common';
import { AccessGroupsController } from './access-groups/access-groups.controller.js';
import { AccessGroupsService } from './access-groups/access-groups.service.js';
import type { IdentityConfig } from './config.js';
import { ContactsController } from './contacts/contacts.controller.js';
import { ContactsService } from './contacts/contacts.service.js';
import { EmailsModule } from './emails/emails.module.js';
import { PortalLoginsController } from './logins/portal-logins.controller.js';
import { PortalLoginsService } from './logins/portal-logins.service.js';
import { PortalsController } from './portals/portals.controller.js';
import { PortalsService } from './portals/portals.service.js';
import { SsoLoginsService } from './logins/sso-logins.service.js';
import { SsoModule } from './sso/sso.module.js';

/** Contacts, companies, access groups, the portal's settings and the ways into it. */
@Module({})
export class PortalAccessModule {
  static forRoot(config: IdentityConfig, logger: Logger): DynamicModule {
    return {
      module: PortalAccessModule,
      imports: [
        EmailsModule.forRoot({
          redisUrl: config.REDIS_URL,
          queuePrefix: config.REDIS_PREFIX,
          smtpUrl: config.SMTP_URL,
          mailDir: config.MAIL_DIR,
          from: config.MAIL_FROM,
          logger,
        }),
        SsoModule,
      ],
      controllers: [ContactsController, PortalsController, AccessGroupsController, PortalLoginsController],
      providers: [
        ContactsService,
        PortalsService,
        AccessGroupsService,
        PortalLoginsService,
        SsoLoginsService,
      ],
    };
  }
}
