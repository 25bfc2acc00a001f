import { migrateUp, RpcClient } from '@helpdesk/kit';
import {
  deleteRedisKeys,
  freshTestDatabase,
  startTestNats,
  startTestService,
  type TestNats,
  type TestService,
  repositoryRoot,
  runScript,
  ServiceProcess,
} from '@helpdesk/testing';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from '../src/app.module.js';
import { loadFormsConfig } from '../src/config.js';
import { ormConfig } from '../src/mikro-orm.config.js';

/** What identity's demo seed prints: the account, the demo contacts by email, the agent. */
export interface IdentityDemo {
  accountId: string;
  contacts: Record<
    string,
    { id: string; email: string; firstName: string; lastName: string; companyId: string | null }
  >;
  agent: { id: string; email: string; firstName: string; lastName: string };
}

export interface FormsUnderTest {
  nats: TestNats;
  databaseUrl: string;
  forms: TestService;
  identity: ServiceProcess;
  tickets: ServiceProcess;
  inbox: ServiceProcess;
  client: RpcClient;
  demo: IdentityDemo;
  /** The demo admin's id (the actor of portal settings changes). */
  adminId: string;
  /** An inbox made for the test file. */
  supportInboxId: string;
  /** Another forms replica in-process on the same NATS and database (stopped by stop()). */
  startReplica(env?: Record<string, string>): Promise<TestService>;
  stop(): Promise<void>;
}

/** Fast retries, so tests that stop a service see its rows delivered soon after it is back. */
export const FAST_RELAY = {
  OUTBOX_POLL_MS: '100',
  OUTBOX_BACKOFF_BASE_MS: '100',
  OUTBOX_BACKOFF_MAX_MS: '800',
  RPC_TIMEOUT_MS: '3000',
};

/**
 * Forms in-process (as its main.ts boots it) with the real identity (demo data seeded), tickets and
 * inbox services as processes, on a private NATS, a database of the test file's own, a private
 * queue prefix and mail directory.
 */
export async function startForms(
  database: string,
  env: Record<string, string> = {},
): Promise<FormsUnderTest> {
  for (const app of ['identity', 'tickets', 'inbox'])
    if (!existsSync(join(repositoryRoot, `apps/${app}/dist/main.js`)))
      throw new Error(`apps/${app} is not built: run npx turbo run build --filter=@helpdesk/forms^...`);
  const nats = await startTestNats();
  const databaseUrl = await freshTestDatabase(database);
  const mailDir = await mkdtemp(join(tmpdir(), 'forms-mail-'));
  const queuePrefix = `test-${randomUUID().slice(0, 8)}`;
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NATS_URL: nats.url,
    DATABASE_URL: databaseUrl,
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    QUEUE_PREFIX: queuePrefix,
    SHUTDOWN_GRACE_MS: '500',
    MAIL_DIR: mailDir,
    FILE_STORAGE_DIR: mailDir,
    ...FAST_RELAY,
  };
  for (const app of ['identity', 'tickets', 'inbox'])
    await runScript(`apps/${app}/dist/migrate.js`, [], childEnv);
  await migrateUp(ormConfig(databaseUrl));
  const demo = JSON.parse(
    (await runScript('apps/identity/dist/seed.js', [], childEnv)).trim().split('\n').at(-1)!,
  ) as IdentityDemo;
  const identity = new ServiceProcess('identity', childEnv);
  const tickets = new ServiceProcess('tickets', childEnv);
  const inbox = new ServiceProcess('inbox', childEnv);
  await Promise.all([identity.start(), tickets.start(), inbox.start()]);
  const boot = (extra: Record<string, string> = {}) =>
    startTestService({
      service: 'forms',
      loadConfig: loadFormsConfig,
      module: AppModule.forRoot,
      natsUrl: nats.url,
      databaseUrl,
      env: { ...FAST_RELAY, ...env, ...extra },
    });
  const forms = await boot();
  const replicas: TestService[] = [];
  const client = new RpcClient({ natsUrl: nats.url, timeoutMs: 10_000 });
  const { id: adminId } = await client.send('identity.users.authenticate', {
    email: 'admin@demo.test',
    password: 'demo-password',
  });
  const { id: supportInboxId } = await client.send('inbox.inboxes.create', {
    accountId: demo.accountId,
    kind: 'inbox',
    name: 'Support inbox',
  });
  return {
    nats,
    databaseUrl,
    forms,
    identity,
    tickets,
    inbox,
    client,
    demo,
    adminId,
    supportInboxId,
    async startReplica(extra) {
      const replica = await boot(extra);
      replicas.push(replica);
      return replica;
    },
    async stop() {
      await client.close();
      for (const replica of replicas) await replica.stop();
      await forms.stop();
      await Promise.all([inbox.stop(), tickets.stop(), identity.stop()]);
      await nats.stop();
      await rm(mailDir, { recursive: true, force: true });
      await deleteRedisKeys(`${queuePrefix}:*`);
    },
  };
}

/** The error a request was refused with (or undefined when it was answered), for assertions. */
export const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as { code: string; message: string; fields?: Record<string, string[]> },
  );

/** Waits until the check passes (the relay runs in the background). */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not done within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
