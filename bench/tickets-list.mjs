// npm run bench:list --workspace bench  (after npm run build and npm run generate --workspace bench)
//
// Service-level benchmark of tickets.portal.list: the portal's ticket list and search, measured at the
// tickets service over NATS (no gateway). Starts a private nats-server and the tickets service
// against helpdesk_bench, checks every case's answer against the service's own SQL, then keeps a
// fixed number of requests in flight for each case and prints req/s, p50 and p99, and afterwards
// EXPLAIN (ANALYZE, BUFFERS) of the SQL of each case (in full for the slowest ones and for searches
// that miss the goal). Results go to bench/results/tickets-list-<timestamp>.json. Every process
// started here is stopped at the end, on failure and on Ctrl-C; all traffic stays on 127.0.0.1.
//
// Options: --duration=10 --warmup=3 --concurrency=1,8,32 --deep=25000 --walk=40
//          --cases=org-created-first,search-rare   (a subset; names are printed with --list)
//          --plans=4   (full plans printed for the N slowest cases, plus searches over the goal)
//          --label=TEXT (stored with the results: what was different about this run)
//          --profile [--profile-case=org-created-first]  (afterwards, one more run of that case at the
//                      highest concurrency with the V8 profiler in the tickets service; prints a summary
//                      and keeps the .cpuprofile under bench/results/profiles-list-*)
//          --list      (print the cases and exit)
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import {
  assertBenchDatabase,
  benchDatabaseUrl,
  benchDir,
  distFingerprint,
  gitState,
  readGeneration,
  root,
  runNode,
  writeResults,
} from './lib/common.mjs';
import {
  explain,
  idsInOrder,
  loadDefinitions,
  loadTicketsCode,
  planSummary,
  withDefaults,
} from './lib/portal-list.mjs';
import { closedLoop } from './lib/closed-loop.mjs';
import { benchRun, removeRedisKeys, NODE_THEN_NATS } from './lib/lifecycle.mjs';
import { round, startNats, waitFor } from './lib/processes.mjs';
import { formatSummary, summarize } from './lib/profile-summary.mjs';
import { COMMON, NEEDLE } from './lib/vocabulary.mjs';

const arg = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const options = {
  duration: Number(arg('duration', 10)),
  warmup: Number(arg('warmup', 3)),
  concurrency: arg('concurrency', '1,8,32').split(',').map(Number),
  /** The deep page starts after this many rows of the case's order. */
  deep: Number(arg('deep', 25_000)),
  /** Pages followed through the service by cursor and compared with one SQL read of the same rows. */
  walk: Number(arg('walk', 40)),
  cases: arg('cases', null)?.split(',') ?? null,
  plans: Number(arg('plans', 4)),
  /** Free text stored with the results (what was different about this run). */
  label: arg('label', null),
  /** Afterwards, one more run of a case with the V8 profiler in the tickets service. */
  profile: process.argv.includes('--profile') ? arg('profile-case', 'org-created-first') : null,
};
/** The issue's goal: search answers at p99 within 50 ms. */
const SEARCH_P99_GOAL_MS = 50;
const natsBin = process.env.NATS_SERVER ?? '/usr/sbin/nats-server';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const MEGACORP = 'bdaed294-ec8e-40bc-87ae-ba03113e84b5';
const RPC_TIMEOUT_MS = 120_000;

// ---------------------------------------------------------------------------------------------
// The cases. A Megacorp contact who may see the company's tickets (200,000 of them); no portal
// visibility filter, no customer filters; 25 a page.
// ---------------------------------------------------------------------------------------------
const COMMON_WORD = COMMON[0]; // the generator picks words skewed to the front of COMMON
const byCreated = { property: 'created_at', direction: 'desc' };
const byActivity = { property: 'last_activity_at', direction: 'desc' };
const bySubject = { property: 'subject', direction: 'asc' };
const CASES = [
  {
    name: 'org-created-first',
    group: 'list',
    what: 'company view, newest first (created_at desc)',
    sort: byCreated,
  },
  {
    name: 'org-created-deep',
    group: 'list',
    what: 'the same, deep page (cursor)',
    sort: byCreated,
    deep: true,
  },
  {
    name: 'org-activity-first',
    group: 'list',
    what: 'company view, last_activity_at desc',
    sort: byActivity,
  },
  { name: 'org-activity-deep', group: 'list', what: 'the same, deep page', sort: byActivity, deep: true },
  { name: 'org-subject-first', group: 'list', what: 'company view, subject asc', sort: bySubject },
  { name: 'org-subject-deep', group: 'list', what: 'the same, deep page', sort: bySubject, deep: true },
  {
    name: 'mine-created-first',
    group: 'mine',
    what: "show: 'mine' (own tickets), newest first",
    sort: byCreated,
    show: 'mine',
  },
  { name: 'search-rare', group: 'search', what: 'search a rare word (~350 tickets)', search: 'narwhal' },
  { name: 'search-unique', group: 'search', what: 'search a word in one subject', search: NEEDLE },
  { name: 'search-common', group: 'search', what: `search the most frequent word`, search: COMMON_WORD },
  {
    name: 'search-fragment',
    group: 'search',
    what: 'search 3 letters of a common word (invoice)',
    search: 'voi',
  },
  {
    name: 'search-fragment-rare',
    group: 'search',
    what: '3 letters of a rare word (narwhal)',
    search: 'arw',
  },
];
if (process.argv.includes('--list')) {
  for (const c of CASES) console.log(`${c.name.padEnd(22)} ${c.what}${c.search ? `: "${c.search}"` : ''}`);
  process.exit(0);
}
const cases = options.cases ? CASES.filter((c) => options.cases.includes(c.name)) : CASES;
if (cases.length === 0) throw new Error(`no case matches --cases=${options.cases}; see --list`);
if (options.profile && !cases.some((c) => c.name === options.profile))
  throw new Error(`--profile-case=${options.profile} is not among the cases run`);
const profileFile = options.profile
  ? join(
      benchDir,
      'results',
      `profiles-list-${new Date().toISOString().replace(/[:.]/g, '-')}`,
      'tickets.cpuprofile',
    )
  : null;

// ---------------------------------------------------------------------------------------------
// Processes and cleanup
// ---------------------------------------------------------------------------------------------
const tmp = mkdtempSync(join(os.tmpdir(), 'helpdesk-bench-list-'));
let rpc = null;
let db = null;
const redisPrefix = `bench-list-${process.pid}`;

const lifecycle = benchRun({
  tmp,
  closeClients: async () => {
    await rpc?.close().catch(() => {});
    await db?.end().catch(() => {});
    db = null;
  },
  removeKeys: () => removeRedisKeys(redisUrl, redisPrefix),
});
const { procs, stopAll } = lifecycle;

// ---------------------------------------------------------------------------------------------
// Preparation
// ---------------------------------------------------------------------------------------------
assertBenchDatabase();
const database = new URL(benchDatabaseUrl).pathname.slice(1);
if (!existsSync(natsBin)) throw new Error(`nats-server not found at ${natsBin} (set NATS_SERVER)`);

// Other people's `npm run build` empties dist/ for a moment: wait for a complete build.
const needed = [
  'apps/tickets/dist/main.js',
  'apps/tickets/dist/migrate.js',
  'apps/tickets/dist/tickets/ticket-query.js',
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
const distDirs = ['apps/tickets/dist', 'libs/kit/dist', 'libs/contracts/dist'];
const distAtStart = distFingerprint(distDirs);

db = new pg.Client({ connectionString: benchDatabaseUrl, application_name: 'bench-tickets-list' });
await db.connect().catch((error) => {
  throw new Error(
    `Cannot connect to ${benchDatabaseUrl} (${error.message}). Run \`npm run generate --workspace bench\` first.`,
  );
});

// Apply the tickets service's pending migrations (nothing when up to date), as generate.mjs does.
{
  const started = performance.now();
  const out = await runNode(
    'apps/tickets/dist/migrate.js',
    [],
    { DATABASE_URL: benchDatabaseUrl, LOG_LEVEL: 'warn' },
    { timeoutMs: 30 * 60_000 },
  );
  const seconds = (performance.now() - started) / 1000;
  const applied = out.trim().split('\n').filter(Boolean).at(-1) ?? '';
  console.log(`Tickets migrations: ${applied || 'up to date'} (${seconds.toFixed(1)} s)`);
}

const generation = await readGeneration(db);
if (!generation)
  throw new Error('The benchmark data set is missing. Run `npm run generate --workspace bench` first.');
if ((generation.params.dataset.version ?? 0) < 3)
  console.warn(
    'Warning: the data set was generated before pipelines and search (version < 3): no requester names, ' +
      'no closed tickets, one stage. `npm run generate --workspace bench -- --force` regenerates it.',
  );
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
        where name in ('shared_buffers', 'work_mem', 'random_page_cost', 'effective_cache_size', 'jit', 'default_statistics_target')`,
    )
  ).rows.map((r) => [r.name, r.value]),
);
const tableStats = (
  await db.query(
    `select pg_size_pretty(pg_relation_size('tickets.ticket')) as heap, pg_size_pretty(pg_indexes_size('tickets.ticket')) as indexes,
            s.n_live_tup, s.n_dead_tup, s.last_vacuum, s.last_autovacuum, s.last_analyze, s.last_autoanalyze
       from pg_stat_user_tables s where s.relid = 'tickets.ticket'::regclass`,
  )
).rows[0];

// What the planner has to work with: the indexes and the statistics targets that differ from the default.
const schema = {
  indexes: (
    await db.query(
      `select indexrelid::regclass::text as name, pg_get_indexdef(indexrelid) as definition
         from pg_index where indrelid = 'tickets.ticket'::regclass order by 1`,
    )
  ).rows,
  statisticsTargets: (
    await db.query(
      `select attname, attstattarget from pg_attribute
        where attrelid = 'tickets.ticket'::regclass and attnum > 0 and not attisdropped and attstattarget >= 0`,
    )
  ).rows,
};

const code = await loadTicketsCode();
const definitions = await loadDefinitions(code, db, accountId);
const viewer = { contactId: contact.id, companyId: contact.company_id, seesCompanyTickets: true };
const baseRequest = {
  accountId,
  viewer,
  visibility: { groups: [] },
  ownerDisplay: { mode: 'first_name', alias: null },
};
const requestOf = (c, after) =>
  withDefaults({
    ...baseRequest,
    sort: c.sort ?? byCreated,
    ...(c.show ? { show: c.show } : {}),
    ...(c.search ? { search: c.search } : {}),
    ...(after ? { after } : {}),
  });
console.log(
  `Account ${accountId}, viewer ${contact.id} of Megacorp Oy (company tickets visible); tickets.ticket: heap ${tableStats.heap}, indexes ${tableStats.indexes}.`,
);

// ---------------------------------------------------------------------------------------------
// nats-server and the tickets service
// ---------------------------------------------------------------------------------------------
console.log(`Starting nats-server and the tickets service (logs in ${tmp})…`);
const { entry: nats, url: natsUrl } = await startNats(procs, join(tmp, 'nats'), natsBin);
if (profileFile) mkdirSync(join(profileFile, '..'), { recursive: true });
const profilerArgs = profileFile ? ['--import', join(benchDir, 'lib', 'cpu-profile.mjs')] : [];
const tickets = procs.start('tickets', process.execPath, [...profilerArgs, 'apps/tickets/dist/main.js'], {
  ...(profileFile ? { BENCH_PROFILE_FILE: profileFile } : {}),
  // Only what the service needs; nothing from the caller's environment that could point it elsewhere.
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NODE_ENV: 'production',
  NATS_URL: natsUrl,
  DATABASE_URL: benchDatabaseUrl,
  METRICS_PORT: '0',
  LOG_LEVEL: 'warn',
  REDIS_URL: redisUrl,
  REDIS_PREFIX: redisPrefix,
  FILE_STORAGE_DIR: join(tmp, 'files'),
});

const { RpcClient } = await import(`${root}libs/kit/dist/index.js`);
rpc = new RpcClient({ natsUrl, timeoutMs: RPC_TIMEOUT_MS, name: 'bench-tickets-list' });
await waitFor(
  'tickets service (tickets.ping)',
  async () => (await rpc.send('tickets.ping', {}, { timeoutMs: 2_000 })).database === 'up',
  60_000,
  300,
);
console.log('The tickets service answers.');

// ---------------------------------------------------------------------------------------------
// Each case's request, checked: the service answers exactly what its SQL returns
// ---------------------------------------------------------------------------------------------
const list = (request) => rpc.send('tickets.portal.list', request);
const sameIds = (a, b) => a.length === b.length && a.every((id, i) => id === b[i]);
const prepared = [];
for (const c of cases) {
  const started = performance.now();
  const first = requestOf(c);
  // Follow the cursor through the service for a few pages; the ids must be the SQL's, in its order.
  const walkRows = options.walk * 25;
  const expected = await idsInOrder(code, definitions, db, first, walkRows);
  const walked = [];
  let request = first;
  for (let page = 0; page < options.walk; page++) {
    const answer = await list(request);
    walked.push(...answer.items.map((item) => item.id));
    if (!answer.nextCursor) break;
    request = requestOf(c, answer.nextCursor);
  }
  if (
    !sameIds(walked, expected.ids.slice(0, walked.length)) ||
    walked.length !== Math.min(expected.ids.length, walkRows)
  )
    throw new Error(
      `${c.name}: the pages the service returned differ from its SQL (${walked.length} vs ${expected.ids.length} rows)`,
    );
  if (new Set(walked).size !== walked.length) throw new Error(`${c.name}: a ticket appeared on two pages`);
  // The deep page: after `deep` rows of the same order, with the cursor the service would have made.
  let measured = first;
  if (c.deep) {
    const skip = await idsInOrder(code, definitions, db, first, options.deep);
    if (skip.ids.length < options.deep) throw new Error(`${c.name}: fewer than ${options.deep} rows to skip`);
    measured = requestOf(c, skip.cursorAfterLast);
  }
  const expectedPage = (await idsInOrder(code, definitions, db, measured, 25)).ids;
  const answer = await list(measured);
  if (
    !sameIds(
      answer.items.map((item) => item.id),
      expectedPage,
    )
  )
    throw new Error(`${c.name}: the service's page differs from its SQL`);
  prepared.push({
    ...c,
    request: measured,
    expectedFirst: expectedPage[0] ?? null,
    expectedCount: expectedPage.length,
  });
  console.log(
    `  ${c.name.padEnd(22)} checked: ${walked.length} rows over ${Math.ceil(walked.length / 25) || 1} pages match the SQL; measured page has ${expectedPage.length} rows (${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
}

// ---------------------------------------------------------------------------------------------
// Load: `concurrency` requests always in flight, for `duration` seconds after a warm-up
// ---------------------------------------------------------------------------------------------
/** Transactions PostgreSQL has finished in the benchmark database so far (each autocommit statement is one). */
const transactions = async () =>
  Number(
    (
      await db.query(
        'select xact_commit + xact_rollback as n from pg_stat_database where datname = current_database()',
      )
    ).rows[0].n,
  );

async function load(c, concurrency, duration, measure = true) {
  // pg_stat_database is updated when a backend reports (at most every 0.5 s in PostgreSQL 15): wait it out.
  const xactBefore = measure ? (await sleep(600), await transactions()) : 0;
  const result = await closedLoop({
    concurrency,
    seconds: duration,
    request: async () => {
      const page = await list(c.request);
      if (page.items.length !== c.expectedCount || (page.items[0]?.id ?? null) !== c.expectedFirst)
        throw new Error(`unexpected page: ${page.items.length} rows, first ${page.items[0]?.id}`);
    },
    processes: { tickets: tickets.child.pid, nats: nats.child.pid },
    database,
    stopped: () => lifecycle.failing,
  });
  if (!measure) return null;
  await sleep(1_100); // until the service's backends have reported their counts
  const xactAfter = await transactions();
  return {
    case: c.name,
    ...result,
    // Statements the service ran per list request (two are this script's own reads of the counter).
    // Approximate: backends report their counts with a delay (PostgreSQL 15: at most once a second,
    // idle ones within 10 s), so this tends to be a little low.
    postgresTransactionsPerRequest: result.requests
      ? round((xactAfter - xactBefore - 2) / result.requests, 2)
      : null,
  };
}

const runs = [];
console.log(
  `Loading ${prepared.length} cases × concurrency ${options.concurrency.join('/')}: ${options.warmup} s warm-up + ${options.duration} s each…`,
);
for (const c of prepared) {
  for (const concurrency of options.concurrency) {
    if (options.warmup > 0) await load(c, concurrency, options.warmup, false);
    const result = await load(c, concurrency, options.duration);
    if (lifecycle.failing) await new Promise(() => {}); // stopping: the handler exits the process
    runs.push(result);
    console.log(
      `  ${c.name.padEnd(22)} c=${String(concurrency).padEnd(3)} ${String(result.rps).padStart(8)} req/s  p50 ${String(result.p50).padStart(8)} ms  p99 ${String(result.p99).padStart(8)} ms  (n=${result.requests}${result.errors ? `, ${result.errors} errors: ${result.errorSamples[0]}` : ''}; other CPU ${result.machine?.otherPercentOfCore ?? '?'} %)`,
    );
  }
}

// An optional profiled run; its figures are not in the table (the profiler costs time).
let profile = null;
if (profileFile) {
  const c = prepared.find((p) => p.name === options.profile);
  const concurrency = Math.max(...options.concurrency);
  console.log(`Profiling the tickets service during ${options.duration} s of ${c.name} at c=${concurrency}…`);
  tickets.child.kill('SIGUSR2');
  await sleep(300);
  const run = await load(c, concurrency, options.duration);
  tickets.child.kill('SIGUSR2');
  await waitFor('the profile', async () => tickets.output.includes('BENCH_PROFILE_WRITTEN'), 30_000);
  const summary = summarize(JSON.parse(readFileSync(profileFile, 'utf8')), 40);
  const unprofiled = runs.find((r) => r.case === c.name && r.concurrency === concurrency);
  console.log(
    '\n' + formatSummary(`tickets: ${profileFile}`, summary, 20, unprofiled?.cpuMicrosPerRequest?.tickets),
  );
  profile = { file: profileFile, case: c.name, concurrency, run, summary };
}

// The service is done; stop it before EXPLAIN so the plans are timed on a quieter machine.
await rpc.close();
rpc = null;
await procs.stopAll(NODE_THEN_NATS);

// ---------------------------------------------------------------------------------------------
// EXPLAIN (ANALYZE, BUFFERS) of every case's SQL (the second run, so caches are as under load)
// ---------------------------------------------------------------------------------------------
const plans = {};
for (const c of prepared) {
  await explain(code, definitions, db, c.request);
  const result = await explain(code, definitions, db, c.request);
  plans[c.name] = {
    sql: result.sql,
    params: result.params,
    plan: result.plan,
    summary: planSummary(result.plan),
  };
}
// The processes are stopped already; this closes the database and removes the run's keys and files.
await stopAll();

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------
const p99At = (name, concurrency) =>
  runs.find((r) => r.case === name && r.concurrency === concurrency)?.p99 ?? null;
const lowest = Math.min(...options.concurrency);
const header = [
  'case',
  ...options.concurrency.flatMap((n) => [`c=${n} req/s`, 'p50 ms', 'p99 ms']),
  'EXPLAIN ms',
];
const rows = prepared.map((c) =>
  [
    c.name,
    ...options.concurrency.flatMap((n) => {
      const r = runs.find((run) => run.case === c.name && run.concurrency === n);
      return [r.rps, r.p50, r.p99];
    }),
    plans[c.name].summary.executionMs,
  ].map(String),
);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (cells) =>
  cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
console.log(
  `\ntickets.portal.list at the tickets service over NATS, ${options.duration} s per cell (c = requests in flight)`,
);
console.log(line(header));
for (const row of rows) console.log(line(row));

const searchGoal = prepared
  .filter((c) => c.group === 'search')
  .map((c) => ({
    case: c.name,
    search: c.search,
    p99: Object.fromEntries(options.concurrency.map((n) => [n, p99At(c.name, n)])),
    metAt: options.concurrency.filter(
      (n) => p99At(c.name, n) !== null && p99At(c.name, n) <= SEARCH_P99_GOAL_MS,
    ),
  }));
if (searchGoal.length) {
  console.log(`\nGoal: search p99 ≤ ${SEARCH_P99_GOAL_MS} ms`);
  for (const g of searchGoal)
    console.log(
      `  ${g.case.padEnd(22)} "${g.search}": ${options.concurrency.map((n) => `c=${n} ${g.p99[n]} ms ${g.p99[n] <= SEARCH_P99_GOAL_MS ? 'ok' : 'MISSED'}`).join(', ')}`,
    );
}

console.log(
  '\nEXPLAIN (ANALYZE, BUFFERS) per case: execution ms, shared buffers hit/read, rows removed by filter, plan',
);
for (const c of prepared) {
  const s = plans[c.name].summary;
  console.log(
    `  ${c.name.padEnd(22)} ${String(s.executionMs).padStart(9)} ms  hit ${s.sharedHit} read ${s.sharedRead}  removed ${s.rowsRemovedByFilter}  ${s.nodes.join(' → ')}`,
  );
}
const slowest = [...prepared]
  .sort((a, b) => (p99At(b.name, lowest) ?? 0) - (p99At(a.name, lowest) ?? 0))
  .slice(0, options.plans)
  .map((c) => c.name);
const missed = searchGoal.filter((g) => g.metAt.length < options.concurrency.length).map((g) => g.case);
const printed = [...new Set([...slowest, ...missed])];
for (const name of printed) {
  const c = prepared.find((p) => p.name === name);
  console.log(
    `\n--- ${name} (${c.what}${c.search ? `: "${c.search}"` : ''}), p99 at c=${lowest}: ${p99At(name, lowest)} ms`,
  );
  console.log(plans[name].sql.replace(/\s+/g, ' '));
  console.log(`params: ${JSON.stringify(plans[name].params)}`);
  console.log(plans[name].plan);
}

const git = gitState(['apps/tickets', 'libs']);
let distAtEnd = null;
try {
  distAtEnd = distFingerprint(distDirs).sha256;
} catch {
  // dist/ was being rebuilt at this moment
}
const report = {
  kind: 'tickets-list',
  date: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    postgres: pgVersion,
    postgresSettings: pgSettings,
    platform: `${os.platform()} ${os.release()}`,
  },
  code: {
    gitCommit: git.gitCommit,
    ticketsOrLibsModified: git.modified,
    dist: distAtStart,
    distChangedDuringRun: distAtEnd !== distAtStart.sha256,
  },
  label: options.label,
  dataset: { ...generation.params.dataset, generatedAt: generation.generated_at, table: tableStats, schema },
  options,
  viewer,
  searchGoalMs: SEARCH_P99_GOAL_MS,
  cases: prepared.map(({ name, group, what, search, request }) => ({ name, group, what, search, request })),
  runs,
  searchGoal,
  plans,
  profile,
};
writeResults('tickets-list', report);
process.exit(0);
