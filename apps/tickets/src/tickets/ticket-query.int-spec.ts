import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Filter, FilterCondition, FilterValue, PropertyDefinition } from '@helpdesk/contracts';
import { operatorsFor } from '@helpdesk/contracts';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ticketProperties, type TicketProperty } from './ticket-properties.js';

import {
  compileFilter,
  compileTicketList,
  decodeTicketListCursor,
  encodeTicketListCursor,
  SqlParams,
  ticketListPage,
  type TicketListAfter,
  type TicketListInput,
  type TicketListRow,
  type TicketScope,
  type TicketSort,
} from './ticket-query.js';

// Each comparison runs ~1,000 real queries; on a busy 2-core machine that takes longer than Jest's default.
jest.setTimeout(180_000);

/**
 * The oracle: identity's in-memory evaluator (S4 segments), whose semantics the SQL must reproduce.
 * Tests only, and loaded at run time: a static import would pull identity's source into this app's
 * TypeScript program (outside its rootDir) and couple the apps' builds.
 */
const evaluatorPath = '../../../identity/src/segments/contact-filter.js';
const { matchesFilter } = (await import(evaluatorPath)) as {
  matchesFilter: (
    filter: Filter,
    values: Readonly<Record<string, unknown>>,
    definitions: readonly PropertyDefinition[],
  ) => boolean;
};

const databaseName = 'helpdesk_test_tickets_query_scratch';
const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

// ---- Fixtures ------------------------------------------------------------------------------------

const account = randomUUID();
const otherAccount = randomUUID();
/** Rows with values where SQL knowingly reads differently from the evaluator (see ticket-query.ts). */
const oddAccount = randomUUID();
const [me, colleague, stranger] = [randomUUID(), randomUUID(), randomUUID()];
const [myCompany, otherCompany] = [randomUUID(), randomUUID()];
const [p1, p2] = [randomUUID(), randomUUID()];
const [s1, s2, s3, s4, s5] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
const ownerId = randomUUID();

const custom: PropertyDefinition[] = [
  { name: 'nickname', label: 'Nickname', type: 'string' },
  { name: 'seats', label: 'Seats', type: 'number' },
  { name: 'due_on', label: 'Due on', type: 'date' },
  { name: 'vip', label: 'VIP', type: 'boolean' },
  {
    name: 'tier',
    label: 'Tier',
    type: 'enumeration',
    options: ['gold', 'silver', 'bronze'].map((value) => ({ value, label: value })),
  },
  // Defined but never stored: must read as unknown, not as Object.prototype.constructor.
  { name: 'constructor', label: 'Constructor', type: 'string' },
];
const definitions: TicketProperty[] = ticketProperties(custom, {
  // Display order differs from id order: sorting must follow it.
  pipelines: [p2, p1].map((value, i) => ({ value, label: `Pipeline ${i}` })),
  // s5 is a stage that is no longer an option.
  stages: [s3, s1, s2, s4].map((value, i) => ({ value, label: `Stage ${i}` })),
});

/** Leaves the key out of `properties`. */
const absent = Symbol('absent');
type Raw = string | typeof absent;

/** Custom property values as raw JSON, so numbers keep the exact form a client could send. */
const customPools: Record<string, Raw[]> = {
  nickname: [
    '"Alice"',
    '"  ALICE "',
    '""',
    '"   "',
    '42',
    '1.5',
    '1.50',
    'true',
    'false',
    'null',
    absent,
    '{"a":1}',
    '["x"]',
    '"Ärrä"',
    '"ali%ce"',
    '0.000001',
    '100',
    '-0',
    '"\\u00a0Bob\\u00a0"',
    '"Printer"',
    '12345.678',
    '"sam agent"',
  ],
  seats: [
    '42',
    '-1.5',
    '" 42 "',
    '"42"',
    '"1e3"',
    '"abc"',
    '"0x10"',
    '""',
    'true',
    '"1."',
    '".5"',
    '0',
    '1000',
    '"1e400"',
    '"1e-400"',
    '"-0"',
    '1e300',
    '1.7976931348623157e308',
    '12345678901234567890',
    '"0.1"',
    '0.30000000000000004',
    absent,
    'null',
    '{"a":1}',
    '1e400',
    '"+.5"',
    '"1.e5"',
    '" \\t7\\n"',
    '"1E+02"',
    '"Infinity"',
    '"NaN"',
    '"1e0999"',
  ],
  due_on: [
    '"2026-11-27"',
    '"2026-11-27T23:59:59.999Z"',
    '"2026-11-28T00:30:00+01:00"',
    '" 2026-11-27 10:00 "',
    '"2026-02-29"',
    '"2024-02-29"',
    '"0000-01-01"',
    '"0000-02-29"',
    '"2026-11-27T24:00"',
    '"2026-11-27t10:00z"',
    '"2026-11-27T10:00:00.123456789+05:30"',
    '"2026-11-27T10:00:00.9999Z"',
    '"27.11.2026"',
    '20261127',
    '"2026-13-01"',
    '"2026-11-27T10:00+2400"',
    '"2026-11-27T10:00-0530"',
    '"9999-12-31T23:59:59.999-23:59"',
    '""',
    'null',
    absent,
    'true',
    '"2026-11-27T10:00:60Z"',
    '"2026-04-31"',
    '"2026-11-26T23:00:00-01:00"',
    '"1900-02-29"',
    '"2000-02-29"',
    '"2026-11-27T10:00:00+05:60"',
    '"2026-11-27T00:00:00.000Z"',
    '"2026-11-27T10:00:00.5Z"',
    '"2026-11-27T10:00:00.05+00:00"',
  ],
  vip: ['true', 'false', '"true"', '"false"', '"TRUE"', '" true"', '1', '0', 'null', absent, '""', '"yes"'],
  tier: [
    '"gold"',
    '"Gold"',
    '" gold"',
    '"silver"',
    '"bronze"',
    '""',
    '"platinum"',
    '1',
    'true',
    'null',
    absent,
    '{"x":1}',
    '["gold"]',
    '1.50',
  ],
};

const builtinPools = {
  subject: [
    'Printer on fire',
    '  printer ON FIRE  ',
    'Ärrä pärrä',
    'ÄRRÄ',
    '',
    '   ',
    'Invoice 50% off',
    'Invoice 500 off',
    'under_score',
    'under score',
    'back\\slash',
    'Alice',
    'alice',
    'Zebra',
    'apple',
    '42',
    'true',
    'Tab\there',
    '\u00a0nbsp\u00a0',
    '\u3000ideo\u3000',
    'Refund request',
    'Login fails',
    'zebra crossing',
  ],
  content: [
    '',
    'The toner cartridge is empty',
    'please REFUND',
    '  Alice  ',
    'ärrä',
    'nothing here',
    'Cartridge?',
  ],
  messageText: ['', 'toner cartridge replaced', 'refund issued', 'we called back', 'Printer works again'],
  priority: [null, 'low', 'medium', 'high', 'urgent', ''],
  closed: [
    [false, null],
    [true, '2026-11-27T00:00:00.000Z'],
    [true, null],
    [true, '2026-11-26T23:59:59.999Z'],
    [false, null],
    [true, '2026-11-28T10:00:00.000Z'],
    [true, '2025-01-01T00:00:00.000Z'],
  ] as const,
  owner: [
    [null, null, null],
    [ownerId, 'Sam', 'Agent'],
    [null, '', ''],
    [ownerId, 'sam', ''],
    [ownerId, null, 'Smith'],
    [ownerId, '  Sam ', 'AGENT'],
    [ownerId, 'Åsa', 'Öberg'],
    [ownerId, 'Bob', 'Builder'],
  ] as const,
  requesterName: ['Alice A', 'alice a', '', null, 'Bob B', '  BOB b'],
  requesterEmail: ['alice@acme.test', 'ALICE@ACME.TEST ', null, '', 'bob@acme.test', 'carol@globex.test'],
  requester: [me, me, colleague, stranger, null],
  company: [myCompany, myCompany, myCompany, otherCompany, null],
  source: ['portal', 'form', 'email', 'api', ''],
  stage: [
    [p1, s1],
    [p1, s2],
    [p1, s3],
    [p2, s4],
    [p2, s5],
  ],
  createdAt: [
    '2026-11-26T23:59:59.999Z',
    '2026-11-27T00:00:00.000Z',
    '2026-11-27T00:00:00.001Z',
    '2026-11-27T12:00:00.000Z',
    '2026-11-27T23:59:59.999Z',
    '2026-11-28T00:00:00.000Z',
    '2024-02-29T10:00:00.000Z',
    '1999-12-31T23:59:59.999Z',
    '2026-11-27T12:00:00.000Z',
  ],
  lastActivityAt: [
    '2026-11-27T12:00:00.000Z',
    '2026-11-27T00:00:00.000Z',
    '2026-11-28T00:00:00.000Z',
    '2026-11-26T23:59:59.999Z',
    '2026-12-01T08:00:00.000Z',
  ],
};

/** Deterministic shuffles, so every pool value lands on some row and fields do not move together. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function permutation(size: number, next: () => number): number[] {
  const order = Array.from({ length: size }, (_, i) => i);
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

interface Seed {
  accountId: string;
  subject: string;
  content: string;
  messageText: string;
  priority: string | null;
  closed: boolean;
  closedAt: string | null;
  owner: readonly [string | null, string | null, string | null];
  requesterName: string | null;
  requesterEmail: string | null;
  requesterContactId: string | null;
  companyId: string | null;
  source: string;
  pipelineId: string;
  stageId: string;
  createdAt: string;
  lastActivityAt: string;
  /** Raw JSON text of `properties`, or null for SQL NULL. */
  properties: string | null;
}

const mainRows = 48;

function seeds(): Seed[] {
  const next = random(20261127);
  const orders = new Map<string, number[]>();
  const pick = <T>(field: string, pool: readonly T[], i: number): T => {
    if (!orders.has(field)) orders.set(field, permutation(mainRows, next));
    return pool[orders.get(field)![i] % pool.length];
  };
  const rows: Seed[] = [];
  for (let i = 0; i < mainRows; i++) {
    const [closed, closedAt] = pick('closed', builtinPools.closed, i);
    const [pipelineId, stageId] = pick('stage', builtinPools.stage, i);
    const entries = Object.entries(customPools)
      .map(([name, pool]) => [name, pick(name, pool, i)] as const)
      .filter((entry): entry is readonly [string, string] => entry[1] !== absent)
      .map(([name, json]) => `${JSON.stringify(name)}: ${json}`);
    rows.push({
      accountId: account,
      subject: pick('subject', builtinPools.subject, i),
      content: pick('content', builtinPools.content, i),
      messageText: pick('messageText', builtinPools.messageText, i),
      priority: pick('priority', builtinPools.priority, i),
      closed,
      closedAt,
      owner: pick('owner', builtinPools.owner, i),
      requesterName: pick('requesterName', builtinPools.requesterName, i),
      requesterEmail: pick('requesterEmail', builtinPools.requesterEmail, i),
      requesterContactId: pick('requester', builtinPools.requester, i),
      companyId: pick('company', builtinPools.company, i),
      source: pick('source', builtinPools.source, i),
      pipelineId,
      stageId,
      createdAt: pick('createdAt', builtinPools.createdAt, i),
      lastActivityAt: pick('lastActivityAt', builtinPools.lastActivityAt, i),
      properties: `{${entries.join(', ')}}`,
    });
  }
  // No properties at all; and stale keys named like built-ins, which must not shadow the columns.
  rows[0].properties = null;
  rows[1].properties = '{"subject": "hijack", "status": "closed", "priority": "urgent"}';

  const base = rows[2];
  // Another account's tickets, even with this contact and company on them, are never listed.
  for (const requesterContactId of [me, null])
    rows.push({ ...base, accountId: otherAccount, requesterContactId, companyId: myCompany });
  // Values on which SQL reads differently from the evaluator, on purpose (see ticket-query.ts).
  for (const properties of [
    '{"nickname": 1e21}',
    '{"nickname": 12345678901234567890}',
    '{"nickname": 0.0000001}',
    '{"seats": "1e-1000"}',
    `{"seats": "${'9'.repeat(2000)}"}`,
    '{"seats": "1e-0999"}',
  ]) {
    rows.push({ ...base, accountId: oddAccount, properties });
  }
  return rows;
}

/** A row as the pg driver returns it (the evaluator sees what a service would read). */
interface DbRow {
  id: string;
  account_id: string;
  subject: string;
  content: string;
  message_text: string;
  priority: string | null;
  pipeline_id: string;
  stage_id: string;
  closed: boolean;
  closed_at: Date | null;
  owner_id: string | null;
  owner_first_name: string | null;
  owner_last_name: string | null;
  requester_contact_id: string | null;
  requester_name: string | null;
  requester_email: string | null;
  company_id: string | null;
  source: string;
  properties: Record<string, unknown> | null;
  created_at: Date;
  last_activity_at: Date;
}

/** The property values the evaluator sees for a ticket: custom values, then the built-ins over them. */
function valuesOf(row: DbRow): Record<string, unknown> {
  return {
    ...(row.properties ?? {}),
    subject: row.subject,
    content: row.content,
    priority: row.priority,
    status: row.closed ? 'closed' : 'open',
    pipeline: row.pipeline_id,
    stage: row.stage_id,
    owner: `${row.owner_first_name ?? ''} ${row.owner_last_name ?? ''}`,
    requester: row.requester_name,
    requester_email: row.requester_email,
    company: row.company_id,
    source: row.source,
    created_at: row.created_at,
    last_activity_at: row.last_activity_at,
    closed_at: row.closed_at,
  };
}

// ---- Conditions to try -----------------------------------------------------------------------------

const operandPools: Record<PropertyDefinition['type'], { single: FilterValue[]; lists: FilterValue[] }> = {
  string: {
    single: [
      'alice',
      '  ALICE ',
      'ali',
      'ce',
      'Ärrä',
      'ärrä',
      '42',
      'true',
      42,
      1.5,
      true,
      '',
      '   ',
      'printer',
      'PRINTER on',
      'sam',
      'sam agent',
      '%',
      '_',
      'acme.test',
      'alice@acme.test',
      '1.5',
      'bob',
      '0.000001',
      '12345.678',
      myCompany,
      myCompany.slice(0, 8).toUpperCase(),
      // PostgreSQL text cannot hold NUL: such a value must match nothing, not raise an error.
      'ali\u0000ce',
    ],
    lists: [
      ['alice', 'bob'],
      ['42', 'x'],
      ['', 'alice'],
      ['ÄRRÄ'],
      ['printer on fire', 'zebra'],
      [42, 'true'],
      ['alice', '\u0000'],
      ['\u0000'],
    ],
  },
  number: {
    single: [
      42,
      -1.5,
      0,
      -0,
      1000,
      7,
      0.5,
      1e5,
      100,
      1e300,
      1.7976931348623157e308,
      12345678901234567000,
      0.1,
      0.30000000000000004,
      '42',
      ' 1e3 ',
      'abc',
      true,
    ],
    lists: [[42, 0], [1000, '7'], [0.5, 100000], ['x', 1], [0.1]],
  },
  date: {
    single: [
      '2026-11-27',
      '2026-11-26',
      '2026-11-28',
      '2026-11-27T23:30:00Z',
      '2026-11-28T00:30:00+01:00',
      '2026-11-27T00:00:00.000Z',
      '2026-11-27T00:00:00.001Z',
      '2026-11-26T23:59:59.999Z',
      '2024-02-29',
      '0000-01-01',
      '0000-02-29',
      '9999-12-31',
      '9999-12-31T23:59:59.999-23:59',
      '10000-01-01',
      'bad',
      '2026-02-29',
      '1999-12-31T23:59:59.999Z',
      '2026-11-27t12:00z',
      ' 2026-11-27 ',
      '2026-11-27T10:00:00.123+05:30',
      '2026-11-27T10:00:00.4Z',
      '2026-11-27T10:00:00.051Z',
      '2026-11-27T10:00:00.049Z',
      42,
    ],
    lists: [['2026-11-27']],
  },
  enumeration: {
    single: [
      'low',
      'high',
      'urgent',
      'open',
      'closed',
      'portal',
      'api',
      'gold',
      'Gold',
      ' gold',
      'platinum',
      '1',
      '1.5',
      'true',
      '',
      p1,
      p2,
      s1,
      s4,
      s5,
      p1.toUpperCase(),
      'x',
      randomUUID(),
      1,
      true,
      'gold\u0000',
    ],
    lists: [
      ['gold'],
      ['gold', 'silver'],
      ['Gold', 'platinum'],
      [p1, s1, 'x'],
      ['', 'gold'],
      ['high', 'low'],
      [s5, s2],
    ],
  },
  boolean: {
    single: [true, false, 'true', 'false', 'TRUE', 1],
    lists: [[1, 0]],
  },
};

function singleConditions(): FilterCondition[] {
  const conditions: FilterCondition[] = [];
  for (const definition of definitions) {
    for (const operator of operatorsFor(definition.type)) {
      const pool = operandPools[definition.type];
      if (operator === 'known' || operator === 'unknown')
        conditions.push({ property: definition.name, operator });
      else
        for (const value of operator === 'any_of' || operator === 'none_of' ? pool.lists : pool.single)
          conditions.push({ property: definition.name, operator, value });
    }
  }
  return conditions;
}

function randomFilters(count: number, pool: readonly FilterCondition[], seed: number): Filter[] {
  const next = random(seed);
  const any = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const broken: FilterCondition[] = [
    { property: 'nope', operator: 'neq', value: 'x' },
    { property: 'priority', operator: 'gt', value: 'low' },
    { property: 'seats', operator: 'contains', value: '4' },
  ];
  return Array.from({ length: count }, () => ({
    groups: Array.from({ length: 1 + Math.floor(next() * 3) }, () =>
      next() < 0.04
        ? []
        : Array.from({ length: 1 + Math.floor(next() * 3) }, () => (next() < 0.05 ? any(broken) : any(pool))),
    ),
  }));
}

// ---- The database ----------------------------------------------------------------------------------

let db: pg.Client;
let rows: DbRow[];

async function asAdmin(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

beforeAll(async () => {
  await asAdmin(`drop database if exists ${databaseName} with (force)`);
  // Code-point collation, so the expected text order below is JavaScript's; lower() still knows Unicode.
  await asAdmin(
    `create database ${databaseName} template template0 encoding 'UTF8' lc_collate 'C.UTF-8' lc_ctype 'C.UTF-8'`,
  );
  const url = new URL(serverUrl);
  url.pathname = `/${databaseName}`;
  db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  // Far from UTC: nothing may depend on the session's time zone.
  await db.query(`set time zone 'Pacific/Kiritimati'`);
  // The columns of the tickets.ticket migration, written here while that migration is in progress.
  await db.query(`
    create schema tickets;
    create table tickets.ticket (
      id uuid primary key default gen_random_uuid(),
      account_id uuid not null,
      subject varchar(255) not null,
      content text not null default '',
      priority text null,
      pipeline_id uuid not null,
      stage_id uuid not null,
      closed boolean not null default false,
      closed_at timestamptz(3) null,
      owner_id uuid null,
      owner_first_name text,
      owner_last_name text,
      requester_contact_id uuid null,
      requester_name text,
      requester_email text,
      company_id uuid null,
      source text not null,
      properties jsonb,
      message_text text not null default '',
      created_at timestamptz(3) not null,
      last_activity_at timestamptz(3) not null,
      search tsvector generated always as (to_tsvector('simple', subject || ' ' || content || ' ' || message_text)) stored
    )`);
  for (const seed of seeds()) {
    await db.query(
      `insert into tickets.ticket (account_id, subject, content, message_text, priority, closed, closed_at,
         owner_id, owner_first_name, owner_last_name, requester_name, requester_email, requester_contact_id,
         company_id, source, pipeline_id, stage_id, created_at, last_activity_at, properties)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20::jsonb)`,
      [
        seed.accountId,
        seed.subject,
        seed.content,
        seed.messageText,
        seed.priority,
        seed.closed,
        seed.closedAt,
        ...seed.owner,
        seed.requesterName,
        seed.requesterEmail,
        seed.requesterContactId,
        seed.companyId,
        seed.source,
        seed.pipelineId,
        seed.stageId,
        seed.createdAt,
        seed.lastActivityAt,
        seed.properties,
      ],
    );
  }
  rows = (await db.query<DbRow>('select * from tickets.ticket')).rows;
});

afterAll(async () => {
  await db?.end();
  await asAdmin(`drop database if exists ${databaseName} with (force)`);
});

const inAccount = (accountId: string) => rows.filter((row) => row.account_id === accountId);
const sortedIds = (list: readonly { id: string }[]) => list.map((row) => row.id).sort();

/** Ids of an account's tickets that the compiled filter selects. */
async function selectIds(filter: Filter, accountId = account): Promise<string[]> {
  const params = new SqlParams();
  const accountParam = params.add(accountId);
  const where = compileFilter(filter, definitions, params);
  const result = await db.query<{ id: string }>(
    `select id from tickets.ticket where account_id = ${accountParam} and ${where}`,
    params.values,
  );
  return sortedIds(result.rows);
}

function expectedIds(filter: Filter, accountId = account): string[] {
  return sortedIds(inAccount(accountId).filter((row) => matchesFilter(filter, valuesOf(row), definitions)));
}

/** Runs every filter and returns the ones where SQL and the evaluator disagree, with both answers. */
async function disagreements(filters: readonly Filter[]) {
  const found: { filter: string; sql: number[]; evaluator: number[] }[] = [];
  for (const filter of filters) {
    const [sql, evaluator] = [await selectIds(filter), expectedIds(filter)];
    if (sql.join() !== evaluator.join()) {
      // Row numbers read better than uuids in a failure.
      const names = (ids: string[]) => ids.map((id) => rows.findIndex((row) => row.id === id));
      found.push({ filter: JSON.stringify(filter), sql: names(sql), evaluator: names(evaluator) });
    }
  }
  return found;
}

async function listPage(input: Partial<TicketListInput> & { scope: TicketScope }): Promise<TicketListRow[]> {
  const { sql, params } = compileTicketList({
    accountId: account,
    visibility: { groups: [] },
    filters: { groups: [] },
    sort: { property: 'created_at', direction: 'desc' },
    limit: 1000,
    definitions,
    ...input,
  });
  return (await db.query<TicketListRow>(sql, params)).rows;
}

const organization: TicketScope = {
  contactId: me,
  companyId: myCompany,
  seesCompanyTickets: true,
  show: 'organization',
};
const visibleToOrganization = (row: DbRow) =>
  row.account_id === account && (row.requester_contact_id === me || row.company_id === myCompany);

// ---- Tests -----------------------------------------------------------------------------------------

describe('compileFilter against PostgreSQL', () => {
  const conditions = singleConditions();

  it('selects exactly the tickets the evaluator selects, for every condition on every property', async () => {
    expect(conditions.length).toBeGreaterThan(900);
    expect(await disagreements(conditions.map((condition) => ({ groups: [[condition]] })))).toEqual([]);
  });

  it('selects exactly what the evaluator selects for groups ANDed and ORed, broken ones included', async () => {
    expect(await disagreements(randomFilters(400, conditions, 7))).toEqual([]);
    expect(
      await disagreements([{ groups: [] }, { groups: [[]] }, { groups: [[], [conditions[0]]] }]),
    ).toEqual([]);
  });

  it('covers matches and misses: no property reads the same on every ticket', async () => {
    for (const definition of definitions.filter((d) => d.name !== 'constructor')) {
      const known = await selectIds({ groups: [[{ property: definition.name, operator: 'known' }]] });
      expect(known.length).toBeGreaterThan(0);
      if (!['status', 'pipeline', 'stage', 'created_at', 'last_activity_at'].includes(definition.name))
        expect(known.length).toBeLessThan(inAccount(account).length);
    }
  });

  it('never raises an error on values it reads differently from the evaluator, and reads them as documented', async () => {
    for (const condition of conditions) await selectIds({ groups: [[condition]] }, oddAccount);
    const odd = inAccount(oddAccount);
    const known = async (property: string) =>
      (await selectIds({ groups: [[{ property, operator: 'known' }]] }, oddAccount)).length;
    // JavaScript prints 1e21 and 0.0000001 with an exponent, and 12345678901234567890 as
    // 12345678901234567000: SQL reads them as unknown text.
    expect(await known('nickname')).toBe(0);
    expect(odd.filter((row) => row.properties?.nickname !== undefined)).toHaveLength(3);
    // "1e-1000" (0 to the evaluator) and a 2000-digit number are unknown to SQL; "1e-0999" is 0 to both.
    const zero = await selectIds({ groups: [[{ property: 'seats', operator: 'eq', value: 0 }]] }, oddAccount);
    expect(zero).toEqual(sortedIds(odd.filter((row) => row.properties?.seats === '1e-0999')));
  });
});

describe('compileTicketList against PostgreSQL', () => {
  const scopes: [string, TicketScope, (row: DbRow) => boolean][] = [
    [
      'own tickets only, without company permission',
      { ...organization, seesCompanyTickets: false },
      (row) => row.requester_contact_id === me,
    ],
    [
      'own and company tickets',
      organization,
      (row) => row.requester_contact_id === me || row.company_id === myCompany,
    ],
    [
      'own tickets only when the Show switch says so',
      { ...organization, show: 'mine' },
      (row) => row.requester_contact_id === me,
    ],
    [
      'own tickets only for a contact without a company',
      { ...organization, companyId: null },
      (row) => row.requester_contact_id === me,
    ],
    [
      "a stranger's own tickets only",
      { contactId: stranger, companyId: null, seesCompanyTickets: true, show: 'organization' },
      (row) => row.requester_contact_id === stranger,
    ],
  ];

  it.each(scopes)('lists %s, and nothing of another account', async (_what, scope, sees) => {
    const expected = inAccount(account).filter(sees);
    expect(expected.length).toBeGreaterThan(0);
    expect(sortedIds(await listPage({ scope }))).toEqual(sortedIds(expected));
    // "not equal" and "unknown" are true on missing values; they must not widen the scope.
    const wide: Filter = {
      groups: [
        [{ property: 'subject', operator: 'neq', value: 'zzz' }],
        [{ property: 'company', operator: 'unknown' }],
      ],
    };
    expect(sortedIds(await listPage({ scope, visibility: wide, filters: wide }))).toEqual(
      sortedIds(expected.filter((row) => matchesFilter(wide, valuesOf(row), definitions))),
    );
  });

  it('applies the visibility filter and the customer filters together, within the scope', async () => {
    const pool = singleConditions();
    const [visibilities, filters] = [randomFilters(60, pool, 11), randomFilters(60, pool, 13)];
    const wrong: string[] = [];
    for (const [i, visibility] of visibilities.entries()) {
      const filter = filters[i];
      const listed = sortedIds(await listPage({ scope: organization, visibility, filters: filter }));
      const expected = sortedIds(
        rows.filter(
          (row) =>
            visibleToOrganization(row) &&
            matchesFilter(visibility, valuesOf(row), definitions) &&
            matchesFilter(filter, valuesOf(row), definitions),
        ),
      );
      if (listed.join() !== expected.join()) wrong.push(JSON.stringify({ visibility, filter }));
    }
    expect(wrong).toEqual([]);
  });

  it('returns the columns the portal shows, timestamps as ISO UTC with milliseconds', async () => {
    const [row] = await listPage({
      scope: organization,
      filters: { groups: [[{ property: 'closed_at', operator: 'known' }]] },
      limit: 1,
    });
    const source = rows.find((candidate) => candidate.id === row.id)!;
    expect(row).toEqual({
      id: source.id,
      subject: source.subject,
      priority: source.priority,
      pipelineId: source.pipeline_id,
      stageId: source.stage_id,
      closed: source.closed,
      ownerId: source.owner_id,
      ownerFirstName: source.owner_first_name,
      ownerLastName: source.owner_last_name,
      requesterContactId: source.requester_contact_id,
      requesterName: source.requester_name,
      requesterEmail: source.requester_email,
      companyId: source.company_id,
      source: source.source,
      properties: source.properties,
      createdAt: source.created_at.toISOString(),
      lastActivityAt: source.last_activity_at.toISOString(),
      closedAt: source.closed_at!.toISOString(),
      sortValue: source.created_at.toISOString(),
    });
  });

  describe('search', () => {
    const words = (row: DbRow) =>
      `${row.subject} ${row.content} ${row.message_text}`.toLowerCase().split(/[^\p{L}\p{N}]+/u);
    const subjectHas = (part: string) => (row: DbRow) =>
      row.subject.toLowerCase().includes(part.toLowerCase());
    const hasWord = (word: string) => (row: DbRow) => words(row).includes(word);

    it.each<[string, string, (row: DbRow) => boolean]>([
      ['a word in the subject', 'fire', hasWord('fire')],
      ['a word only in message text', 'replaced', hasWord('replaced')],
      ['a word in content or messages, any case', 'CARTRIDGE', hasWord('cartridge')],
      ['part of a subject', 'ON FI', subjectHas('on fi')],
      ['part of a subject in any case, beyond ASCII', 'ärr', subjectHas('ärr')],
      ['a percent sign literally', '%', subjectHas('%')],
      ['an underscore literally', '_', subjectHas('_')],
      ['a backslash literally', '\\', subjectHas('\\')],
      ['"50%" but not "500"', '50%', subjectHas('50%')],
      [
        'a quoted phrase',
        '"toner cartridge"',
        (row) => `${row.content} ${row.message_text}`.toLowerCase().includes('toner cartridge'),
      ],
      [
        'a word without another',
        'refund -issued',
        (row) => hasWord('refund')(row) && !hasWord('issued')(row),
      ],
    ])('finds %s', async (_what, search, matches) => {
      const expected = rows.filter((row) => visibleToOrganization(row) && matches(row));
      expect(expected.length).toBeGreaterThan(0);
      expect(sortedIds(await listPage({ scope: organization, search }))).toEqual(sortedIds(expected));
    });

    it('drops NUL characters from the term instead of failing', async () => {
      expect(sortedIds(await listPage({ scope: organization, search: 'fi\u0000re' }))).toEqual(
        sortedIds(await listPage({ scope: organization, search: 'fire' })),
      );
    });

    it('ignores a blank search', async () => {
      expect(await listPage({ scope: organization, search: '  ' })).toHaveLength(
        rows.filter(visibleToOrganization).length,
      );
    });
  });
});

describe('keyset pages against PostgreSQL', () => {
  const scalarText = (value: unknown) =>
    typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';

  /**
   * Sort keys of the visible tickets, null where the value is unknown (sorted last). Numbers and
   * dates are ranked by the evaluator's own `lt`, so the order expected is the evaluator's.
   */
  function sortKeys(property: TicketProperty, visible: readonly DbRow[]): (string | number | null)[] {
    const values = visible.map((row) => valuesOf(row)[property.name]);
    switch (property.type) {
      case 'string':
        return values.map((value) => scalarText(value).trim().toLowerCase() || null);
      case 'enumeration':
        return values.map((value) => {
          const position = (property.options ?? []).findIndex((option) => option.value === scalarText(value));
          return position < 0 ? null : position + 1;
        });
      case 'boolean':
        return values.map((value) =>
          value === true || value === 'true' ? 1 : value === false || value === 'false' ? 0 : null,
        );
      case 'number':
      case 'date':
        return evaluatorRanks(property.type, values);
    }
  }

  function evaluatorRanks(type: 'number' | 'date', values: readonly unknown[]): (number | null)[] {
    const probe: PropertyDefinition[] = [{ name: 'v', label: 'v', type }];
    const operand = (value: unknown) =>
      value instanceof Date ? value.toISOString() : (value as FilterValue);
    const known = (value: unknown) =>
      matchesFilter({ groups: [[{ property: 'v', operator: 'known' }]] }, { v: value }, probe);
    const before = (a: unknown, b: unknown) =>
      matchesFilter({ groups: [[{ property: 'v', operator: 'lt', value: operand(b) }]] }, { v: a }, probe);
    const order = values
      .map((value, i) => ({ value, i }))
      .filter(({ value }) => known(value))
      .sort((a, b) => (before(a.value, b.value) ? -1 : before(b.value, a.value) ? 1 : 0));
    const ranks: (number | null)[] = values.map(() => null);
    order.forEach((entry, n) => {
      const previous = order[n - 1];
      const rank = previous ? ranks[previous.i]! + (before(previous.value, entry.value) ? 1 : 0) : 0;
      ranks[entry.i] = rank;
    });
    return ranks;
  }

  function expectedOrder(
    keys: readonly (string | number | null)[],
    visible: readonly DbRow[],
    direction: 'asc' | 'desc',
  ) {
    const sign = direction === 'asc' ? 1 : -1;
    return visible
      .map((row, i) => ({ id: row.id, key: keys[i]! }))
      .sort((a, b) => {
        if (a.key !== b.key) {
          if (a.key === null) return 1;
          if (b.key === null) return -1;
          return (a.key < b.key ? -1 : 1) * sign;
        }
        return (a.id < b.id ? -1 : 1) * sign;
      })
      .map((row) => row.id);
  }

  const sortable = definitions.filter((definition) => definition.sortable);

  it.each(
    sortable.flatMap((property) =>
      (['asc', 'desc'] as const).map((direction) => [property.name, direction] as const),
    ),
  )('pages by %s %s, every ticket once, unknown values last', async (name, direction) => {
    const property = definitions.find((definition) => definition.name === name)!;
    const sort: TicketSort = { property: name, direction };
    const visible = rows.filter(visibleToOrganization);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const after: TicketListAfter | undefined = cursor ? decodeTicketListCursor(sort, cursor) : undefined;
      const limit = 4;
      const fetched = await listPage({ scope: organization, sort, after, limit });
      const { rows: items, after: next } = ticketListPage(fetched, limit);
      seen.push(...items.map((item) => item.id));
      if (!next) break;
      cursor = encodeTicketListCursor(sort, next);
    }
    const keys = sortKeys(property, visible);
    expect(seen).toEqual(expectedOrder(keys, visible, direction));
    // Ties and unknown values are what make paging hard: make sure this property has both.
    expect(new Set(keys).size).toBeLessThan(keys.length);
    if (!['status', 'pipeline', 'created_at', 'last_activity_at'].includes(name))
      expect(keys).toContain(null);
  });

  it('pages through a filtered and searched list', async () => {
    const sort: TicketSort = { property: 'last_activity_at', direction: 'asc' };
    const filters: Filter = {
      groups: [
        [{ property: 'status', operator: 'eq', value: 'closed' }],
        [{ property: 'seats', operator: 'known' }],
      ],
    };
    const all = await listPage({ scope: organization, sort, filters, search: 'e' });
    const paged: string[] = [];
    let after: TicketListAfter | undefined;
    do {
      const page = ticketListPage(
        await listPage({ scope: organization, sort, filters, search: 'e', after, limit: 3 }),
        3,
      );
      paged.push(...page.rows.map((row) => row.id));
      after = page.after ?? undefined;
    } while (after);
    expect(all.length).toBeGreaterThan(3);
    expect(paged).toEqual(all.map((row) => row.id));
  });
});
