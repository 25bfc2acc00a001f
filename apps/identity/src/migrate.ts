import { runMain, runMigrationCli } from '@helpdesk/kit';
import { loadIdentityConfig } from './config.js';
import { ormConfig } from './mikro-orm.config.js';

await runMain(() => runMigrationCli(ormConfig(loadIdentityConfig().DATABASE_URL), process.argv.slice(2)));
