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
  startOtherServices,
  type IdentityDemo,
  ServiceProcess,
} from '@helpdesk/testing';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from '../src/app.module.js';
import { loadInboxConfig } from '../src/config.js';
import { ormConfig } from '../src/mikro-orm.config.js';

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
    REDIS_PREFIX: queuePrefix,
    SHUTDOWN_GRACE_MS: '500',
    FILE_STORAGE_DIR: filesDir,
    SMTP_URL: smtp.url,
  };
  await migrateUp(ormConfig(databaseUrl));
  const others = await startOtherServices(
    ['identity', 'tickets'],
    childEnv,
    'npx turbo run build --filter=@helpdesk/inbox^...',
  );
  const { demo } = others;
  const { identity, tickets } = others.processes;
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
      await others.stop();
      await smtp.stop();
      await nats.stop();
      await rm(filesDir, { recursive: true, force: true });
      await deleteRedisKeys(`${queuePrefix}:*`);
    },
  };
}
