import 'reflect-metadata';
import { runService } from '@helpdesk/kit';
import { AppModule } from './app.module.js';
import { loadIdentityConfig } from './config.js';

await runService('identity', () => loadIdentityConfig(), AppModule.forRoot);
