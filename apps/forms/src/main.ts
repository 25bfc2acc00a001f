import 'reflect-metadata';
import { runService } from '@helpdesk/kit';
import { AppModule } from './app.module.js';
import { loadFormsConfig } from './config.js';

await runService('forms', () => loadFormsConfig(), AppModule.forRoot);
