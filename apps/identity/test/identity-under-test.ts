import { migrateUp, RpcClient } from '@helpdesk/kit';
import {
  freshTestDatabase,
  startTestNats,
  startTestService,
  startTestSmtp,
  type TestNats,
  type TestService,
  type TestSmtp,
} from '@helpdesk/testing';
import { MikroORM } from '@mikro-orm/postgresql';
import { AppModule } from '../src/app.module.js';
import { loadIdentityConfig } from '../src/config.js';
import { DEMO_PASSWORD, seedIdentityDemo, type IdentityDemo } from '../src/demo-seed.js';
import { ormConfig } from '../src/mikro-orm.config.js';

export interface IdentityUnderTest {
  nats: TestNats;
  smtp: TestSmtp;
  databaseUrl: string;
  service: TestService;
  client: RpcClient;
  demo: IdentityDemo;
  /** The demo admin's id, the actor of settings changes. */
  adminId: string;
  stop(): Promise<void>;
}

/**
 * The identity service in-process on a private NATS, its own database (one per test file: files
 * run in parallel) with the demo data, and a real SMTP server that receives its mail.
 */
export async function startIdentity(
  database: string,
  env: Record<string, string> = {},
): Promise<IdentityUnderTest> {
  const nats = await startTestNats();
  const smtp = await startTestSmtp();
  const databaseUrl = await freshTestDatabase(database);
  await migrateUp(ormConfig(databaseUrl));
  const orm = await MikroORM.init(ormConfig(databaseUrl));
  let demo: IdentityDemo;
  try {
    demo = await seedIdentityDemo(orm);
  } finally {
    await orm.close(true);
  }
  const service = await startTestService({
    service: 'identity',
    loadConfig: loadIdentityConfig,
    module: AppModule.forRoot,
    natsUrl: nats.url,
    databaseUrl,
    env: { SMTP_URL: smtp.url, PORTAL_LINK_SCHEME: 'http', PORTAL_LINK_PORT: '3000', ...env },
  });
  const client = new RpcClient({ natsUrl: nats.url, timeoutMs: 10_000 });
  const { id: adminId } = await client.send('identity.users.authenticate', {
    email: 'admin@demo.test',
    password: DEMO_PASSWORD,
  });
  return {
    nats,
    smtp,
    databaseUrl,
    service,
    client,
    demo,
    adminId,
    async stop() {
      await client.close();
      await service.stop();
      await smtp.stop();
      await nats.stop();
    },
  };
}
