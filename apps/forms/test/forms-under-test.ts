import { migrateUp, RpcClient } from '@helpdesk/kit';
import {
  deleteRedisKeys,
  freshTestDatabase,
  startOtherServices,
  startTestNats,
  startTestService,
  type IdentityDemo,
  type TestNats,
  type TestService,
  ServiceProcess,
} from '@helpdesk/testing';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from '../src/app.module.js';
import { loadFormsConfig } from '../src/config.js';
import { ormConfig } from '../src/mikro-orm.config.js';

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
    REDIS_PREFIX: queuePrefix,
    SHUTDOWN_GRACE_MS: '500',
    MAIL_DIR: mailDir,
    FILE_STORAGE_DIR: mailDir,
    ...FAST_RELAY,
  };
  await migrateUp(ormConfig(databaseUrl));
  const others = await startOtherServices(
    ['identity', 'tickets', 'inbox'],
    childEnv,
    'npx turbo run build --filter=@helpdesk/forms^...',
  );
  const { demo } = others;
  const { identity, tickets, inbox } = others.processes;
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
      await others.stop();
      await nats.stop();
      await rm(mailDir, { recursive: true, force: true });
      await deleteRedisKeys(`${queuePrefix}:*`);
    },
  };
}
