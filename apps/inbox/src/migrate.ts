import { runMain, runMigrationCli } from '@helpdesk/kit';
import { loadInboxConfig } from './config.js';
import { ormConfig } from './mikro-orm.config.js';

await runMain(() => runMigrationCli(ormConfig(loadInboxConfig().DATABASE_URL), process.argv.slice(2)));
