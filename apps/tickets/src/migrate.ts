import { runMain, runMigrationCli } from '@helpdesk/kit';
import { loadTicketsConfig } from './config.js';
import { ormConfig } from './mikro-orm.config.js';

await runMain(() => runMigrationCli(ormConfig(loadTicketsConfig().DATABASE_URL), process.argv.slice(2)));
