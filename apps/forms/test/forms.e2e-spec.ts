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
import { loadFormsConfig } from '../src/config.js';
import { ormConfig } from '../src/mikro-orm.config.js';

let nats: TestNats;
let databaseUrl: string;
let service: TestService;
let client: RpcClient;

beforeAll(async () => {
  nats = await startTestNats();
  databaseUrl = await freshTestDatabase('helpdesk_test_forms');
  await migrateUp(ormConfig(databaseUrl));
  service = await startTestService({
    service: 'forms',
    loadConfig: loadFormsConfig,
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

describe('forms service over NATS', () => {
  it('owns its own schema', async () => {
    const schemas = await withDatabase(databaseUrl, (db) =>
      db.query("select 1 from pg_namespace where nspname = 'forms'"),
    );
    expect(schemas.rowCount).toBe(1);
  });

  it("answers forms.ping with its database up, with the caller's subject logged", async () => {
    await expect(client.send('forms.ping', {})).resolves.toEqual({ service: 'forms', database: 'up' });
    expect(service.logs.find((line) => line.subject === 'forms.ping' && line.outcome === 'ok')).toHaveLength(
      1,
    );
  });
});
