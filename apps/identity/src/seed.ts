import { AppError, isUuid, runMain } from '@helpdesk/kit';
import { MikroORM } from '@mikro-orm/postgresql';
import { loadIdentityConfig } from './config.js';
import { connectDemoSupportForm, seedIdentityDemo } from './demo-seed.js';
import { ormConfig } from './mikro-orm.config.js';

// Prints the demo ids as JSON on its last line for the next service's seed.
// `seed.js --support-form <form id>` (after the forms seed) connects the demo portal's support form.
await runMain(async () => {
  const orm = await MikroORM.init(ormConfig(loadIdentityConfig().DATABASE_URL));
  try {
    const [flag, formId] = process.argv.slice(2);
    if (flag === '--support-form') {
      if (!formId || !isUuid(formId))
        throw new AppError('VALIDATION_FAILED', 'usage: seed.js --support-form <form id>');
      console.log(JSON.stringify(await connectDemoSupportForm(orm, formId)));
      return;
    }
    console.log(JSON.stringify(await seedIdentityDemo(orm)));
  } finally {
    await orm.close(true);
  }
});
