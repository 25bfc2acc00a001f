import { AppError, runMain } from '@helpdesk/kit';
import { MikroORM } from '@mikro-orm/postgresql';
import { loadTicketsConfig } from './config.js';
import { seedTicketsDemo, type TicketsDemoInput } from './demo-seed.js';
import { ormConfig } from './mikro-orm.config.js';

// Usage: node dist/seed.js '<the identity seed output: {"accountId": …, "contacts": {…}}>'
await runMain(async () => {
  const demo = JSON.parse(process.argv[2] ?? '{}') as Partial<TicketsDemoInput>;
  if (!demo.accountId)
    throw new AppError('VALIDATION_FAILED', 'pass the identity seed output as the first argument');
  const orm = await MikroORM.init(ormConfig(loadTicketsConfig().DATABASE_URL));
  try {
    console.log(
      JSON.stringify(
        await seedTicketsDemo(orm, {
          accountId: demo.accountId,
          contacts: demo.contacts ?? {},
          agent: demo.agent,
        }),
      ),
    );
  } finally {
    await orm.close(true);
  }
});
