import { AppError, runMain } from '@helpdesk/kit';
import { MikroORM } from '@mikro-orm/postgresql';
import { loadTicketsConfig } from './config.js';
import { seedTicketsDemo } from './demo-seed.js';
import { ormConfig } from './mikro-orm.config.js';

// Usage: node dist/seed.js '{"accountId": "..."}' (the identity seed's output).
await runMain(async () => {
  const { accountId } = JSON.parse(process.argv[2] ?? '{}') as { accountId?: string };
  if (!accountId)
    throw new AppError('VALIDATION_FAILED', 'pass the identity seed output as the first argument');
  const orm = await MikroORM.init(ormConfig(loadTicketsConfig().DATABASE_URL));
  try {
    console.log(JSON.stringify(await seedTicketsDemo(orm, accountId)));
  } finally {
    await orm.close(true);
  }
});
