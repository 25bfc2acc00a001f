import { migrateUp, RpcClient } from '@helpdesk/kit';
import {
  deleteRedisKeys,
  freshTestDatabase,
  startTestNats,
  startTestService,
  startTestSmtp,
  type TestNats,
  type TestService,
  type TestSmtp,
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
import { loadInboxConfig } from '../src/config.js';
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

export interface InboxUnderTest {
  nats: TestNats;
  smtp: TestSmtp;
  databaseUrl: string;
  /** Where uploads go (the gateway's side of the shared file storage). */
  filesDir: string;
  inbox: TestService;
  identity: ServiceProcess;
  tickets: ServiceProcess;
  client: RpcClient;
  demo: IdentityDemo;
  stop(): Promise<void>;
}

/**
 * Inbox in-process (as its main.ts boots it) with the real identity (demo data seeded) and tickets
 * services as processes, on a private NATS, a database of the test file's own, a real SMTP server,
 * a private file storage and queue prefix.
 */
export async function startInbox(
  database: string,
  env: Record<string, string> = {},
): Promise<InboxUnderTest> {
  for (const app of ['identity', 'tickets'])
    if (!existsSync(join(repositoryRoot, `apps/${app}/dist/main.js`)))
      throw new Error(`apps/${app} is not built: run npx turbo run build --filter=@helpdesk/inbox^...`);
  const nats = await startTestNats();
  const smtp = await startTestSmtp();
  const databaseUrl = await freshTestDatabase(database);
  const filesDir = await mkdtemp(join(tmpdir(), 'inbox-files-'));
  const queuePrefix = `test-${randomUUID().slice(0, 8)}`;
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NATS_URL: nats.url,
    DATABASE_URL: databaseUrl,
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    QUEUE_PREFIX: queuePrefix,
    SHUTDOWN_GRACE_MS: '500',
    FILE_STORAGE_DIR: filesDir,
    SMTP_URL: smtp.url,
  };
  await runScript('apps/identity/dist/migrate.js', [], childEnv);
  await runScript('apps/tickets/dist/migrate.js', [], childEnv);
  await migrateUp(ormConfig(databaseUrl));
  const demo = JSON.parse(
    (await runScript('apps/identity/dist/seed.js', [], childEnv)).trim().split('\n').at(-1)!,
  ) as IdentityDemo;
  const identity = new ServiceProcess('identity', childEnv);
  const tickets = new ServiceProcess('tickets', childEnv);
  await identity.start();
  await tickets.start();
  const inbox = await startTestService({
    service: 'inbox',
    loadConfig: loadInboxConfig,
    module: AppModule.forRoot,
    natsUrl: nats.url,
    databaseUrl,
    env: {
      SMTP_URL: smtp.url,
      PORTAL_LINK_SCHEME: 'http',
      PORTAL_LINK_PORT: '3000',
      FILE_STORAGE_DIR: filesDir,
      OUTBOX_POLL_MS: '100',
      OUTBOX_BACKOFF_BASE_MS: '100',
      OUTBOX_BACKOFF_MAX_MS: '800',
      RPC_TIMEOUT_MS: '2000',
      ...env,
    },
  });
  const client = new RpcClient({ natsUrl: nats.url, timeoutMs: 10_000 });
  return {
    nats,
    smtp,
    databaseUrl,
    filesDir,
    inbox,
    identity,
    tickets,
    client,
    demo,
    async stop() {
      await client.close();
      await inbox.stop();
      await tickets.stop();
      await identity.stop();
      await smtp.stop();
      await nats.stop();
      await rm(filesDir, { recursive: true, force: true });
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

/** Waits until the check passes (the relay and the mail worker run in the background). */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not done within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
