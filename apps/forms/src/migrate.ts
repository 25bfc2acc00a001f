import { runMain, runMigrationCli } from '@helpdesk/kit';
import { loadFormsConfig } from './config.js';
import { ormConfig } from './mikro-orm.config.js';

await runMain(() => runMigrationCli(ormConfig(loadFormsConfig().DATABASE_URL), process.argv.slice(2)));
