import { serviceOrmConfig } from '@helpdesk/kit';
import { fileURLToPath } from 'node:url';
import { AccessGroupMember } from './access-groups/access-group-member.entity.js';
import { AccessGroup } from './access-groups/access-group.entity.js';
import { Account } from './accounts/account.entity.js';
import { Company } from './contacts/company.entity.js';
import { ContactProperty } from './contacts/contact-property.entity.js';
import { Contact } from './contacts/contact.entity.js';
import { Domain } from './domains/domain.entity.js';
import { ConsentRecord } from './logins/consent-record.entity.js';
import { ContactLogin } from './logins/contact-login.entity.js';
import { LoginToken } from './logins/login-token.entity.js';
import { SsoLink } from './logins/sso-link.entity.js';
import { migrations } from './migrations/index.js';
import { PortalAudit } from './portals/portal-audit.entity.js';
import { Portal } from './portals/portal.entity.js';
import { InternalUser } from './users/internal-user.entity.js';

export const ormConfig = (databaseUrl: string) =>
  serviceOrmConfig({
    schema: 'identity',
    clientUrl: databaseUrl,
    entities: [
      Account,
      InternalUser,
      Domain,
      Portal,
      PortalAudit,
      Company,
      Contact,
      ContactProperty,
      AccessGroup,
      AccessGroupMember,
      ContactLogin,
      LoginToken,
      ConsentRecord,
      SsoLink,
    ],
    migrations,
    migrationsPath: fileURLToPath(new URL('../src/migrations', import.meta.url)),
  });
