import { serviceOrmConfig } from '@helpdesk/kit';
import { fileURLToPath } from 'node:url';
import { migrations } from './migrations/index.js';
import { Pipeline } from './pipelines/pipeline.entity.js';
import { Stage } from './pipelines/stage.entity.js';
import { TicketProperty } from './pipelines/ticket-property.entity.js';
import { TicketExport } from './exports/ticket-export.entity.js';
import { TicketMessage } from './tickets/ticket-message.entity.js';
import { Ticket } from './tickets/ticket.entity.js';

export const ormConfig = (databaseUrl: string) =>
  serviceOrmConfig({
    schema: 'tickets',
    clientUrl: databaseUrl,
    entities: [Ticket, TicketMessage, Pipeline, Stage, TicketProperty, TicketExport],
    migrations,
    migrationsPath: fileURLToPath(new URL('../src/migrations', import.meta.url)),
  });
