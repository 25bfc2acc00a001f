import { serviceOrmConfig } from '@helpdesk/kit';
import { fileURLToPath } from 'node:url';
import { migrations } from './migrations/index.js';

export const ormConfig = (databaseUrl: string) =>
  serviceOrmConfig({
    schema: 'forms',
    clientUrl: databaseUrl,
    entities: [],
    migrations,
    migrationsPath: fileURLToPath(new URL('../src/migrations', import.meta.url)),
  });
