import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PortalTicketRow, RpcRequest, RpcResponse } from '@helpdesk/contracts';
import { LocalFileStorage, migrateUp, RpcClient, type FileStorage } from '@helpdesk/kit';
import {
  deleteRedisKeys,
  freshTestDatabase,
  parseCsv,
  startTestNats,
  startTestService,
  withDatabase,
  type TestNats,
  type TestService,
} from '@helpdesk/testing';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { AppModule } from '../src/app.module.js';
import { loadTicketsConfig } from '../src/config.js';
import { EXPORTS_QUEUE } from '../src/exports/export.js';
import { ExportsService } from '../src/exports/exports.service.js';
import { ormConfig } from '../src/mikro-orm.config.js';

/** The real storage, with switches: fail the next writes halfway, or hold writes until released. */
class SwitchableStorage implements FileStorage {
  private failures = 0;
  private gate: Promise<void> | null = null;
  writes = 0;
  /** Slows every chunk down, so an export is still running when a test needs it to be. */
  chunkDelayMs = 0;
  /** Runs once the whole file has been read, before it is stored. */
  beforeStore?: (key: string) => Promise<void>;

  constructor(readonly inner: LocalFileStorage) {}

  failNextWrites(count: number) {
    this.failures = count;
  }

  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise((resolve) => (release = resolve));
    return () => {
      this.gate = null;
      release();
    };
  }

  async write(key: string, content: Readable) {
    this.writes += 1;
    if (this.gate) await this.gate;
    if (this.failures > 0) {
      this.failures -= 1;
      // Some of the file reaches the disk, then the storage breaks.
      const breaking = async function* () {
        for await (const chunk of content) {
          yield chunk as Buffer;
          throw new Error('storage broke');
        }
      };
      return this.inner.write(key, Readable.from(breaking()));
    }
    if (this.beforeStore) {
      const whole = await buffer(content);
      await this.beforeStore(key);
      return this.inner.write(key, Readable.from([whole]));
    }
    if (this.chunkDelayMs) {
      const delay = this.chunkDelayMs;
      const slow = async function* () {
        for await (const chunk of content) {
          await new Promise((resolve) => setTimeout(resolve, delay));
          yield chunk as Buffer;
        }
      };
      return this.inner.write(key, Readable.from(slow()));
    }
    return this.inner.write(key, content);
  }

  read(key: string) {
    return this.inner.read(key);
  }

  remove(key: string) {
    return this.inner.remove(key);
  }

  exists(key: string) {
    return this.inner.exists(key);
  }
}

let nats: TestNats;
let databaseUrl: string;
let filesDir: string;
let storage: SwitchableStorage;
let service: TestService;
/** Updates `rows` after every this many rows, so a handful of tickets shows progress. */
const progressEvery = 2;
let client: RpcClient;
const queuePrefix = `test-exports-${randomUUID().slice(0, 8)}`;

const accountA = randomUUID();
const accountB = randomUUID();
const [alice, bob, carol] = [randomUUID(), randomUUID(), randomUUID()];
const [acme, globex] = [randomUUID(), randomUUID()];
const asAlice = { contactId: alice, companyId: acme, seesCompanyTickets: true };
const noFilter = { groups: [] };

/** Alice's view: her company's tickets, no email tickets (visibility), high or urgent only, "printer". */
const view = {
  accountId: accountA,
  viewer: asAlice,
  show: 'organization' as const,
  visibility: { groups: [[{ property: 'source', operator: 'neq' as const, value: 'email' }]] },
  filters: { groups: [[{ property: 'priority', operator: 'any_of' as const, value: ['high', 'urgent'] }]] },
  search: 'printer',
  sort: { property: 'priority', direction: 'desc' as const },
};
const columns = [
  { property: 'requester', label: 'Requester' },
  { property: 'subject', label: 'Subject' },
  { property: 'status', label: 'Status' },
  { property: 'priority', label: 'Priority' },
  { property: 'owner', label: 'Ticket owner' },
  { property: 'created_at', label: 'Created date' },
  { property: 'contract', label: 'Contract' },
];
const english: RpcRequest<'tickets.exports.start'> = {
  ...view,
  ownerDisplay: { mode: 'first_name', alias: null },
  columns,
  showStages: false,
  language: 'en',
};

beforeAll(async () => {
  nats = await startTestNats();
  databaseUrl = await freshTestDatabase('helpdesk_test_tickets_exports');
  await migrateUp(ormConfig(databaseUrl));
  filesDir = await mkdtemp(join(tmpdir(), 'tickets-exports-'));
  storage = new SwitchableStorage(new LocalFileStorage(filesDir));
  service = await startExports(nats.url, queuePrefix, storage);
  client = new RpcClient({ natsUrl: nats.url, timeoutMs: 5_000 });
  await createTickets();
});

/** The tickets service on a NATS server and queue prefix of the test's choosing, with a switchable storage. */
const startExports = (natsUrl: string, prefix: string, files: FileStorage) =>
  startTestService({
    service: 'tickets',
    loadConfig: loadTicketsConfig,
    module: (config, logger) =>
      AppModule.forRoot(config, logger, {
        exports: { storage: files, backoffMs: 50, maxInFlightPerContact: 3, progressEvery },
      }),
    natsUrl,
    databaseUrl,
    env: { FILE_STORAGE_DIR: filesDir, REDIS_PREFIX: prefix },
  });

afterAll(async () => {
  await client?.close();
  await service?.stop();
  await nats?.stop();
  await deleteRedisKeys(`${queuePrefix}:*`);
  if (filesDir) await rm(filesDir, { recursive: true, force: true });
});

async function createTickets() {
  await client.send('tickets.create', { accountId: accountA, subject: 'First ticket' });
  const [pipeline] = await client.send('tickets.pipelines.list', { accountId: accountA });
  const closedStage = pipeline.stages.find((stage) => stage.state === 'closed')!;
  const create = (
    subject: string,
    requester: string,
    companyId: string,
    priority: 'low' | 'high' | 'urgent',
    extra: Partial<RpcRequest<'tickets.create'>> = {},
  ) =>
    client.send('tickets.create', {
      accountId: accountA,
      subject,
      content: 'The printer is acting up',
      requesterContactId: requester,
      requesterName: requester === alice ? 'Alice Anderson' : requester === bob ? 'Bob Brown' : 'Carol',
      companyId,
      priority,
      ...extra,
    });
  const jam = await create('Paper jam on floor 3', alice, acme, 'high');
  await create('=HYPERLINK("http://x")', alice, acme, 'urgent');
  await create('+1', bob, acme, 'high');
  await create('-2', bob, acme, 'urgent', { stageId: closedStage.id });
  await create('@a', alice, acme, 'high');
  await create('Toner low', bob, acme, 'low');
  await create('Globex printer', carol, globex, 'high');
  await create('Unrelated laptop', alice, acme, 'high', { content: 'Screen flickers' });
  await create('Emailed printer question', alice, acme, 'high', { source: 'email' });
  await client.send('tickets.create', {
    accountId: accountB,
    subject: 'Printer in another account',
    content: 'printer',
    requesterContactId: alice,
    companyId: acme,
    priority: 'high',
  });
  // An owner and a custom property, written as the agent side would have stored them.
  await withDatabase(databaseUrl, async (db) => {
    await db.query(
      `update tickets.ticket set owner_id = $2, owner_first_name = 'Sam', owner_last_name = 'Agent',
         properties = '{"contract": "C-12"}', created_at = '2026-11-27T14:05:00Z'
       where id = $1`,
      [jam.id, randomUUID()],
    );
  });
}

/** Every row of the portal's list for the view, page after page. */
async function portalRows(
  request: Omit<RpcRequest<'tickets.portal.list'>, 'ownerDisplay'>,
  ownerDisplay = english.ownerDisplay,
) {
  const rows: PortalTicketRow[] = [];
  let after: string | undefined;
  do {
    const page = await client.send('tickets.portal.list', { ...request, ownerDisplay, limit: 2, after });
    rows.push(...page.items);
    after = page.nextCursor ?? undefined;
  } while (after);
  return rows;
}

async function settled(
  exportId: string,
  contactId: string = alice,
  accountId: string = accountA,
): Promise<RpcResponse<'tickets.exports.get'>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const state = await client.send('tickets.exports.get', { accountId, contactId, exportId });
    if (state.status === 'done' || state.status === 'failed') return state;
    if (Date.now() > deadline) throw new Error(`export ${exportId} still ${state.status}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function exportOf(request: RpcRequest<'tickets.exports.start'>) {
  const { exportId, status } = await client.send('tickets.exports.start', request);
  expect(status).toBe('queued');
  const done = await settled(exportId, request.viewer.contactId, request.accountId);
  expect(done).toMatchObject({ status: 'done', error: null });
  const bytes = await buffer(await storage.read(done.storageKey!));
  return { exportId, done, bytes, records: parseCsv(bytes.subarray(3).toString('utf8')) };
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');
const english_date = (iso: string) => {
  const d = new Date(iso);
  return `${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
};
const finnish_date = (iso: string) => {
  const d = new Date(iso);
  return `${d.getUTCDate()}.${d.getUTCMonth() + 1}.${d.getUTCFullYear()} ${d.getUTCHours()}.${pad(d.getUTCMinutes())}`;
};
const neutralised = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

describe('tickets.exports', () => {
  it('exports exactly the rows of the portal’s view, in its order, formatted as the portal shows them', async () => {
    const expected = await portalRows(view);
    expect(expected.map((row) => row.subject).sort()).toEqual(
      ['+1', '-2', '=HYPERLINK("http://x")', '@a', 'Paper jam on floor 3'].sort(),
    );

    const { done, bytes, records } = await exportOf(english);

    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = records;
    expect(header).toEqual(columns.map((column) => column.label));
    const priority = { low: 'Low', medium: 'Medium', high: 'High', urgent: 'Urgent' };
    expect(rows).toEqual(
      expected.map((row) => [
        row.requesterName,
        neutralised(row.subject),
        row.closed ? 'Closed' : 'Open',
        priority[row.priority!],
        row.ownerName,
        english_date(row.createdAt),
        (row.properties.contract as string | undefined) ?? '',
      ]),
    );
    expect(rows).toContainEqual([
      'Alice Anderson',
      'Paper jam on floor 3',
      'Open',
      'High',
      'Sam',
      '27 Nov 2026 14:05',
      'C-12',
    ]);
    expect(done).toMatchObject({
      rows: expected.length,
      storageKey: `exports/${accountA}/${done.id}.csv`,
      fileName: expect.stringMatching(/^tickets-\d{4}-\d\d-\d\d-\d{4}\.csv$/),
      finishedAt: expect.any(String),
    });
    // About a day (EXPORT_TTL_HOURS) from when it finished.
    expect(Date.parse(done.expiresAt) - Date.parse(done.finishedAt!)).toBe(24 * 60 * 60 * 1000);
  });

  it('neutralises values a spreadsheet would run as formulas', async () => {
    const { bytes, records } = await exportOf(english);
    const subjects = records.slice(1).map((record) => record[1]);
    expect(subjects).toEqual(
      expect.arrayContaining(['\'=HYPERLINK("http://x")', "'+1", "'-2", "'@a", 'Paper jam on floor 3']),
    );
    expect(bytes.toString('utf8')).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(bytes.toString('utf8')).not.toMatch(/(^|,|\n)[=+@-]/);
  });

  it('writes Finnish words and dates, stage names and the configured owner names', async () => {
    const ownerDisplay = { mode: 'full_name' as const, alias: null };
    const expected = await portalRows(view, ownerDisplay);
    const { done, records } = await exportOf({ ...english, ownerDisplay, showStages: true, language: 'fi' });
    const priority = { low: 'Matala', medium: 'Normaali', high: 'Korkea', urgent: 'Kiireellinen' };
    expect(records.slice(1)).toEqual(
      expected.map((row) => [
        row.requesterName,
        neutralised(row.subject),
        row.stageLabel,
        priority[row.priority!],
        row.ownerName,
        finnish_date(row.createdAt),
        (row.properties.contract as string | undefined) ?? '',
      ]),
    );
    expect(records).toContainEqual([
      'Alice Anderson',
      'Paper jam on floor 3',
      'New',
      'Korkea',
      'Sam Agent',
      '27.11.2026 14.05',
      'C-12',
    ]);
    expect(records.find((record) => record[1] === "'-2")?.[2]).toBe('Closed');
    expect(done.fileName).toMatch(/^tiketit-/);

    const plain = await exportOf({ ...english, language: 'fi' });
    expect(new Set(plain.records.slice(1).map((record) => record[2]))).toEqual(
      new Set(['Avoin', 'Suljettu']),
    );
  });

  it('writes the description, and a custom choice by its option’s label', async () => {
    await client.send('tickets.properties.create', {
      accountId: accountA,
      name: 'region',
      label: 'Region',
      type: 'enumeration',
      options: [
        { value: 'emea', label: 'Europe' },
        { value: 'apac', label: 'Asia and Pacific' },
      ],
    });
    // One ticket holds an option, another a value that is no longer one.
    await withDatabase(databaseUrl, async (db) => {
      for (const [subject, region] of [
        ['Paper jam on floor 3', 'emea'],
        ['@a', 'latam'],
      ])
        await db.query(
          `update tickets.ticket set properties = properties || jsonb_build_object('region', $2::text)
           where account_id = $1 and subject = $3`,
          [accountA, region, subject],
        );
    });
    const expected = await portalRows(view);
    const { records } = await exportOf({
      ...english,
      columns: [
        { property: 'subject', label: 'Subject' },
        { property: 'content', label: 'Description' },
        { property: 'region', label: 'Region' },
      ],
    });
    const regions: Record<string, string> = { 'Paper jam on floor 3': 'Europe', '@a': 'latam' };
    expect(records).toEqual([
      ['Subject', 'Description', 'Region'],
      ...expected.map((row) => [
        neutralised(row.subject),
        'The printer is acting up',
        regions[row.subject] ?? '',
      ]),
    ]);
  });

  it('exports just the header for a view with no tickets', async () => {
    const { bytes, records, done } = await exportOf({ ...english, search: 'nothing-matches-this' });
    expect(records).toEqual([columns.map((column) => column.label)]);
    expect(done.rows).toBe(0);
    expect(bytes.subarray(0, 3).toString('hex')).toBe('efbbbf');
  });

  it('shows an export only to the contact who started it', async () => {
    const { exportId } = await client.send('tickets.exports.start', english);
    await settled(exportId);
    for (const [accountId, contactId] of [
      [accountA, bob],
      [accountB, alice],
      [accountA, randomUUID()],
    ]) {
      await expect(
        client.send('tickets.exports.get', { accountId, contactId, exportId }),
      ).rejects.toMatchObject({ code: 'EXPORT_NOT_FOUND' });
    }
    await expect(
      client.send('tickets.exports.get', { accountId: accountA, contactId: alice, exportId: randomUUID() }),
    ).rejects.toMatchObject({ code: 'EXPORT_NOT_FOUND' });
  });

  it.each([
    [
      '11 columns',
      { columns: Array.from({ length: 11 }, (_, i) => ({ property: 'subject', label: `S${i}` })) },
    ],
    ['no columns', { columns: [] }],
    ['a column without a label', { columns: [{ property: 'subject', label: ' ' }] }],
    ['an unknown sort property', { sort: { property: 'shoe_size', direction: 'asc' } }],
    ['a sort by the description', { sort: { property: 'content', direction: 'asc' } }],
    ['a sort direction', { sort: { property: 'subject', direction: 'up' } }],
    ['an unknown language', { language: 'sv' }],
    ['no language', { language: undefined }],
    ['a showStages that is not a boolean', { showStages: 'yes' }],
    ['a viewer that is not a UUID', { viewer: { ...asAlice, contactId: 'alice' } }],
    ['a search over 200 characters', { search: 'x'.repeat(201) }],
    ['a malformed filter', { filters: { groups: 'all' } }],
    ['an unknown owner display', { ownerDisplay: { mode: 'nickname', alias: null } }],
  ])('refuses %s with VALIDATION_FAILED', async (_what, change) => {
    await expect(
      client.send('tickets.exports.start', { ...english, ...change } as RpcRequest<'tickets.exports.start'>),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('retries a failed write and ends with one complete file', async () => {
    const expected = await portalRows(view);
    storage.failNextWrites(1);
    const writesBefore = storage.writes;
    const { done, records, exportId } = await exportOf(english);

    expect(storage.writes - writesBefore).toBe(2);
    expect(records).toHaveLength(expected.length + 1);
    expect(done.rows).toBe(expected.length);
    expect(
      service.logs.find(
        (line) => line.jobId === exportId && line.msg === 'export attempt failed; will retry',
      ),
    ).toHaveLength(1);
    // No half-written temp file is left behind.
    expect(await readdir(join(filesDir, 'exports', accountA))).toEqual(
      expect.not.arrayContaining([expect.stringMatching(/\.tmp$/)]),
    );
  });

  it('marks an export failed after its last attempt and keeps the job for ops', async () => {
    storage.failNextWrites(3);
    const { exportId } = await client.send('tickets.exports.start', english);
    const failed = await settled(exportId);

    expect(failed).toMatchObject({
      status: 'failed',
      error: 'storage broke',
      storageKey: null,
      fileName: null,
    });
    expect(await storage.exists(`exports/${accountA}/${exportId}.csv`)).toBe(false);
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
    const queue = new Queue(EXPORTS_QUEUE, { connection: redis, prefix: queuePrefix });
    try {
      // The export is marked failed inside the last attempt, a moment before BullMQ files the job.
      const deadline = Date.now() + 5_000;
      while ((await queue.getJobState(exportId)) !== 'failed' && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      const job = await queue.getJob(exportId);
      expect(job?.data).toEqual({ exportId });
      expect(await job?.getState()).toBe('failed');
      expect(job?.attemptsMade).toBe(3);
    } finally {
      await queue.close();
      await redis.quit();
    }
  });

  it('lets a contact have a few exports in progress at once, no more', async () => {
    const release = storage.hold();
    const started: string[] = [];
    try {
      for (let i = 0; i < 3; i++)
        started.push((await client.send('tickets.exports.start', english)).exportId);
      await expect(client.send('tickets.exports.start', english)).rejects.toMatchObject({
        code: 'TOO_MANY_ATTEMPTS',
      });
      // Someone else is not held up by Alice's exports.
      const asBob = { ...english, viewer: { contactId: bob, companyId: acme, seesCompanyTickets: true } };
      started.push((await client.send('tickets.exports.start', asBob)).exportId);
    } finally {
      release();
    }
    for (const exportId of started.slice(0, 3))
      expect(await settled(exportId)).toMatchObject({ status: 'done' });
    expect(await settled(started[3], bob)).toMatchObject({ status: 'done' });
  });

  it('records progress every few rows while writing', async () => {
    const expected = await portalRows(view);
    const seen: number[] = [];
    storage.beforeStore = async (key) => {
      const exportId = key.split('/').at(-1)!.replace('.csv', '');
      const row = await withDatabase(databaseUrl, (db) =>
        db.query<{ status: string; rows: number }>(
          'select status, rows from tickets.ticket_export where id = $1',
          [exportId],
        ),
      );
      expect(row.rows[0].status).toBe('running');
      seen.push(row.rows[0].rows);
    };
    try {
      const { done } = await exportOf(english);
      expect(seen).toEqual([expected.length - (expected.length % progressEvery)]);
      expect(done.rows).toBe(expected.length);
    } finally {
      storage.beforeStore = undefined;
    }
  });

  // Two services, a slow store and 3,000 rows: more than Jest's default 30 s on a busy machine.
  it('hands an export in progress back to the queue on shutdown; the next worker writes it whole', async () => {
    // A service of its own (own NATS, own queue), with a slow storage and a few thousand tickets.
    const ownNats = await startTestNats();
    const prefix = `${queuePrefix}-handover`;
    const slow = new SwitchableStorage(new LocalFileStorage(filesDir));
    // About 1.5 s for the whole file: still running when the service stops, whatever the load.
    slow.chunkDelayMs = 200;
    const account = randomUUID();
    const contact = randomUUID();
    await withDatabase(databaseUrl, (db) =>
      db.query(
        `insert into tickets.ticket (id, account_id, subject, content, pipeline_id, stage_id, requester_contact_id,
            created_at, last_activity_at)
         select gen_random_uuid(), $1, 'Ticket ' || n, '', gen_random_uuid(), gen_random_uuid(), $2, now(), now()
           from generate_series(1, 3000) n`,
        [account, contact],
      ),
    );
    const ownClient = new RpcClient({ natsUrl: ownNats.url, timeoutMs: 5_000 });
    const first = await startExports(ownNats.url, prefix, slow);
    let second: TestService | undefined;
    try {
      const request = {
        ...english,
        accountId: account,
        viewer: { contactId: contact, companyId: null, seesCompanyTickets: false },
        visibility: noFilter,
        filters: noFilter,
        search: undefined,
        columns: [{ property: 'subject', label: 'Subject' }],
      };
      const { exportId } = await ownClient.send('tickets.exports.start', request);
      const get = () =>
        ownClient.send('tickets.exports.get', { accountId: account, contactId: contact, exportId });
      const deadline = Date.now() + 10_000;
      while ((await get()).rows === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await get()).toMatchObject({ status: 'running' });

      await first.stop();
      const handedBack = await withDatabase(databaseUrl, (db) =>
        db.query('select status, storage_key from tickets.ticket_export where id = $1', [exportId]),
      );
      expect(handedBack.rows).toEqual([{ status: 'queued', storage_key: null }]);

      second = await startExports(ownNats.url, prefix, storage);
      let state = await get();
      while (state.status !== 'done' && state.status !== 'failed' && Date.now() < deadline + 20_000) {
        await new Promise((r) => setTimeout(r, 25));
        state = await get();
      }
      expect(state).toMatchObject({ status: 'done', rows: 3000 });
      const records = parseCsv(
        (await buffer(await storage.read(state.storageKey!))).subarray(3).toString('utf8'),
      );
      expect(records).toHaveLength(3001);
      expect(new Set(records.slice(1).map(([subject]) => subject)).size).toBe(3000);
      expect(first.logs.find((line) => line.msg === 'export attempt failed; will retry')).toEqual([]);
    } finally {
      await second?.stop();
      await ownClient.close();
      await ownNats.stop();
      await deleteRedisKeys(`${prefix}:*`);
    }
  }, 120_000);

  it('removes expired exports, their files and their rows', async () => {
    const { exportId, done } = await exportOf(english);
    const kept = await exportOf(english);
    await withDatabase(databaseUrl, (db) =>
      db.query(`update tickets.ticket_export set expires_at = now() - interval '1 minute' where id = $1`, [
        exportId,
      ]),
    );
    await expect(
      client.send('tickets.exports.get', { accountId: accountA, contactId: alice, exportId }),
    ).rejects.toMatchObject({ code: 'EXPORT_NOT_FOUND' });

    const exports = service.app.get(ExportsService);
    const orm = service.app.get(MikroORM);
    const removed = await RequestContext.create(orm.em, () => exports.cleanup());

    expect(removed).toBeGreaterThanOrEqual(1);
    expect(await storage.exists(done.storageKey!)).toBe(false);
    expect(await storage.exists(kept.done.storageKey!)).toBe(true);
    const rows = await withDatabase(databaseUrl, (db) =>
      db.query('select id from tickets.ticket_export where id = any($1::uuid[])', [
        [exportId, kept.exportId],
      ]),
    );
    expect(rows.rows).toEqual([{ id: kept.exportId }]);
  });
});
