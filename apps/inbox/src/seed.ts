import { AppError, runMain } from '@helpdesk/kit';
import { MikroORM } from '@mikro-orm/postgresql';
import { loadInboxConfig } from './config.js';
import { seedInboxDemo, type DemoTicket, type InboxDemoInput } from './demo-seed.js';
import { ormConfig } from './mikro-orm.config.js';

// Usage: node dist/seed.js '<identity seed output>' '<tickets seed output>'
// (identity's: {"accountId": …, "agent": {…}}; tickets': {"created": n, "tickets": [{id, subject, …}]}).
await runMain(async () => {
  const identity = JSON.parse(process.argv[2] ?? '{}') as Partial<InboxDemoInput>;
  const tickets = JSON.parse(process.argv[3] ?? '{}') as { tickets?: DemoTicket[] };
  if (!identity.accountId)
    throw new AppError('VALIDATION_FAILED', 'pass the identity seed output as the first argument');
  if (!Array.isArray(tickets.tickets))
    console.error('inbox seed: the tickets seed output lists no tickets, so no demo threads are created');
  const orm = await MikroORM.init(ormConfig(loadInboxConfig().DATABASE_URL));
  try {
    console.log(
      JSON.stringify(
        await seedInboxDemo(orm, {
          accountId: identity.accountId,
          agent: identity.agent,
          tickets: tickets.tickets ?? [],
        }),
      ),
    );
  } finally {
    await orm.close(true);
  }
});
