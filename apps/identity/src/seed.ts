import { runMain } from '@helpdesk/kit';
import { MikroORM } from '@mikro-orm/postgresql';
import { loadIdentityConfig } from './config.js';
import { seedIdentityDemo } from './demo-seed.js';
import { ormConfig } from './mikro-orm.config.js';

// Prints the demo ids as JSON on its last line for the next service's seed.
await runMain(async () => {
  const orm = await MikroORM.init(ormConfig(loadIdentityConfig().DATABASE_URL));
  try {
    console.log(JSON.stringify(await seedIdentityDemo(orm)));
  } finally {
    await orm.close(true);
  }
});
