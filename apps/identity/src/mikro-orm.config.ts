import { serviceOrmConfig } from '@helpdesk/kit';
import { fileURLToPath } from 'node:url';
import { Account } from './accounts/account.entity.js';
import { migrations } from './migrations/index.js';
import { InternalUser } from './users/internal-user.entity.js';

export const ormConfig = (databaseUrl: string) =>
  serviceOrmConfig({
    schema: 'identity',
    clientUrl: databaseUrl,
    entities: [Account, InternalUser],
    migrations,
    migrationsPath: fileURLToPath(new URL('../src/migrations', import.meta.url)),
  });
