import { AppError, isUuid, runMain } from '@helpdesk/kit';
import { MikroORM } from '@mikro-orm/postgresql';
import { loadFormsConfig } from './config.js';
import { seedFormsDemo } from './demo-seed.js';
import { ormConfig } from './mikro-orm.config.js';

// Usage: node dist/seed.js '<identity seed output: {"accountId": …}>' '<the Support inbox id>'
// Prints {"created": …, "supportFormId": …} last, for identity's seed to connect the portal's support form.
await runMain(async () => {
  const identity = JSON.parse(process.argv[2] ?? '{}') as { accountId?: string };
  const supportInboxId = process.argv[3] ?? '';
  if (!identity.accountId)
    throw new AppError('VALIDATION_FAILED', 'pass the identity seed output as the first argument');
  if (!isUuid(supportInboxId))
    throw new AppError('VALIDATION_FAILED', 'pass the demo Support inbox id as the second argument');
  const orm = await MikroORM.init(ormConfig(loadFormsConfig().DATABASE_URL));
  try {
    console.log(JSON.stringify(await seedFormsDemo(orm, { accountId: identity.accountId, supportInboxId })));
  } finally {
    await orm.close(true);
  }
});
