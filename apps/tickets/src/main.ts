import 'reflect-metadata';
import { runService } from '@helpdesk/kit';
import { AppModule } from './app.module.js';
import { loadTicketsConfig } from './config.js';

await runService('tickets', () => loadTicketsConfig(), AppModule.forRoot);
