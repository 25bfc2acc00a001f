import 'reflect-metadata';
import { runService } from '@helpdesk/kit';
import { AppModule } from './app.module.js';
import { loadInboxConfig } from './config.js';

await runService('inbox', () => loadInboxConfig(), AppModule.forRoot);
