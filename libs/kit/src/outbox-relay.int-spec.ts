import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import { Registry } from 'prom-client';
import { createLogger } from './logging.js';
import { defineOutbox, OutboxRecord, outboxRow } from './outbox.js';
import { OutboxRelay, type OutboxDelivery, type OutboxRelayOptions } from './outbox-relay.js';
import { serviceOrmConfig } from './orm.js';
import { Writable } from 'node:stream';

// libs/testing depends on this kit, so the kit cannot list it as a dependency (a cycle for turbo);
// Jest maps the name to its sources, and a computed specifier keeps the type checker out of it.
const testing = '@helpdesk/testing';
const { freshTestDatabase } = (await import(testing)) as {
  freshTestDatabase: (name: string) => Promise<string>;
};

class KitOutbox extends OutboxRecord {}
const outbox = defineOutbox(KitOutbox, { schema: 'kit_outbox' });
const accountId = '9a5f5e1e-2d4c-4e59-8f0a-5b7c2a9d1e01';

let orm: MikroORM;
const lines: Record<string, unknown>[] = [];
const logger = createLogger({
  service: 'kit-test',
  level: 'info',
  destination: new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  }),
});

const relays: OutboxRelay[] = [];
const relay = (options: Partial<OutboxRelayOptions> & Pick<OutboxRelayOptions, 'handlers'>) => {
  const created = new OutboxRelay(orm, {
    outbox,
    logger,
    pollMs: 20,
    backoff: { baseMs: 30, maxMs: 200 },
    ...options,
  });
  relays.push(created);
  return created;
};

/** Commits rows the way a service does: in one flush (one transaction) with whatever else it writes. */
async function commit(...rows: { kind: string; payload: Record<string, unknown> }[]): Promise<string[]> {
  const em = orm.em.fork();
  const created = rows.map(({ kind, payload }) => em.create(KitOutbox, outboxRow(accountId, kind, payload)));
  await em.flush();
  return created.map((row) => row.id);
}

/** A row as stored: attempts, whether it was delivered, its last error. */
async function rowOf(id: string) {
  const [row] = await orm.em
    .fork()
    .getConnection()
    .execute<{ attempts: number; delivered_at: string | null; last_error: string | null }[]>(
      `select attempts, delivered_at, last_error from ${outbox.table} where id = ?`,
      [id],
    );
  return { attempts: row.attempts, delivered: row.delivered_at !== null, lastError: row.last_error };
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  const databaseUrl = await freshTestDatabase('helpdesk_test_kit_outbox');
  orm = await MikroORM.init(
    serviceOrmConfig({
      schema: 'kit_outbox',
      clientUrl: databaseUrl,
      entities: [KitOutbox],
      migrations: [],
      migrationsPath: '/nonexistent',
    }),
  );
  await orm.getSchemaGenerator().createSchema();
});

beforeEach(async () => {
  for (const r of relays.splice(0)) await r.stop();
  await orm.em.fork().getConnection().execute(`delete from ${outbox.table}`);
  lines.length = 0;
});

afterAll(async () => {
  for (const r of relays.splice(0)) await r.stop();
  await orm?.close(true);
});

describe('the outbox table', () => {
  it('indexes only pending rows for claims and only delivered rows for the cleanup', async () => {
    const sql = await orm.getSchemaGenerator().getCreateSchemaSQL();
    expect(sql).toContain(
      'create index "outbox_pending_index" on "kit_outbox"."outbox" ("next_attempt_at", "id") where "delivered_at" is null',
    );
    expect(sql).toContain('where "delivered_at" is not null');
  });
});

describe('OutboxRelay', () => {
  it('delivers a committed row to its kind’s handler and marks it delivered', async () => {
    const seen: OutboxDelivery[] = [];
    const [id] = await commit({ kind: 'greet', payload: { name: 'Alice', nested: { n: 1 } } });
    const r = relay({ handlers: { greet: (delivery) => Promise.resolve(seen.push(delivery)) } });
    expect(await r.runOnce()).toBe(1);
    expect(seen).toEqual([
      {
        id,
        accountId,
        kind: 'greet',
        payload: { name: 'Alice', nested: { n: 1 } },
        attempts: 1,
        createdAt: expect.any(Date),
      },
    ]);
    expect(await rowOf(id)).toEqual({ attempts: 1, delivered: true, lastError: null });
    expect(await r.runOnce()).toBe(0);
  });

  it('retries a failing delivery with growing delays until the handler succeeds', async () => {
    let calls = 0;
    const [id] = await commit({ kind: 'flaky', payload: {} });
    const r = relay({
      backoff: { baseMs: 300, maxMs: 1_000 },
      handlers: {
        flaky: () => {
          calls++;
          return calls < 3 ? Promise.reject(new Error(`down (${calls})`)) : Promise.resolve();
        },
      },
    });
    expect(await r.runOnce()).toBe(1);
    const afterFirst = await rowOf(id);
    expect(afterFirst).toEqual({ attempts: 1, delivered: false, lastError: 'down (1)' });
    // Not due again before the backoff has passed.
    expect(await r.runOnce()).toBe(0);
    r.start();
    await until(async () => (await rowOf(id)).delivered);
    expect(calls).toBe(3);
    expect(await rowOf(id)).toEqual({ attempts: 3, delivered: true, lastError: null });
    expect(lines.filter((line) => line.msg === 'outbox delivery failed; will retry')).toHaveLength(2);
  });

  it('delivers after a wake() at once, without waiting for the poll', async () => {
    const seen: string[] = [];
    const r = relay({ pollMs: 60_000, handlers: { greet: (d) => Promise.resolve(seen.push(d.id)) } });
    r.start();
    await new Promise((resolve) => setTimeout(resolve, 50)); // the first (empty) poll is over
    const [id] = await commit({ kind: 'greet', payload: {} });
    r.wake();
    await until(() => seen.includes(id), 2_000);
  });

  it('lets several replicas share the rows, each delivered exactly once', async () => {
    const handled = new Map<string, number>();
    const handler = async (delivery: OutboxDelivery) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      handled.set(delivery.id, (handled.get(delivery.id) ?? 0) + 1);
    };
    const ids = await commit(...Array.from({ length: 60 }, (_, n) => ({ kind: 'work', payload: { n } })));
    const replicas = [1, 2, 3].map(() => relay({ batchSize: 7, handlers: { work: handler } }));
    for (const replica of replicas) replica.start();
    await until(() => handled.size === ids.length);
    for (const replica of replicas) await replica.stop();
    expect([...handled.values()].every((count) => count === 1)).toBe(true);
    expect(new Set(handled.keys())).toEqual(new Set(ids));
  });

  it('gives a row claimed by a replica that died back to another once the lease runs out', async () => {
    const [id] = await commit({ kind: 'work', payload: {} });
    // A replica claims the row, then "dies" before it can record anything.
    const dead = relay({ leaseMs: 150, handlers: { work: () => new Promise(() => {}) } });
    void dead.runOnce();
    await until(async () => (await rowOf(id)).attempts === 1);
    const seen: number[] = [];
    const alive = relay({ leaseMs: 150, handlers: { work: (d) => Promise.resolve(seen.push(d.attempts)) } });
    expect(await alive.runOnce()).toBe(0); // still leased
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await alive.runOnce()).toBe(1);
    expect(seen).toEqual([2]);
    expect(await rowOf(id)).toEqual({ attempts: 2, delivered: true, lastError: null });
    relays.splice(relays.indexOf(dead), 1); // its delivery never ends; nothing to wait for
  });

  it('keeps retrying a row that keeps failing, logging it as failing and counting it in a gauge', async () => {
    const registry = new Registry();
    const [id] = await commit({ kind: 'broken', payload: {} });
    await commit({ kind: 'fine', payload: {} });
    const r = relay({
      registry,
      failingAfterAttempts: 3,
      backoff: { baseMs: 1, maxMs: 5 },
      handlers: { broken: () => Promise.reject(new Error('no route')), fine: () => Promise.resolve() },
    });
    r.start();
    await until(async () => (await rowOf(id)).attempts >= 4);
    await r.stop();
    const failing = lines.filter((line) => line.msg === 'outbox row keeps failing');
    expect(failing.length).toBeGreaterThanOrEqual(2);
    expect(failing[0]).toMatchObject({ outbox: 'kit_outbox', outboxId: id, kind: 'broken', level: 50 });
    expect(await r.stats()).toEqual({ pending: 1, failing: 1, oldestPendingSeconds: expect.any(Number) });
    const metrics = await registry.metrics();
    expect(metrics).toContain('outbox_failing_rows{outbox="kit_outbox"} 1');
    expect(metrics).toContain('outbox_pending_rows{outbox="kit_outbox"} 1');
    expect(metrics).toMatch(
      /outbox_deliveries_total\{outbox="kit_outbox",kind="fine",outcome="delivered"\} 1/,
    );
    expect(metrics).toMatch(
      /outbox_deliveries_total\{outbox="kit_outbox",kind="broken",outcome="failed"\} [4-9]/,
    );
  });

  it('fails a row of a kind it has no handler for, and keeps it for a replica that knows it', async () => {
    const [id] = await commit({ kind: 'from-the-future', payload: {} });
    const r = relay({ handlers: {} });
    expect(await r.runOnce()).toBe(1);
    expect(await rowOf(id)).toEqual({
      attempts: 1,
      delivered: false,
      lastError: 'no outbox handler for kind "from-the-future"',
    });
  });

  it('removes delivered rows after the retention period and nothing else', async () => {
    const [old, recent, pending] = await commit(
      { kind: 'a', payload: {} },
      { kind: 'a', payload: {} },
      { kind: 'a', payload: {} },
    );
    const db = orm.em.fork().getConnection();
    await db.execute(`update ${outbox.table} set delivered_at = now() - interval '4 days' where id = ?`, [
      old,
    ]);
    await db.execute(`update ${outbox.table} set delivered_at = now() - interval '1 hour' where id = ?`, [
      recent,
    ]);
    await db.execute(`update ${outbox.table} set created_at = now() - interval '9 days' where id = ?`, [
      pending,
    ]);
    const r = relay({ retentionMs: 3 * 24 * 3_600_000, handlers: {} });
    expect(await r.cleanup()).toBe(1);
    const left = await db.execute<{ id: string }[]>(`select id from ${outbox.table} order by id`);
    expect(left.map((row) => row.id).sort()).toEqual([recent, pending].sort());
  });

  it('finishes the deliveries in progress before stop() resolves', async () => {
    let finished = false;
    await commit({ kind: 'slow', payload: {} });
    const r = relay({
      handlers: {
        slow: async () => {
          await new Promise((resolve) => setTimeout(resolve, 200));
          finished = true;
        },
      },
    });
    r.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await r.stop();
    expect(finished).toBe(true);
  });
});
