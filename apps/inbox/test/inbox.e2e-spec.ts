import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { migrateUp, RpcClient } from '@helpdesk/kit';
import {
  freshTestDatabase,
  startTestNats,
  startTestService,
  withDatabase,
  type TestNats,
  type TestService,
} from '@helpdesk/testing';
import { AppModule } from '../src/app.module.js';
import { loadInboxConfig } from '../src/config.js';
import { ormConfig } from '../src/mikro-orm.config.js';

let nats: TestNats;
let databaseUrl: string;
let service: TestService;
let client: RpcClient;

beforeAll(async () => {
  nats = await startTestNats();
  databaseUrl = await freshTestDatabase('helpdesk_test_inbox');
  await migrateUp(ormConfig(databaseUrl));
  service = await startTestService({
    service: 'inbox',
    loadConfig: loadInboxConfig,
    module: AppModule.forRoot,
    natsUrl: nats.url,
    databaseUrl,
  });
  client = new RpcClient({ natsUrl: nats.url, timeoutMs: 3_000 });
});

afterAll(async () => {
  await client?.close();
  await service?.stop();
  await nats?.stop();
});

describe('inbox service over NATS', () => {
  it('owns its own schema', async () => {
    const schemas = await withDatabase(databaseUrl, (db) =>
      db.query("select 1 from pg_namespace where nspname = 'inbox'"),
    );
    expect(schemas.rowCount).toBe(1);
  });

  it("answers inbox.ping with its database up, with the caller's subject logged", async () => {
    await expect(client.send('inbox.ping', {})).resolves.toEqual({ service: 'inbox', database: 'up' });
    expect(service.logs.find((line) => line.subject === 'inbox.ping' && line.outcome === 'ok')).toHaveLength(
      1,
    );
  });
});
