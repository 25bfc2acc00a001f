import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IdentityRpc, type Subject } from '@helpdesk/contracts';
import { migrateUp, RpcClient } from '@helpdesk/kit';
import {
  freshTestDatabase,
  misansweredGarbage,
  startTestNats,
  startTestService,
  type TestNats,
  type TestService,
} from '@helpdesk/testing';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { AppModule } from '../src/app.module.js';
import { loadIdentityConfig } from '../src/config.js';
import { ormConfig } from '../src/mikro-orm.config.js';

let nats: TestNats;
let service: TestService;
let client: RpcClient;
const queuePrefix = `test-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  nats = await startTestNats();
  const databaseUrl = await freshTestDatabase('helpdesk_test_identity_subjects');
  await migrateUp(ormConfig(databaseUrl));
  service = await startTestService({
    service: 'identity',
    loadConfig: loadIdentityConfig,
    module: AppModule.forRoot,
    natsUrl: nats.url,
    databaseUrl,
    env: { REDIS_PREFIX: queuePrefix, MAIL_DIR: `/tmp/${queuePrefix}` },
  });
  client = new RpcClient({ natsUrl: nats.url, timeoutMs: 5_000 });
});

afterAll(async () => {
  await client?.close();
  await service?.stop();
  await nats?.stop();
  const redis = new Redis('redis://127.0.0.1:6379');
  const keys = await redis.keys(`${queuePrefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

describe('every identity subject', () => {
  it.each(Object.keys(IdentityRpc).filter((s) => s !== 'identity.ping') as Subject[])(
    '%s answers malformed and foreign requests with a coded error, never an internal one',
    async (subject) => {
      // A foreign account may get an empty list, never a created record.
      const mayAnswer = /\.(list|audit|members|ofContact)$/.test(subject);
      expect(await misansweredGarbage(client, subject, { mayAnswer })).toEqual([]);
      expect(service.logs.find((line) => line.msg === 'unhandled error in handler')).toEqual([]);
    },
  );
});
