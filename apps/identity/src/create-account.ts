import { AppError, runMain } from '@helpdesk/kit';
import { MikroORM } from '@mikro-orm/postgresql';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createAccount } from './accounts/create-account.js';
import { loadIdentityConfig } from './config.js';
import { ormConfig } from './mikro-orm.config.js';

// A platform team's first step in production (after the migrations): a new account and its admin.
//   node dist/create-account.js --account "Example Oy" --email admin@example.com --name "Maija Meikäläinen"
// The password comes from ADMIN_PASSWORD (not an argument: arguments show in `ps` and shell history);
// without it one is generated and printed once. The last line is JSON with the new ids.

/** Where each field of the input comes from, for error messages. */
const sources: Record<string, string> = {
  accountName: '--account',
  adminEmail: '--email',
  adminName: '--name',
  password: 'ADMIN_PASSWORD',
};

const USAGE = 'usage: create-account.js --account <name> --email <admin email> --name <admin name>';

await runMain(async () => {
  let values: { account?: string; email?: string; name?: string };
  try {
    ({ values } = parseArgs({
      options: { account: { type: 'string' }, email: { type: 'string' }, name: { type: 'string' } },
      strict: true,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exitCode = 1;
    return;
  }
  const generated = process.env.ADMIN_PASSWORD ? undefined : randomBytes(18).toString('base64url');
  const orm = await MikroORM.init(ormConfig(loadIdentityConfig().DATABASE_URL));
  try {
    const created = await createAccount(orm.em.fork(), {
      accountName: values.account ?? '',
      adminEmail: values.email ?? '',
      adminName: values.name ?? '',
      password: process.env.ADMIN_PASSWORD ?? generated!,
    });
    console.log(`Account "${values.account}" created; its admin ${values.email} logs in at /admin/login.`);
    if (generated) console.log(`Generated password (shown only now): ${generated}`);
    console.log(JSON.stringify(created));
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    // What to correct, per option, instead of a stack trace.
    console.error(`Not created: ${error.message}`);
    for (const [field, messages] of Object.entries(error.fields ?? {}))
      console.error(`  ${sources[field] ?? field}: ${messages.join('; ')}`);
    process.exitCode = 1;
  } finally {
    await orm.close(true);
  }
});
