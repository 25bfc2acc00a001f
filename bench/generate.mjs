// npm run generate --workspace bench [-- --force]
//
// Prepares the benchmark database (helpdesk_bench, or BENCH_DATABASE_URL): creates it, applies every
// service's migrations, seeds the demo data (account "Demo", admin@demo.test / demo-password), then
// bulk-generates 1,000,000 tickets for the Demo account with set-based SQL. Skips the generation when
// the same data set is already there; --force regenerates it. Never touches `helpdesk` or test databases.
import pg from 'pg';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import {
  assertBenchDatabase,
  benchDatabaseUrl,
  DATASET,
  ensureDatabase,
  readGeneration,
  requireBuild,
  runNode,
  services,
} from './lib/common.mjs';
import { COMMON, NEEDLE, RARE } from './lib/vocabulary.mjs';

const force = process.argv.includes('--force');
/** Requesters' names: contact n is FIRST[n % 12] LAST[(n / 7) % 10], in identity and on the tickets alike. */
const FIRST = [
  'Aino',
  'Eero',
  'Maria',
  'Jonas',
  'Leena',
  'Mikko',
  'Sara',
  'Pekka',
  'Anna',
  'Tom',
  'Helmi',
  'Ville',
];
const LAST = [
  'Virtanen',
  'Korhonen',
  'Nieminen',
  'Smith',
  'Müller',
  'Mäkinen',
  'Hämäläinen',
  'Jones',
  'Laine',
  'Koskinen',
];
/** The support pipeline's stages, as the tickets service creates them (pipelines.service.ts). */
const SUPPORT_STAGES = [
  ['New', 'open'],
  ['Waiting on contact', 'open'],
  ['Waiting on us', 'open'],
  ['Closed', 'closed'],
];
const started = performance.now();
const since = (t) => `${((performance.now() - t) / 1000).toFixed(1)} s`;

assertBenchDatabase();
requireBuild();
const dbEnv = { DATABASE_URL: benchDatabaseUrl, LOG_LEVEL: 'warn' };

if (await ensureDatabase()) console.log(`Created database ${benchDatabaseUrl}`);

let t = performance.now();
// Each service migrates its own schema, so they can run side by side.
await Promise.all(services.map((service) => runNode(`apps/${service}/dist/migrate.js`, [], dbEnv)));
console.log(`Migrations applied (${since(t)})`);

t = performance.now();
const identityOut = await runNode('apps/identity/dist/seed.js', [], dbEnv);
const demo = JSON.parse(identityOut.trim().split('\n').at(-1));
const { accountId } = demo;
// Once the account exists, the identity seed lists *all* its contacts, our 100,000 included: far too
// much for a command-line argument (E2BIG). The tickets seed only needs the demo's own contacts.
const generatedEmail = /^contact\d+@company\d+\.test$/;
const demoContacts = Object.fromEntries(
  Object.entries(demo.contacts ?? {}).filter(([email]) => !generatedEmail.test(email)),
);
await runNode('apps/tickets/dist/seed.js', [JSON.stringify({ ...demo, contacts: demoContacts })], dbEnv);
console.log(`Demo data seeded, account ${accountId} (${since(t)})`);

const client = new pg.Client({ connectionString: benchDatabaseUrl, application_name: 'bench-generate' });
await client.connect();
try {
  const previous = await readGeneration(client);
  const same =
    previous && previous.account_id === accountId && isDeepStrictEqual(previous.params.dataset, DATASET); // jsonb reorders keys
  if (same && !force) {
    console.log(
      `Already generated on ${previous.generated_at.toISOString()} (${previous.params.dataset.tickets} tickets); ` +
        'nothing to do. Use --force to regenerate.',
    );
  } else {
    await generate(client, accountId, previous, demo.agent ?? null);
  }
} finally {
  await client.end();
}
console.log(`Done in ${since(started)}`);

async function generate(client, accountId, previous, agent) {
  const step = async (label, sql, params) => {
    const s = performance.now();
    const result = await client.query(sql, params);
    console.log(`  ${label} (${since(s)})`);
    return result;
  };
  const genStarted = performance.now();
  console.log(`Generating ${DATASET.tickets.toLocaleString('en')} tickets…`);

  await client.query('begin');
  try {
    await client.query(`set local work_mem = '256MB'`);
    await client.query(`set local maintenance_work_mem = '512MB'`);
    // Deterministic random() for this session: the same words, priorities and contacts every time.
    await client.query('select setseed(0.4242)');
    await client.query('create schema if not exists bench');
    await client.query(`create table if not exists bench.generation (
      id int primary key default 1 check (id = 1),
      params jsonb not null,
      account_id uuid not null,
      generated_at timestamptz not null default now(),
      seconds numeric)`);
    // A valid version-4-shaped uuid derived from (kind, n): companies, contacts and tickets get ids that
    // are the same on every generation, and generated tickets can be told apart from the demo seed's.
    // Written without FROM so PostgreSQL inlines it.
    await client.query(`create or replace function bench.uuid_of(kind text, n bigint) returns uuid
      language sql immutable parallel safe
      as $$ select overlay(overlay(md5(kind || ':' || n) placing '4' from 13) placing '8' from 17)::uuid $$`);

    // The generated companies and contacts: kept in bench.* for reference (the tickets carry their
    // ids) and, below, copied into the identity service's tables. Company 0 is the big one.
    if (
      (await identityHas(client, 'company')) &&
      (await client.query(`select to_regclass('bench.contact') as t`)).rows[0].t
    ) {
      await step(
        'removed previously generated identity contacts and companies',
        `delete from identity.contact where id in (select id from bench.contact);
         delete from identity.company where id in (select id from bench.company);`,
      );
    }
    await client.query('drop table if exists bench.contact, bench.company');
    await step(
      `${DATASET.companies} companies, ${DATASET.contacts} contacts`,
      `create table bench.company as
         select idx, bench.uuid_of('company', idx) as id,
                case when idx = 0 then 'Megacorp Oy' else 'Company ' || idx end as name
           from generate_series(0, ${DATASET.companies - 1}) idx;
       create table bench.contact as
         select idx, bench.uuid_of('contact', idx) as id, company_idx,
                bench.uuid_of('company', company_idx) as company_id,
                'contact' || idx || '@company' || company_idx || '.test' as email,
                (${textArray(FIRST)})[1 + idx % ${FIRST.length}] as first_name,
                (${textArray(LAST)})[1 + (idx / 7) % ${LAST.length}] as last_name
           from (select idx, ${companyIdx('idx')} as company_idx from generate_series(0, ${DATASET.contacts - 1}) idx) c;
       alter table bench.company add primary key (idx);
       alter table bench.contact add primary key (idx);`,
    );

    await copyIntoIdentity(client, step, accountId);

    // Keep whatever the generator did not make (the demo seed's dozen tickets), then start from empty:
    // TRUNCATE is instant and leaves no dead rows, unlike deleting a million.
    const generatedBefore = Math.max(previous?.params?.dataset?.tickets ?? 0, DATASET.tickets);
    await step(
      'kept non-generated tickets',
      `create temp table keep on commit drop as
         select t.* from tickets.ticket t
          where not exists (select 1 from generate_series(1, $1::int) i where bench.uuid_of('ticket', i) = t.id)`,
      [generatedBefore],
    );
    await client.query('truncate tickets.ticket');
    // Generated columns (the search tsvector) cannot be inserted into: name the others.
    const { rows: columns } = await client.query(
      `select column_name from information_schema.columns
        where table_schema = 'tickets' and table_name = 'ticket' and is_generated = 'NEVER' order by ordinal_position`,
    );
    const columnList = columns.map(({ column_name }) => `"${column_name}"`).join(', ');
    await client.query(`insert into tickets.ticket (${columnList}) select ${columnList} from keep`);

    const placement = await supportPipeline(client, accountId);

    // Secondary indexes are cheaper to build once after the load than to maintain row by row.
    const { rows: indexes } = await client.query(`
      select i.indexname, i.indexdef from pg_indexes i
       where i.schemaname = 'tickets' and i.tablename = 'ticket'
         and not exists (select 1 from pg_constraint c where c.conname = i.indexname and c.connamespace = 'tickets'::regnamespace)`);
    for (const index of indexes) await client.query(`drop index tickets."${index.indexname}"`);

    const anchor = (await client.query(`select date_trunc('second', now()) as anchor`)).rows[0].anchor;
    const inserted = await step('tickets inserted', insertTicketsSql(), [
      accountId,
      anchor,
      COMMON,
      RARE,
      NEEDLE,
      placement.pipelineId,
      placement.openStageIds,
      placement.closedStageId,
      agent?.id ?? null,
      agent?.firstName ?? '',
      agent?.lastName ?? '',
    ]);
    if (inserted.rowCount !== DATASET.tickets)
      throw new Error(`inserted ${inserted.rowCount} tickets, expected ${DATASET.tickets}`);

    for (const index of indexes) await step(`index ${index.indexname} rebuilt`, index.indexdef);

    const seconds = (performance.now() - genStarted) / 1000;
    await client.query(
      `insert into bench.generation (id, params, account_id, generated_at, seconds) values (1, $1, $2, now(), $3)
       on conflict (id) do update set params = excluded.params, account_id = excluded.account_id, generated_at = now(), seconds = excluded.seconds`,
      [{ dataset: DATASET, anchor, needle: NEEDLE, rare: RARE }, accountId, seconds.toFixed(1)],
    );
    await step('committed', 'commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  }
  // VACUUM also sets hint bits and the visibility map, so the first benchmark reads do not write.
  await step('vacuum analyze', 'vacuum (analyze) tickets.ticket');
  await step('analyze bench.*', 'analyze bench.company; analyze bench.contact');
  if ((await identityHas(client, 'company')) && (await identityHas(client, 'contact')))
    await step('analyze identity contacts', 'analyze identity.company; analyze identity.contact');

  const { rows } = await client.query(
    `select count(*)::int as tickets, count(distinct company_id)::int as companies, count(distinct requester_contact_id)::int as contacts,
            min(created_at) as oldest, max(created_at) as newest, pg_size_pretty(pg_total_relation_size('tickets.ticket')) as size
       from tickets.ticket where account_id = $1`,
    [accountId],
  );
  const top = await client.query(
    `select company_id, count(*)::int as tickets from tickets.ticket where account_id = $1 group by 1 order by 2 desc limit 2`,
    [accountId],
  );
  console.log(`  ${JSON.stringify(rows[0])}`);
  console.log(`  biggest companies: ${top.rows.map((r) => `${r.company_id}: ${r.tickets}`).join(', ')}`);
  console.log(`Generation took ${since(genStarted)}`);
}

/**
 * The account's first pipeline (by display order, as the tickets service picks it) with its open
 * stages in order and its first closed stage. When the account has none yet, the support pipeline is
 * created here as the service would (the same label and stages).
 */
async function supportPipeline(client, accountId) {
  const first = () =>
    client.query(`select id from tickets.pipeline where account_id = $1 order by display_order, id limit 1`, [
      accountId,
    ]);
  let { rows } = await first();
  if (rows.length === 0) {
    await client.query(
      `with p as (insert into tickets.pipeline (id, account_id, label, display_order, created_at)
                  values (gen_random_uuid(), $1, 'Support pipeline', 0, now()) returning id)
       insert into tickets.stage (id, account_id, pipeline_id, label, display_order, state)
       select gen_random_uuid(), $1, p.id, s.label, s.ord - 1, s.state
         from p, unnest($2::text[], $3::text[]) with ordinality as s(label, state, ord)`,
      [accountId, SUPPORT_STAGES.map(([label]) => label), SUPPORT_STAGES.map(([, state]) => state)],
    );
    ({ rows } = await first());
  }
  const pipelineId = rows[0].id;
  const { rows: stages } = await client.query(
    `select id, state from tickets.stage where pipeline_id = $1 order by display_order, id`,
    [pipelineId],
  );
  const openStageIds = stages.filter((s) => s.state === 'open').map((s) => s.id);
  const closedStageId = stages.find((s) => s.state === 'closed')?.id;
  if (openStageIds.length === 0 || !closedStageId)
    throw new Error(`pipeline ${pipelineId} needs an open and a closed stage`);
  return { pipelineId, openStageIds, closedStageId };
}

async function identityHas(client, table) {
  return (await client.query(`select to_regclass($1) as t`, [`identity.${table}`])).rows[0].t !== null;
}

/**
 * Copies the generated companies and contacts into identity.company / identity.contact (added by the
 * identity service after this generator was first written), so a ticket's requester and company
 * resolve there too. Inside a savepoint: if the identity schema has moved on (a new NOT NULL column),
 * the tickets are still generated and a warning says what to update here.
 */
async function copyIntoIdentity(client, step, accountId) {
  if (!(await identityHas(client, 'company')) || !(await identityHas(client, 'contact'))) {
    console.log('  identity has no company/contact tables: contacts exist only as ids on the tickets');
    return;
  }
  await client.query('savepoint identity_copy');
  try {
    await step(
      `${DATASET.companies} companies copied into identity.company`,
      `insert into identity.company (id, account_id, name, domain, created_at)
         select id, $1, name, 'company' || idx || '.test', now() - interval '3 years' from bench.company`,
      [accountId],
    );
    await step(
      `${DATASET.contacts} contacts copied into identity.contact`,
      `insert into identity.contact (id, account_id, email, first_name, last_name, primary_company_id, properties, created_at, updated_at)
         select id, $1, email, first_name, last_name,
                company_id, '{}'::jsonb, now() - interval '3 years', now() - interval '3 years'
           from bench.contact`,
      [accountId],
    );
    await client.query('release savepoint identity_copy');
  } catch (error) {
    await client.query('rollback to savepoint identity_copy');
    console.warn(
      `  warning: contacts not copied into identity (${error.message}); update copyIntoIdentity() in bench/generate.mjs`,
    );
  }
}

/** A constant list as an SQL array literal (for multi-statement SQL, which cannot take parameters). */
function textArray(list) {
  return `array[${list.map((value) => `'${value.replaceAll("'", "''")}'`).join(', ')}]::text[]`;
}

/** Company of contact `idx`: the first bigCompanyContacts contacts are company 0's, the rest spread over the others. */
function companyIdx(idx) {
  const { bigCompanyContacts: big, companies } = DATASET;
  return `(case when ${idx} < ${big} then 0 else 1 + (${idx} - ${big}) % ${companies - 1} end)`;
}

/**
 * One INSERT … SELECT over generate_series. The inner query draws every row's random numbers once
 * (volatile functions keep PostgreSQL from flattening it, so each value is used consistently); the
 * word lists are correlated subqueries so they are drawn again for every row.
 * created_at grows with i (so the heap is in time order, like a real table that grew over the years):
 * t = anchor - span * (1 - sqrt((i - random()) / n)) gives each row its own slot with millisecond
 * jitter, and more tickets in recent months than three years ago.
 * Every ticket is in the account's support pipeline ($6): a ticket quiet for over 14 days is closed
 * with 95 % probability, a recent one with 30 % (closed_at = last activity, the closed stage $8);
 * open ones are spread over the open stages ($7). 70 % are owned by the demo agent ($9–$11), and the
 * requester's name and email are copied onto the ticket as the service does.
 */
function insertTicketsSql() {
  const { tickets: n, bigCompanyContacts: big, contacts, years } = DATASET;
  // Word picks skew to the front of COMMON (power 2.2); one word in 5,000 is a RARE one.
  const word = `case when random() < 0.0002 then ($4::text[])[1 + floor(random() * ${RARE.length})::int]
                     else ($3::text[])[1 + floor(power(random(), 2.2) * ${COMMON.length})::int] end`;
  const owned = `($9::uuid is not null and x.r_owner < 0.7)`;
  return `
    insert into tickets.ticket (id, account_id, subject, content, priority, requester_contact_id, company_id, created_at, last_activity_at,
                                pipeline_id, stage_id, closed, closed_at, owner_id, owner_first_name, owner_last_name,
                                requester_name, requester_email, source)
    select bench.uuid_of('ticket', x.i), $1::uuid, left(x.subject, 255), x.content, x.priority,
           case when x.contact_idx is not null then bench.uuid_of('contact', x.contact_idx) end,
           case when x.contact_idx is not null then bench.uuid_of('company', ${companyIdx('x.contact_idx')}) end,
           x.created_at, x.last_activity_at,
           $6::uuid,
           case when x.closed then $8::uuid else ($7::uuid[])[1 + floor(x.r_stage * cardinality($7::uuid[]))::int] end,
           x.closed,
           case when x.closed then x.last_activity_at end,
           case when ${owned} then $9::uuid end,
           case when ${owned} then $10::text else '' end,
           case when ${owned} then $11::text else '' end,
           case when x.contact_idx is not null
                then (${textArray(FIRST)})[1 + x.contact_idx % ${FIRST.length}] || ' ' || (${textArray(LAST)})[1 + (x.contact_idx / 7) % ${LAST.length}]
                else '' end,
           case when x.contact_idx is not null
                then 'contact' || x.contact_idx || '@company' || ${companyIdx('x.contact_idx')} || '.test' else '' end,
           case when x.r_source < 0.5 then 'portal' when x.r_source < 0.85 then 'email' when x.r_source < 0.95 then 'form' else 'api' end
      from (
        select w.*,
               w.r_state < case when w.last_activity_at < $2::timestamptz - interval '14 days' then 0.95 else 0.3 end as closed
          from (
            select r.*,
                   least(r.created_at + power(r.r_activity, 3) * interval '30 days', $2::timestamptz) as last_activity_at,
                   (select upper(left(s, 1)) || substr(s, 2) from (select string_agg(${word}, ' ') as s from generate_series(1, r.subject_words)) x)
                     || case when r.r_ref < 0.15 then ' #' || (100000 + floor(random() * 900000))::int else '' end
                     || case when r.i = ${Math.floor(n * 0.4242)} then ' ' || $5 else '' end as subject,
                   (select upper(left(s, 1)) || substr(s, 2) || '.'
                      from (select string_agg(${word} || case when random() < 0.08 then '.' else '' end, ' ') as s
                              from generate_series(1, r.content_words)) x) as content
              from (
                select i,
                       $2::timestamptz - interval '365.25 days' * ${years} * (1 - sqrt((i - random()) / ${n})) as created_at,
                       -- each WHEN draws anew: ~10% none, 35% low, 33% medium, 16% high, 6% urgent
                       case when random() < 0.10 then null when random() < 0.39 then 'low' when random() < 0.6 then 'medium'
                            when random() < 0.75 then 'high' else 'urgent' end as priority,
                       case when i % 5 = 0 then floor(random() * ${big})::int
                            when random() < 0.03 then null
                            else ${big} + floor(random() * ${contacts - big})::int end as contact_idx,
                       random() as r_activity,
                       random() as r_ref,
                       3 + floor(random() * 6)::int as subject_words,
                       12 + floor(random() * 70)::int as content_words,
                       random() as r_state,
                       random() as r_stage,
                       random() as r_owner,
                       random() as r_source
                  from generate_series(1, ${n}) i
              ) r
          ) w
      ) x`;
}
