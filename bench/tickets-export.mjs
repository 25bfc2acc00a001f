// npm run bench:export --workspace bench  (after npm run build and npm run generate --workspace bench)
//
// Service-level benchmark of the tickets service's CSV export (SPEC P4): starts a private nats-server
// and the tickets service (apps/tickets/dist) against the benchmark database, asks
// `tickets.exports.start` for an export of a portal viewer's whole view, polls `tickets.exports.get`
// until it is done, and reports rows, seconds (the service's own createdAt → finishedAt: queueing,
// query, CSV and the file), rows/s and the service's memory: VmRSS of the service process sampled
// every 100 ms, and its VmHWM (reset before each export through /proc/<pid>/clear_refs). The file
// is checked: UTF-8 BOM, the header of the column labels, one CRLF line per row of the view (the
// SQL's own count); its sha256 is kept, so runs of different code can be compared byte for byte.
// Per scope also EXPLAIN (ANALYZE, BUFFERS) of the statement the service runs (compileTicketList
// with limit null, as the export wraps it), serially as a cursor runs it, and the "floor": that
// statement streamed with pg-query-stream into this process without any CSV. Results go to
// bench/results/tickets-export-<timestamp>.json. Every process started here is stopped at the end,
// on failure and on Ctrl-C; all traffic stays on 127.0.0.1. The export's own rows in
// tickets.ticket_export and its Redis keys (a queue prefix of its own) are removed afterwards.
//
// Scopes (--scopes=company,all):
//   company  a Megacorp contact who sees company tickets: 200,000 tickets of helpdesk_bench.
//   all      no viewer of the generated data set sees more than Megacorp's 200,000 (a scope is a
//            contact's own tickets plus their company's). For a 1M-row view this script derives a
//            second database, <bench database>_export (helpdesk_bench_export): a copy of the data
//            set (CREATE DATABASE … TEMPLATE, which needs helpdesk_bench without other sessions for a
//            moment) in which every ticket of the Demo account belongs to Megacorp, then CLUSTERed on
//            (account_id, created_at, id) and analysed. It is made once (about 2 minutes) and kept;
//            it is remade when the data set is regenerated. helpdesk_bench itself is never changed.
//
// Options: --scopes=company,all  --runs=3  --columns=recommended|wide  --language=en|fi
//          --poll-ms=250   (how often tickets.exports.get is asked)
//          --memory-detail (the service's V8 heap and external memory beside its RSS, from
//                           lib/memory-probe.mjs preloaded into it)
//          --profile       (afterwards, one more export of the first scope with the V8 profiler in
//                           the service; prints a summary, keeps the .cpuprofile under bench/results/)
//          --no-explain --no-floor  --label=TEXT (stored with the results)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import {
  assertBenchDatabase,
  benchDatabaseUrl,
  benchDir,
  copyDatabase,
  readGeneration,
  root,
  runNode,
  writeResults,
} from './lib/common.mjs';
import { loadDefinitions, loadTicketsCode } from './lib/portal-list.mjs';
import { benchRun, removeRedisKeys } from './lib/lifecycle.mjs';
import {
  cpuSeconds,
  machineCpu,
  memoryOf,
  postgresBackendsCpu,
  postgresDelta,
  round,
  startNats,
  waitFor,
} from './lib/processes.mjs';
import { formatSummary, summarize } from './lib/profile-summary.mjs';

const arg = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const options = {
  scopes: arg('scopes', 'company,all').split(','),
  runs: Number(arg('runs', 3)),
  columns: arg('columns', 'recommended'),
  language: arg('language', 'en'),
  profile: process.argv.includes('--profile'),
  /** The service's own memory figures (V8 heap, external) beside its RSS, from a preloaded probe. */
  memoryDetail: process.argv.includes('--memory-detail'),
  explain: !process.argv.includes('--no-explain'),
  floor: !process.argv.includes('--no-floor'),
  label: arg('label', null),
  /** How often tickets.exports.get is asked while an export runs (the portal polls about once a second). */
  pollMs: Number(arg('poll-ms', 250)),
};
/** The goals of the export: rows per second end to end, and the service's peak resident memory. */
const GOAL_ROWS_PER_SECOND = 100_000;
const GOAL_PEAK_RSS_MB = 200;
const natsBin = process.env.NATS_SERVER ?? '/usr/sbin/nats-server';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const MEGACORP = 'bdaed294-ec8e-40bc-87ae-ba03113e84b5';
const SAMPLE_MS = 100;
const EXPORT_TIMEOUT_MS = 15 * 60_000;

/** The portal's recommended columns (RECOMMENDED_COLUMNS in libs/contracts), or all ten a portal may have. */
const COLUMNS = {
  recommended: [
    { property: 'subject', label: 'Subject' },
    { property: 'requester', label: 'Requester' },
    { property: 'created_at', label: 'Created date' },
    { property: 'owner', label: 'Ticket owner' },
    { property: 'last_activity_at', label: 'Last activity date' },
    { property: 'status', label: 'Status' },
  ],
  wide: [
    { property: 'subject', label: 'Subject' },
    { property: 'requester', label: 'Requester' },
    { property: 'requester_email', label: 'Requester email' },
    { property: 'created_at', label: 'Created date' },
    { property: 'owner', label: 'Ticket owner' },
    { property: 'last_activity_at', label: 'Last activity date' },
    { property: 'status', label: 'Status' },
    { property: 'priority', label: 'Priority' },
    { property: 'source', label: 'Source' },
    { property: 'closed_at', label: 'Close date' },
  ],
};
const columns = COLUMNS[options.columns];
if (!columns) throw new Error(`--columns must be one of ${Object.keys(COLUMNS).join(', ')}`);
if (!['en', 'fi'].includes(options.language)) throw new Error('--language must be en or fi');
for (const scope of options.scopes)
  if (!['company', 'all'].includes(scope)) throw new Error(`unknown scope ${scope} (company, all)`);

// ---------------------------------------------------------------------------------------------
// Processes and cleanup
// ---------------------------------------------------------------------------------------------
const tmp = mkdtempSync(join(os.tmpdir(), 'helpdesk-bench-export-'));
let rpc = null;
const clients = new Set();
const redisPrefix = `bench-export-${process.pid}`;

const lifecycle = benchRun({
  tmp,
  closeClients: async () => {
    await rpc?.close().catch(() => {});
    rpc = null;
    for (const client of clients) await client.end().catch(() => {});
    clients.clear();
  },
  removeKeys: () => removeRedisKeys(redisUrl, redisPrefix),
});
const { procs, stopAll } = lifecycle;

async function connect(url, name) {
  const client = new pg.Client({ connectionString: url, application_name: name });
  await client.connect();
  clients.add(client);
  return client;
}

async function disconnect(client) {
  clients.delete(client);
  await client.end();
}

// ---------------------------------------------------------------------------------------------
// Preparation: the build, the data set, the derived 1M-row database
// ---------------------------------------------------------------------------------------------
assertBenchDatabase();
const benchName = new URL(benchDatabaseUrl).pathname.slice(1);
const exportUrl = (() => {
  const url = new URL(benchDatabaseUrl);
  url.pathname = `/${benchName}_export`;
  return url.toString();
})();
assertBenchDatabase(exportUrl);
if (!existsSync(natsBin)) throw new Error(`nats-server not found at ${natsBin} (set NATS_SERVER)`);

// Other people's `npm run build` empties dist/ for a moment: wait for a complete build.
const needed = [
  'apps/tickets/dist/main.js',
  'apps/tickets/dist/migrate.js',
  'apps/tickets/dist/tickets/ticket-query.js',
  'apps/tickets/dist/exports/exports.service.js',
  'libs/kit/dist/index.js',
  'libs/contracts/dist/index.js',
];
await waitFor(
  'a complete build of apps/tickets and libs (run `npm run build`)',
  async () => needed.every((f) => existsSync(join(root, f))),
  120_000,
  1_000,
);
await sleep(1_000);
let distAtStart = null;
try {
  distAtStart = distFingerprint();
} catch {
  // dist/ is being rebuilt at this moment
}

const migrate = async (url) => {
  const out = await runNode(
    'apps/tickets/dist/migrate.js',
    [],
    { DATABASE_URL: url, LOG_LEVEL: 'warn' },
    { timeoutMs: 30 * 60_000 },
  );
  return out.trim().split('\n').filter(Boolean).at(-1) ?? '';
};

const db = await connect(benchDatabaseUrl, 'bench-tickets-export').catch((error) => {
  throw new Error(
    `Cannot connect to ${benchDatabaseUrl} (${error.message}). Run \`npm run generate --workspace bench\` first.`,
  );
});
console.log(`Tickets migrations on ${benchName}: ${(await migrate(benchDatabaseUrl)) || 'up to date'}`);
const generation = await readGeneration(db);
if (!generation)
  throw new Error('The benchmark data set is missing. Run `npm run generate --workspace bench` first.');
const accountId = generation.account_id;
const contact = (
  await db.query('select id, company_id from bench.contact where company_id = $1 order by idx limit 1', [
    MEGACORP,
  ])
).rows[0];
if (!contact) throw new Error('no Megacorp contact in bench.contact; regenerate the data set');
const pgVersion = (await db.query('show server_version')).rows[0].server_version;
const pgSettings = Object.fromEntries(
  (
    await db.query(
      `select name, current_setting(name) as value from pg_settings
        where name in ('shared_buffers', 'work_mem', 'random_page_cost', 'effective_cache_size', 'jit',
                       'max_parallel_workers_per_gather')`,
    )
  ).rows.map((r) => [r.name, r.value]),
);
await disconnect(db);

/**
 * `<bench>_export`: the data set with every Demo ticket in Megacorp, so one viewer's view is the whole
 * account. Remade when the data set it was copied from was regenerated (or the marker is missing).
 */
async function ensureExportDatabase() {
  const source = { generatedAt: new Date(generation.generated_at).toISOString(), params: generation.params };
  const admin = new URL(benchDatabaseUrl);
  admin.pathname = '/postgres';
  const server = await connect(admin.toString(), 'bench-tickets-export-admin');
  const exportName = new URL(exportUrl).pathname.slice(1);
  try {
    const exists = (await server.query('select 1 from pg_database where datname = $1', [exportName]))
      .rowCount;
    if (exists) {
      const derived = await connect(exportUrl, 'bench-tickets-export');
      const marker = await derived
        .query(`select source from bench.export_scope where id = 1`)
        .then((r) => r.rows[0]?.source ?? null)
        .catch(() => null);
      await disconnect(derived);
      if (marker && marker.generatedAt === source.generatedAt) {
        const applied = await migrate(exportUrl);
        console.log(`Using ${exportName} (all tickets in Megacorp); migrations: ${applied || 'up to date'}`);
        return;
      }
      console.log(`${exportName} was derived from an older data set; making it again…`);
      await server.query(`drop database "${exportName}"`);
    }
    console.log(`Deriving ${exportName} from ${benchName} (every Demo ticket in Megacorp; about a minute)…`);
    const started = performance.now();
    await copyDatabase(benchDatabaseUrl, benchName, exportName);
    const derived = await connect(exportUrl, 'bench-tickets-export');
    try {
      await derived.query("set maintenance_work_mem = '512MB'");
      const moved = await derived.query(
        `update tickets.ticket set company_id = $2::uuid
          where account_id = $1::uuid and company_id is distinct from $2::uuid`,
        [accountId, MEGACORP],
      );
      // In time order again, as in the data set (an UPDATE appends the new row versions at the end).
      await derived.query('cluster tickets.ticket using ticket_account_id_created_at_id_index');
      await derived.query('vacuum (analyze) tickets.ticket');
      await derived.query(
        `create table if not exists bench.export_scope (id int primary key, source jsonb not null,
           moved int not null, derived_at timestamptz not null default now())`,
      );
      await derived.query(
        `insert into bench.export_scope (id, source, moved) values (1, $1, $2)
           on conflict (id) do update set source = excluded.source, moved = excluded.moved, derived_at = now()`,
        [JSON.stringify(source), moved.rowCount],
      );
      console.log(
        `  ${moved.rowCount} tickets moved into Megacorp, clustered and analysed (${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
    } finally {
      await disconnect(derived);
    }
  } finally {
    await disconnect(server);
  }
}

const scopes = [];
for (const name of options.scopes) {
  if (name === 'all') await ensureExportDatabase();
  scopes.push({
    name,
    url: name === 'all' ? exportUrl : benchDatabaseUrl,
    database: name === 'all' ? new URL(exportUrl).pathname.slice(1) : benchName,
    what:
      name === 'all'
        ? `every ticket of the account (${new URL(exportUrl).pathname.slice(1)}: all in Megacorp)`
        : `Megacorp's tickets (${benchName})`,
  });
}

const code = await loadTicketsCode();
const viewer = { contactId: contact.id, companyId: contact.company_id, seesCompanyTickets: true };
const exportRequest = {
  accountId,
  viewer,
  show: 'organization',
  visibility: { groups: [] },
  filters: { groups: [] },
  sort: { property: 'created_at', direction: 'desc' },
  ownerDisplay: { mode: 'first_name', alias: null },
  columns,
  showStages: false,
  language: options.language,
};
// Since the export selects only the fields its columns read (export-format.ts: exportFields and
// exportStatement around the list's SQL); a build without them runs the list's SQL as it is.
const exportFormat = await import(`${root}apps/tickets/dist/exports/export-format.js`).catch(() => ({}));
const statementOf = (listSql) =>
  exportFormat.exportStatement && exportFormat.exportFields
    ? exportFormat.exportStatement(listSql, exportFormat.exportFields(exportRequest))
    : listSql;

/** The list's SQL as the service compiles it for the export (ExportsService.run → compileTicketList, limit null). */
const exportSql = (definitions) =>
  code.compileTicketList({
    accountId,
    scope: { ...viewer, show: exportRequest.show },
    visibility: exportRequest.visibility,
    filters: exportRequest.filters,
    search: undefined,
    sort: exportRequest.sort,
    limit: null,
    definitions,
  });

// ---------------------------------------------------------------------------------------------
// nats-server, then per scope: the tickets service and the exports
// ---------------------------------------------------------------------------------------------
const { url: natsUrl } = await startNats(procs, join(tmp, 'nats'), natsBin);
const { RpcClient } = await import(`${root}libs/kit/dist/index.js`);
rpc = new RpcClient({ natsUrl, timeoutMs: 60_000, name: 'bench-tickets-export' });

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const profileFile = options.profile
  ? join(benchDir, 'results', `profiles-export-${stamp}`, 'tickets.cpuprofile')
  : null;
const filesDir = join(tmp, 'files');

const memoryFile = (scope) => join(tmp, `memory-${scope.name}.txt`);

function startTickets(scope, { profiled }) {
  const probe = options.memoryDetail && !profiled;
  const preload = [
    ...(profiled ? ['--import', join(benchDir, 'lib', 'cpu-profile.mjs')] : []),
    ...(probe ? ['--import', join(benchDir, 'lib', 'memory-probe.mjs')] : []),
  ];
  return procs.start(`tickets-${scope.name}`, process.execPath, [...preload, 'apps/tickets/dist/main.js'], {
    ...(profiled ? { BENCH_PROFILE_FILE: profileFile } : {}),
    ...(probe ? { BENCH_MEMORY_FILE: memoryFile(scope) } : {}),
    // Only what the service needs; nothing from the caller's environment that could point it elsewhere.
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    NATS_URL: natsUrl,
    DATABASE_URL: scope.url,
    METRICS_PORT: '0',
    LOG_LEVEL: 'warn',
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix,
    FILE_STORAGE_DIR: filesDir,
  });
}

/** Resets the process's VmHWM to its current RSS (Linux: `5` into /proc/<pid>/clear_refs). */
function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * CPU seconds of the service, its PostgreSQL backends and this script during an export, and "other":
 * what the rest of the machine used meanwhile (other people's builds and tests on a shared machine),
 * also as % of one core; when it is large, the run was disturbed.
 */
function cpuOf({ tickets, postgres, client, machineBusy, seconds }) {
  const other = machineBusy === null ? null : Math.max(0, machineBusy - tickets - (postgres ?? 0) - client);
  return {
    tickets: round(tickets, 2),
    postgres: postgres === null ? null : round(postgres, 2),
    client: round(client, 2),
    machineBusy: machineBusy === null ? null : round(machineBusy, 2),
    other: other === null ? null : round(other, 2),
    otherPercentOfCore: other === null ? null : round((other / seconds) * 100, 0),
  };
}

/** The probe's peaks (MB) between two instants: RSS, V8 heap total and used, external and array buffers. */
function memoryDetailOf(scope, from, to) {
  let lines = [];
  try {
    lines = readFileSync(memoryFile(scope), 'utf8').trim().split('\n');
  } catch {
    return null;
  }
  const names = ['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers'];
  const peak = Object.fromEntries(names.map((name) => [name, 0]));
  for (const line of lines) {
    const [ms, ...values] = line.split(' ').map(Number);
    if (ms < from || ms > to) continue;
    names.forEach((name, i) => (peak[name] = Math.max(peak[name], values[i] / 2 ** 20)));
  }
  return Object.fromEntries(names.map((name) => [`${name}Peak`, round(peak[name], 1)]));
}

/** Reads the stored file: BOM, header, CRLF line count and sha256 (to compare runs and code versions). */
async function checkFile(path, expectedRows) {
  const hash = createHash('sha256');
  let bytes = 0;
  let crlf = 0;
  let head = Buffer.alloc(0);
  let previous = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk);
    bytes += chunk.length;
    if (head.length < 4096) head = Buffer.concat([head, chunk.subarray(0, 4096)]);
    // Count "\r\n" across chunk boundaries.
    if (previous === 0x0d && chunk[0] === 0x0a) crlf++;
    for (let i = chunk.indexOf(0x0d); i !== -1 && i < chunk.length; i = chunk.indexOf(0x0d, i + 1))
      if (chunk[i + 1] === 0x0a) crlf++;
    previous = chunk[chunk.length - 1];
  }
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  const header = head.subarray(bom ? 3 : 0, head.indexOf('\r\n')).toString('utf8');
  const expectedHeader = columns.map((c) => c.label).join(',');
  const problems = [];
  if (!bom) problems.push('no UTF-8 BOM');
  if (header !== expectedHeader) problems.push(`header is ${JSON.stringify(header)}`);
  // Subjects have no line breaks in the data set, so every line is a record: header + rows.
  if (crlf !== expectedRows + 1) problems.push(`${crlf} lines for ${expectedRows} rows + header`);
  return {
    bytes,
    lines: crlf,
    sha256: hash.digest('hex').slice(0, 16),
    firstLines: head.toString('utf8').split('\r\n').slice(0, 3),
    problems,
  };
}

async function runExport(service, scope, expectedRows) {
  const pid = service.child.pid;
  const baseline = memoryOf(pid);
  const peakReset = resetPeak(pid);
  const samples = [];
  const sampler = setInterval(() => {
    const m = memoryOf(pid);
    if (m) samples.push(m.rss);
  }, SAMPLE_MS);
  const wallStart = Date.now();
  const selfBefore = process.cpuUsage();
  const cpuBefore = cpuSeconds(pid);
  const pgBefore = postgresBackendsCpu(scope.database);
  const machineBefore = machineCpu();
  const started = performance.now();
  const { exportId } = await rpc.send('tickets.exports.start', exportRequest);
  let view;
  let polls = 0;
  const progress = [];
  for (;;) {
    view = await rpc.send('tickets.exports.get', { accountId, contactId: viewer.contactId, exportId });
    polls++;
    if (view.status === 'done' || view.status === 'failed') break;
    if (progress.at(-1)?.rows !== view.rows)
      progress.push({ ms: round(performance.now() - started, 0), rows: view.rows });
    if (performance.now() - started > EXPORT_TIMEOUT_MS)
      throw new Error(`export ${exportId} not done in time`);
    await sleep(options.pollMs);
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const end = memoryOf(pid);
  if (end) samples.push(end.rss);
  const machineAfter = machineCpu();
  const pgAfter = postgresBackendsCpu(scope.database);
  const serviceCpu = cpuSeconds(pid) - cpuBefore;
  const selfCpu = process.cpuUsage(selfBefore);
  if (view.status !== 'done') throw new Error(`export ${exportId} failed: ${view.error}`);
  const file = await checkFile(join(filesDir, view.storageKey), expectedRows);
  rmSync(join(filesDir, view.storageKey), { force: true });
  if (view.rows !== expectedRows)
    file.problems.push(`the export says ${view.rows} rows, the SQL ${expectedRows}`);
  const serverSeconds = (Date.parse(view.finishedAt) - Date.parse(view.createdAt)) / 1000;
  const detail = options.memoryDetail ? memoryDetailOf(scope, wallStart, Date.now()) : null;
  return {
    exportId,
    rows: view.rows,
    // The service's own clock, from the start request to the export's end (queueing included);
    // what the client saw adds the polling interval at most.
    seconds: round(serverSeconds, 2),
    rowsPerSecond: Math.round(view.rows / serverSeconds),
    clientSeconds: round(seconds, 2),
    clientRowsPerSecond: Math.round(view.rows / seconds),
    memoryMB: {
      before: round(baseline?.rss ?? null, 1),
      peakSampled: round(Math.max(...samples), 1),
      vmHWM: round(end?.hwm ?? null, 1),
      vmHWMWasReset: peakReset,
      after: round(end?.rss ?? null, 1),
      ...(detail ? { detail } : {}),
    },
    cpuSeconds: cpuOf({
      tickets: serviceCpu,
      postgres: pgBefore && pgAfter ? postgresDelta(pgBefore, pgAfter) : null,
      client: (selfCpu.user + selfCpu.system) / 1e6,
      machineBusy: machineBefore && machineAfter ? machineAfter.busy - machineBefore.busy : null,
      seconds,
    }),
    progressUpdatesSeen: progress.length,
    polls,
    file,
  };
}

/** This run's rows of tickets.ticket_export (their files are already gone). */
async function removeExports(scope, runs) {
  const client = await connect(scope.url, 'bench-tickets-export');
  try {
    await client.query('delete from tickets.ticket_export where id = any($1::uuid[])', [
      runs.map((run) => run.exportId),
    ]);
  } finally {
    await disconnect(client);
  }
}

/** The same SQL streamed into this process with pg-query-stream, no formatting: what the database and `pg` alone allow. */
async function floor(scope, sql, params) {
  const { default: QueryStream } = await import(`${root}node_modules/pg-query-stream/dist/index.js`);
  const client = await connect(scope.url, 'bench-tickets-export-floor');
  try {
    const pgBefore = postgresBackendsCpu(scope.database);
    const self = process.cpuUsage();
    const started = performance.now();
    let rows = 0;
    const stream = client.query(new QueryStream(sql, params, { batchSize: 1_000 }));
    for await (const row of stream) if (row) rows++;
    const seconds = (performance.now() - started) / 1000;
    const pgAfter = postgresBackendsCpu(scope.database);
    const cpu = process.cpuUsage(self);
    return {
      rows,
      seconds: round(seconds, 2),
      rowsPerSecond: Math.round(rows / seconds),
      cpuSeconds: {
        client: round((cpu.user + cpu.system) / 1e6, 2),
        postgres: pgBefore && pgAfter ? round(postgresDelta(pgBefore, pgAfter), 2) : null,
      },
    };
  } finally {
    await disconnect(client);
  }
}

const results = [];
let profile = null;
for (const scope of scopes) {
  const client = await connect(scope.url, 'bench-tickets-export');
  const definitions = await loadDefinitions(code, client, accountId);
  const { sql: listSql, params } = exportSql(definitions);
  // What the service runs: the list's SQL, as a derived table of the fields the columns read.
  const sql = statementOf(listSql);
  const expectedRows = Number(
    (await client.query(`select count(*) as n from (${sql}) as view`, params)).rows[0].n,
  );
  const heap = (await client.query(`select pg_size_pretty(pg_relation_size('tickets.ticket')) as heap`))
    .rows[0].heap;
  console.log(
    `\n[${scope.name}] ${scope.what}: ${expectedRows} rows in the view; tickets.ticket heap ${heap}`,
  );

  let plan = null;
  if (options.explain) {
    // As a cursor runs it: a portal fetched in batches never uses parallel workers.
    await client.query('set max_parallel_workers_per_gather = 0');
    const explained = async () =>
      (await client.query(`explain (analyze, buffers) ${sql}`, params)).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
    await explained();
    plan = await explained();
    await client.query('reset max_parallel_workers_per_gather');
    const execution = /Execution Time: ([\d.]+) ms/.exec(plan)?.[1];
    console.log(
      `  EXPLAIN (ANALYZE, BUFFERS) of the statement the service runs${sql === listSql ? ' (the list SQL as it is)' : ' (the list SQL as a derived table of the needed fields)'}, serially as a cursor runs it: ${execution} ms\n${plan.replace(/^/gm, '    ')}`,
    );
  }
  await disconnect(client);
  const floorRun = options.floor ? await floor(scope, sql, params) : null;
  if (floorRun)
    console.log(
      `  floor (pg-query-stream into this process, no CSV): ${floorRun.rows} rows in ${floorRun.seconds} s = ${floorRun.rowsPerSecond} rows/s (client CPU ${floorRun.cpuSeconds.client} s, PostgreSQL ${floorRun.cpuSeconds.postgres} s)`,
    );

  const service = startTickets(scope, { profiled: false });
  await waitFor(
    'tickets service (tickets.ping)',
    async () => (await rpc.send('tickets.ping', {}, { timeoutMs: 2_000 })).database === 'up',
    60_000,
    300,
  );
  await sleep(1_000); // let startup settle before the baseline memory sample
  const runs = [];
  for (let i = 0; i < options.runs; i++) {
    const run = await runExport(service, scope, expectedRows);
    if (lifecycle.failing) await new Promise(() => {});
    runs.push(run);
    console.log(
      `  run ${i + 1}: ${run.rows} rows in ${run.seconds} s = ${run.rowsPerSecond} rows/s (seen by the client after ${run.clientSeconds} s); RSS ${run.memoryMB.before} → peak ${run.memoryMB.peakSampled} MB (VmHWM ${run.memoryMB.vmHWM}); CPU tickets ${run.cpuSeconds.tickets} s, PostgreSQL ${run.cpuSeconds.postgres} s, other ${run.cpuSeconds.otherPercentOfCore} % of a core${
        run.memoryMB.detail
          ? `; peaks MB: ${Object.entries(run.memoryMB.detail)
              .map(([k, v]) => `${k.replace('Peak', '')} ${v}`)
              .join(', ')}`
          : ''
      }${run.file.problems.length ? `; FILE PROBLEMS: ${run.file.problems.join('; ')}` : ''}`,
    );
  }
  await procs.stopAll([(name) => name === `tickets-${scope.name}`]);
  procs.stopping = false;
  await removeExports(scope, runs);

  if (profileFile && !profile) {
    mkdirSync(join(profileFile, '..'), { recursive: true });
    const profiled = startTickets({ ...scope, name: `${scope.name}-profiled` }, { profiled: true });
    await waitFor(
      'profiled tickets service',
      async () => (await rpc.send('tickets.ping', {}, { timeoutMs: 2_000 })).database === 'up',
      60_000,
      300,
    );
    profiled.child.kill('SIGUSR2');
    await sleep(300);
    const run = await runExport(profiled, { ...scope }, expectedRows);
    profiled.child.kill('SIGUSR2');
    await waitFor('the profile', async () => profiled.output.includes('BENCH_PROFILE_WRITTEN'), 30_000);
    const summary = summarize(JSON.parse(readFileSync(profileFile, 'utf8')), 40);
    console.log(`\n  Profiled export (${run.rowsPerSecond} rows/s under the profiler):`);
    console.log(formatSummary(`tickets: ${profileFile}`, summary, 25));
    profile = { file: profileFile, scope: scope.name, run, summary };
    await procs.stopAll([(name) => name === `tickets-${scope.name}-profiled`]);
    procs.stopping = false;
  }
  if (profile?.scope === scope.name) await removeExports(scope, [profile.run]);
  results.push({
    scope: scope.name,
    listSql,
    what: scope.what,
    database: scope.database,
    heap,
    expectedRows,
    sql,
    params,
    plan,
    floor: floorRun,
    runs,
  });
}

await stopAll();

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};
console.log(
  `\ntickets.exports at the tickets service, ${options.columns} columns (${columns.length}), ${options.language}; ${options.runs} exports per scope`,
);
console.log('scope     rows       median s  median rows/s  best rows/s  peak RSS MB  VmHWM MB  goals');
for (const r of results) {
  const rates = r.runs.map((run) => run.rowsPerSecond);
  const peak = Math.max(...r.runs.map((run) => run.memoryMB.peakSampled));
  const hwm = Math.max(...r.runs.map((run) => run.memoryMB.vmHWM ?? 0));
  const goals = `${median(rates) >= GOAL_ROWS_PER_SECOND ? 'rows/s met' : 'rows/s MISSED'}, ${Math.max(peak, hwm) <= GOAL_PEAK_RSS_MB ? 'RSS met' : 'RSS MISSED'}`;
  console.log(
    `${r.scope.padEnd(9)} ${String(r.expectedRows).padEnd(10)} ${String(median(r.runs.map((run) => run.seconds))).padStart(8)}  ${String(median(rates)).padStart(13)}  ${String(Math.max(...rates)).padStart(11)}  ${String(peak).padStart(11)}  ${String(hwm).padStart(8)}  ${goals}`,
  );
  r.summary = {
    medianRowsPerSecond: median(rates),
    bestRowsPerSecond: Math.max(...rates),
    peakRssMB: peak,
    vmHWMMB: hwm,
  };
}

function distFingerprint() {
  const hash = createHash('sha256');
  for (const dir of ['apps/tickets/dist', 'libs/kit/dist', 'libs/contracts/dist']) {
    const files = execFileSync('find', [join(root, dir), '-name', '*.js', '-type', 'f'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .sort();
    for (const file of files) hash.update(file).update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

let gitCommit = null;
let gitDirty = null;
try {
  gitCommit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  gitDirty = execFileSync('git', ['status', '--porcelain', '--', 'apps/tickets', 'libs'], {
    cwd: root,
    encoding: 'utf8',
  }).trim();
} catch {
  // not a git checkout
}
let distAtEnd = null;
try {
  distAtEnd = distFingerprint();
} catch {
  // dist/ was being rebuilt at this moment
}
const report = {
  kind: 'tickets-export',
  date: new Date().toISOString(),
  command: `node bench/tickets-export.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    postgres: pgVersion,
    postgresSettings: pgSettings,
    platform: `${os.platform()} ${os.release()}`,
  },
  code: { gitCommit, modified: gitDirty, dist: distAtStart, distChangedDuringRun: distAtEnd !== distAtStart },
  label: options.label,
  dataset: { ...generation.params.dataset, generatedAt: generation.generated_at },
  goals: { rowsPerSecond: GOAL_ROWS_PER_SECOND, peakRssMB: GOAL_PEAK_RSS_MB },
  options,
  request: exportRequest,
  results,
  profile,
};
if (report.code.distChangedDuringRun)
  console.warn('Warning: apps/tickets or libs were rebuilt during the run.');
writeResults('tickets-export', report);
process.exit(0);
