import { serviceOrmConfig } from '@helpdesk/kit';
import { fileURLToPath } from 'node:url';
import { migrations } from './migrations/index.js';
import { Ticket } from './tickets/ticket.entity.js';

export const ormConfig = (databaseUrl: string) =>
  serviceOrmConfig({
    schema: 'tickets',
    clientUrl: databaseUrl,
    entities: [Ticket],
    migrations,
    migrationsPath: fileURLToPath(new URL('../src/migrations', import.meta.url)),
  });
