// npm run bench:portal --workspace bench  (after npm run build and npm run generate --workspace bench)
//
// The customer portal end to end through the real gateway, as Megacorp Oy contacts logged in through
// the portal's own login form: the ticket list page (HTML, company view: 200,000 tickets; session in
// Redis, portal resolve, identity.viewer.scope, tickets.portal.list, Liquid), the same list as JSON,
// searches, the ticket detail page and logins, and the list beside a baseline in the same run
// (baseline-server.mjs: node:http + pg, the session from Redis, the same SQL) and beside the same
// baseline split over NATS into an edge and a service process, where the gateway and the tickets
// service split the list (the "floor" of the system's shape: what the shape costs without any
// framework). The JSON list is the list page's own route asked for `Accept: application/json` (what
// the portal offers scripts).
//
// Starts a private nats-server, the four services and the gateway against helpdesk_bench (all from
// dist/, NODE_ENV=production; --replicas=N starts N processes of each, and the client spreads its
// requests over the N gateways), checks that each case answers exactly what the SQL says, then keeps
// 1, 8 and 32 requests in flight per case and prints req/s, p50, p99 and the CPU each process spent
// per request. Every answer under load is checked; any failure fails the run. Results go to
// bench/results/portal-list-<timestamp>.json. Everything started here is stopped at the end, on
// failure and on Ctrl-C, and the sessions and login counters the run left in Redis are removed; all
// traffic stays on 127.0.0.1.
//
// Options: --duration=10 --warmup=3 --concurrency=1,8,32 --replicas=1
//          --cases=html-company,json-company   (a subset; names are printed with --list)
//          --login-contacts=200   (how many contacts the login case logs in, in turn, each from a
//                      client address of its own; at least the highest concurrency)
//          --detail-tickets=2000  (how many tickets of the company view the detail case opens, in turn)
//          --label=TEXT (stored with the results: what was different about this run)
//          --apps-from=DIR  (run the apps found as DIR/apps/<name>/dist/main.js from there, the rest
//                      from the repo: to compare a build kept aside, e.g. under var/, with the current
//                      one on the same machine within minutes; DIR must be inside the repo so the apps
//                      find node_modules, and each app needs its package.json beside its dist/)
//          --profile [--profile-case=html-company]  (afterwards, one more run of that case at the
//                      highest concurrency with the V8 profiler in the (first) gateway, identity and
//                      tickets; prints summaries, keeps the .cpuprofile files under
//                      bench/results/profiles-portal-*)
//          --list      (print the cases and exit)
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { closedLoop } from './lib/closed-loop.mjs';
import {
  assertBenchDatabase,
  benchDatabaseUrl,
  benchDir,
  distFingerprint,
  gitState,
  readGeneration,
  root,
  runNode,
  services,
  writeResults,
} from './lib/common.mjs';
import { benchRun, removeRedisKeys } from './lib/lifecycle.mjs';
import {
  benchAddress,
  companyTickets,
  logIn,
  MEGACORP,
  megacorpLogins,
  portalOf,
  request,
  ticketIdsOf,
} from './lib/portal-client.mjs';
import { idsInOrder, loadDefinitions, loadTicketsCode } from './lib/portal-list.mjs';
import {
  freePort,
  instanceName,
  RoundRobin,
  round,
  startNats,
  startSystem,
  tcpAnswers,
  waitFor,
} from './lib/processes.mjs';
import { formatSummary, summarize } from './lib/profile-summary.mjs';
import { COMMON } from './lib/vocabulary.mjs';

const arg = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const options = {
  duration: Number(arg('duration', 10)),
  warmup: Number(arg('warmup', 3)),
  concurrency: arg('concurrency', '1,8,32').split(',').map(Number),
  replicas: Number(arg('replicas', 1)),
  cases: arg('cases', null)?.split(',') ?? null,
  loginContacts: Number(arg('login-contacts', 200)),
  detailTickets: Number(arg('detail-tickets', 2000)),
  label: arg('label', null),
  appsFrom: arg('apps-from', null),
  profile: process.argv.includes('--profile') ? arg('profile-case', 'html-company') : null,
};
if (!Number.isInteger(options.replicas) || options.replicas < 1)
  throw new Error('--replicas must be a whole number of at least 1');
/** The goals (issues 7 and 9) are for 32 requests in flight; see each case's `goalMs`. */
const GOAL_CONCURRENCY = 32;
/** Issue 9: the system's list at least half the baseline's throughput. */
const GOAL_RATIO = 0.5;
const natsBin = process.env.NATS_SERVER ?? '/usr/sbin/nats-server';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PAGE_SIZE = 25;

// ---------------------------------------------------------------------------------------------
// The cases: the company view, newest first (the page's default order), as HTML and JSON, each
// beside its baseline; two searches on it; the ticket page; the login
// ---------------------------------------------------------------------------------------------
const RARE_WORD = 'narwhal';
const COMMON_WORD = COMMON[0]; // the generator picks words skewed to the front of COMMON
const CASES = [
  { name: 'html-company', kind: 'html', what: 'HTML list page, company view', goalMs: 50 },
  {
    name: 'baseline-html-company',
    kind: 'baseline-html',
    what: "the baseline's HTML list, company view",
    baselineOf: 'html-company',
  },
  {
    name: 'floor-html-company',
    kind: 'floor-html',
    what: 'the baseline split where the system splits it: edge + NATS + service, no frameworks (HTML)',
    floorOf: 'html-company',
  },
  {
    name: 'json-company',
    kind: 'json',
    what: 'the same list as JSON (the list page with Accept: application/json)',
    goalMs: 25,
  },
  {
    name: 'baseline-json-company',
    kind: 'baseline-json',
    what: "the baseline's JSON list, company view",
    baselineOf: 'json-company',
  },
  {
    name: 'floor-json-company',
    kind: 'floor-json',
    what: 'the same split, JSON',
    floorOf: 'json-company',
  },
  {
    name: 'html-search-rare',
    kind: 'html',
    what: 'HTML page, search a rare word',
    search: RARE_WORD,
    goalMs: 50,
  },
  {
    name: 'html-search-common',
    kind: 'html',
    what: 'HTML page, search the most frequent word',
    search: COMMON_WORD,
    goalMs: 50,
  },
  { name: 'json-search-rare', kind: 'json', what: 'JSON, search a rare word', search: RARE_WORD, goalMs: 50 },
  {
    name: 'json-search-common',
    kind: 'json',
    what: 'JSON, search the most frequent word',
    search: COMMON_WORD,
    goalMs: 50,
  },
  {
    name: 'html-detail',
    kind: 'detail',
    what: 'HTML ticket page, the next ticket of the company view each time',
  },
  {
    name: 'login',
    kind: 'login',
    what: "login through the portal's form (GET it, POST it), the next contact each time",
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
const loginCase = cases.some((c) => c.kind === 'login');
if (loginCase && options.loginContacts < Math.max(...options.concurrency))
  throw new Error(
    '--login-contacts must be at least the highest concurrency (one login per contact at a time)',
  );
const profiled = options.profile ? ['gateway', 'identity', 'tickets'] : [];
const profileDir = options.profile
  ? join(benchDir, 'results', `profiles-portal-${new Date().toISOString().replace(/[:.]/g, '-')}`)
  : null;

// ---------------------------------------------------------------------------------------------
// Processes and cleanup
// ---------------------------------------------------------------------------------------------
const tmp = mkdtempSync(join(os.tmpdir(), 'helpdesk-bench-portal-'));
// Every Redis key of the run (queues, sessions, login counters) is under it, and removed at the end.
const redisPrefix = `bench-portal-${process.pid}`;
let db = null;
let rpc = null;

const lifecycle = benchRun({
  tmp,
  closeClients: async () => {
    await rpc?.close().catch(() => {});
    rpc = null;
    await db?.end().catch(() => {});
    db = null;
  },
  removeKeys: () => removeRedisKeys(redisUrl, redisPrefix),
});
const { procs, stopAll } = lifecycle;

// One keep-alive agent: the client holds one connection per request in flight and gateway.
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: Math.max(...options.concurrency) });

// ---------------------------------------------------------------------------------------------
// Preparation
// ---------------------------------------------------------------------------------------------
assertBenchDatabase();
const database = new URL(benchDatabaseUrl).pathname.slice(1);
if (!existsSync(natsBin)) throw new Error(`nats-server not found at ${natsBin} (set NATS_SERVER)`);

// Other people's `npm run build` empties dist/ for a moment: wait for a complete build.
const distDirs = [...services, 'gateway']
  .map((s) => `apps/${s}/dist`)
  .concat(['libs/kit/dist', 'libs/contracts/dist']);
await waitFor(
  'a complete build of the apps and libs (run `npm run build`)',
  async () =>
    [...services, 'gateway'].every((s) => existsSync(join(root, 'apps', s, 'dist', 'main.js'))) &&
    existsSync(join(root, 'apps/tickets/dist/tickets/ticket-query.js')) &&
    existsSync(join(root, 'libs/kit/dist/index.js')),
  120_000,
  1_000,
);
await sleep(1_000);
const distAtStart = distFingerprint(distDirs);

db = new pg.Client({ connectionString: benchDatabaseUrl, application_name: 'bench-portal-list' });
await db.connect().catch((error) => {
  throw new Error(
    `Cannot connect to ${benchDatabaseUrl} (${error.message}). Run \`npm run generate --workspace bench\` first.`,
  );
});
const generation = await readGeneration(db);
if (!generation)
  throw new Error('The benchmark data set is missing. Run `npm run generate --workspace bench` first.');
if ((generation.params.dataset.version ?? 0) < 3)
  throw new Error(
    'The data set predates pipelines and search: `npm run generate --workspace bench -- --force`.',
  );
// Each service's pending migrations (nothing when up to date), as generate.mjs applies them.
await Promise.all(
  services.map((service) =>
    runNode(
      `apps/${service}/dist/migrate.js`,
      [],
      { DATABASE_URL: benchDatabaseUrl, LOG_LEVEL: 'warn' },
      { timeoutMs: 30 * 60_000 },
    ),
  ),
);
const accountId = generation.account_id;
const portalSite = await portalOf(db, accountId);
const { slug, hostname } = portalSite;
// The contact the pages are loaded as, and the ones the login case logs in, in turn.
const [contact, ...loginContacts] = await megacorpLogins(
  db,
  portalSite,
  1 + (loginCase ? options.loginContacts : 0),
);
// What the logins cost: argon2's parameters, as stored in the hash the contacts were given.
const passwordHash = (
  await db.query(
    `select password_hash from identity.internal_user where account_id = $1 and email = 'admin@demo.test'`,
    [accountId],
  )
).rows[0].password_hash;
// PHC string format: $argon2id$v=19$m=19456,p=1,t=2$<salt>$<hash>
const [, type, , parameters] = passwordHash.split('$');
const parameter = (name) => Number(new RegExp(`(?:^|,)${name}=(\\d+)`).exec(parameters ?? '')?.[1]);
const argon2 = {
  type,
  memoryKiB: parameter('m'),
  timeCost: parameter('t'),
  parallelism: parameter('p'),
};

// ---------------------------------------------------------------------------------------------
// The system: nats-server, the four services and the gateway, `--replicas` processes of each
// ---------------------------------------------------------------------------------------------
console.log(
  `Starting nats-server, ${options.replicas} process(es) of each service and of the gateway (logs in ${tmp})…`,
);
const nats = await startNats(procs, join(tmp, 'nats'), natsBin);
if (profileDir) mkdirSync(profileDir, { recursive: true });
const baseEnv = {
  // Only what the apps need; nothing from the caller's environment that could point them elsewhere.
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NODE_ENV: 'production',
  NATS_URL: nats.url,
  LOG_LEVEL: 'warn',
  REDIS_URL: redisUrl,
  REDIS_PREFIX: redisPrefix,
  FILE_STORAGE_DIR: join(tmp, 'files'),
  MAIL_DIR: join(tmp, 'mail'),
};
/** Where an app's entry point is: the repo's build, or the one under --apps-from when it has one. */
const mainOf = (app) => {
  const aside = options.appsFrom && resolve(root, options.appsFrom, 'apps', app, 'dist', 'main.js');
  return aside && existsSync(aside) ? aside : `apps/${app}/dist/main.js`;
};
const startApp = (app, name, env) =>
  procs.start(
    name,
    process.execPath,
    [...(profiled.includes(name) ? ['--import', join(benchDir, 'lib', 'cpu-profile.mjs')] : []), mainOf(app)],
    {
      ...baseEnv,
      ...env,
      ...(profiled.includes(name) ? { BENCH_PROFILE_FILE: join(profileDir, `${name}.cpuprofile`) } : {}),
    },
  );
const sessionSecret = randomBytes(32).toString('hex');
const { apps, gatewayPorts } = await startSystem({
  replicas: options.replicas,
  nats,
  startApp,
  serviceEnv: { DATABASE_URL: benchDatabaseUrl, METRICS_PORT: '0' },
  // The client addresses of the benchmark's customers come as X-Forwarded-For (benchAddress).
  gatewayEnv: { SESSION_SECRET: sessionSecret, TRUST_PROXY: 'true' },
  publicHost: hostname,
});
const gateways = new RoundRobin(gatewayPorts);
const { RpcClient } = await import(`${root}libs/kit/dist/index.js`);
rpc = new RpcClient({ natsUrl: nats.url, timeoutMs: 30_000, name: 'bench-portal-list' });
const builds = Object.fromEntries([...services, 'gateway'].map((app) => [app, mainOf(app)]));
if (options.appsFrom) console.log(`Apps started from: ${JSON.stringify(builds)}`);
console.log(
  `Everything is ready; the portal is http://${hostname}/${slug}/ (gateways on :${gatewayPorts.join(', :')}).`,
);

// The pages' contact logs in through the portal's login form, as a browser does.
const cookie = await logIn(gateways, portalSite, {
  contact,
  clientAddress: benchAddress(0),
  agent: keepAlive,
});
console.log(`Logged in as ${contact.email} (Megacorp Oy).`);
const pageHeaders = { host: hostname, cookie };

// ---------------------------------------------------------------------------------------------
// The list's request, as the page sends it
// ---------------------------------------------------------------------------------------------
// What the page sends to tickets.portal.list (portal-context.ts `listRequest`): the contact's scope,
// the portal's visibility filter and owner display, the default order, no customer filters.
const portal = await rpc.send('identity.portal.resolve', { host: hostname, slug });
const scope = await rpc.send('identity.viewer.scope', { accountId, contactId: contact.id });
if (!scope.seesCompanyTickets || scope.companyId !== MEGACORP)
  throw new Error(`the contact does not see Megacorp's tickets: ${JSON.stringify(scope)}`);
const jsonRequestOf = (c) => ({
  accountId,
  viewer: scope,
  show: 'organization',
  visibility: portal.ticketDisplay.visibility,
  filters: { groups: [] },
  ...(c.search ? { search: c.search } : {}),
  sort: { property: 'created_at', direction: 'desc' },
  ownerDisplay: { mode: portal.ticketDisplay.ownerDisplay, alias: portal.ticketDisplay.ownerAlias },
  limit: PAGE_SIZE,
});
// `show=organization` is the company view (the page's default; "company" is no value it knows).
const htmlPathOf = (c) =>
  `/${slug}/tickets?${new URLSearchParams({ show: 'organization', ...(c.search ? { q: c.search } : {}) })}`;

// ---------------------------------------------------------------------------------------------
// The baseline, and its split over NATS (the "floor" of the system's shape): as many processes of
// each as there are gateways, the same spreading of requests
// ---------------------------------------------------------------------------------------------
/** Starts `options.replicas` baseline-server processes in a role; the ports of those that serve pages. */
async function startBaselines(role) {
  const ports = [];
  for (let n = 1; n <= options.replicas; n++) {
    const port = await freePort();
    ports.push(port);
    procs.start(
      instanceName(`baseline-${role}`, n),
      process.execPath,
      [join(benchDir, 'baseline-server.mjs')],
      {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        DATABASE_URL: benchDatabaseUrl,
        PORT: String(port),
        BASELINE_ROLE: role,
        NATS_URL: nats.url,
        BASELINE_PORTAL: JSON.stringify({
          accountId,
          slug,
          redisUrl,
          redisPrefix,
          sessionSecret,
          columns: portal.ticketDisplay.columns,
          lists: { [contact.id]: jsonRequestOf({}) },
        }),
      },
    );
  }
  for (const port of ports)
    await waitFor(`the baseline (${role}) on :${port}`, () => tcpAnswers(port), 30_000);
  return new RoundRobin(ports);
}
const baselines = cases.some((c) => c.baselineOf) ? await startBaselines('alone') : null;
let floors = null;
if (cases.some((c) => c.floorOf)) {
  await startBaselines('service');
  floors = await startBaselines('edge');
}

// ---------------------------------------------------------------------------------------------
// Each case's request, checked against the SQL
// ---------------------------------------------------------------------------------------------
const code = await loadTicketsCode();
const definitions = await loadDefinitions(code, db, accountId);
const sameIds = (a, b) => a.length === b.length && a.every((id, i) => id === b[i]);
/** GET of a page (or its JSON) from a port as the logged-in contact; any status but 200 throws. */
async function page(port, path, accept = 'text/html') {
  const answer = await request(port, { path, headers: { ...pageHeaders, accept }, agent: keepAlive });
  if (answer.status !== 200) throw new Error(`GET ${path} answered ${answer.status}`);
  return answer.body;
}
/** The list from baseline-server.mjs processes (the baseline, or the floor's edges). */
async function minimalListAnswer(servers, format) {
  const body = await page(servers.port(), `/${slug}/tickets${format === 'json' ? '.json' : ''}`);
  const ids = format === 'json' ? JSON.parse(body).items.map((item) => item.id) : ticketIdsOf(body);
  return { ids, bytes: body.length };
}
/** A list case's answer: its ticket ids in order and its size in bytes. */
const listAnswer = {
  html: async (c) => {
    const body = await page(gateways.port(), htmlPathOf(c));
    return { ids: ticketIdsOf(body), bytes: body.length };
  },
  json: async (c) => {
    const body = await page(gateways.port(), htmlPathOf(c), 'application/json');
    return { ids: JSON.parse(body).tickets.map((ticket) => ticket.id), bytes: body.length };
  },
  'baseline-html': () => minimalListAnswer(baselines, 'html'),
  'baseline-json': () => minimalListAnswer(baselines, 'json'),
  'floor-html': () => minimalListAnswer(floors, 'html'),
  'floor-json': () => minimalListAnswer(floors, 'json'),
};

/** Prepares a list case: once in full, every row is the SQL's; under load, the row count and the first row. */
async function prepareList(c) {
  const expected = (await idsInOrder(code, definitions, db, jsonRequestOf(c), PAGE_SIZE)).ids;
  if (expected.length === 0) throw new Error(`${c.name}: the SQL finds no tickets`);
  const first = await listAnswer[c.kind](c);
  if (!sameIds(first.ids, expected)) throw new Error(`${c.name}: the answer's tickets differ from the SQL's`);
  const { bytes } = first;
  const send = async () => {
    const { ids } = await listAnswer[c.kind](c);
    if (ids.length !== expected.length || ids[0] !== expected[0])
      throw new Error(
        `${ids.length} rows, first ${ids[0]}; expected ${expected.length}, first ${expected[0]}`,
      );
  };
  return { send, rows: expected.length, bytes, check: `${expected.length} rows as the SQL's` };
}

/** Prepares the detail case: each answer must be 200 and the page of the ticket asked for. */
async function prepareDetail() {
  const tickets = await companyTickets(db, portalSite, contact, options.detailTickets);
  let next = 0;
  let bytes = 0;
  const send = async () => {
    const ticket = tickets[next++ % tickets.length];
    const body = await page(gateways.port(), ticket.path);
    if (!body.includes(ticket.heading)) throw new Error(`${ticket.path}: not the ticket's page`);
    bytes = body.length;
  };
  for (let i = 0; i < Math.min(3, tickets.length); i++) await send();
  return { send, rows: tickets.length, bytes, check: `${tickets.length} tickets, each its own page` };
}

/** Prepares the login case: the next contact each time, each from its own client address. */
async function prepareLogin() {
  let next = 0;
  const send = async () => {
    const n = next++ % loginContacts.length;
    await logIn(gateways, portalSite, {
      contact: loginContacts[n],
      clientAddress: benchAddress(1 + n),
      agent: keepAlive,
    });
  };
  await send();
  return { send, rows: loginContacts.length, bytes: null, check: `${loginContacts.length} contacts` };
}

const prepared = [];
for (const c of cases) {
  const ready =
    c.kind === 'detail'
      ? await prepareDetail()
      : c.kind === 'login'
        ? await prepareLogin()
        : await prepareList(c);
  prepared.push({ ...c, ...ready });
  console.log(
    `  ${c.name.padEnd(22)} checked: ${ready.check}${ready.bytes ? `, ${ready.bytes.toLocaleString('en')} bytes` : ''}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Load
// ---------------------------------------------------------------------------------------------
const pids = Object.fromEntries(
  procs.children.map(({ name, child }) => [name === 'nats-server' ? 'nats' : name, child.pid]),
);
/** One cell of load; any failed request (a status but the expected one, a wrong page) fails the run. */
async function load(c, concurrency, seconds) {
  const result = await closedLoop({
    request: c.send,
    concurrency,
    seconds,
    processes: pids,
    database,
    redis: true,
    stopped: () => lifecycle.failing,
  });
  if (lifecycle.failing) await new Promise(() => {}); // stopping: the handler exits the process
  if (result.errors > 0)
    throw new Error(
      `${c.name} c=${concurrency}: ${result.errors} failed requests: ${result.errorSamples.join('; ')}`,
    );
  return result;
}

const runs = [];
console.log(
  `Loading ${prepared.length} cases × ${options.concurrency.join('/')} in flight: ${options.warmup} s warm-up + ${options.duration} s each…`,
);
for (const c of prepared) {
  for (const concurrency of options.concurrency) {
    if (options.warmup > 0) await load(c, concurrency, options.warmup);
    const result = await load(c, concurrency, options.duration);
    runs.push({ case: c.name, ...result });
    const cpu = Object.entries(result.cpuMicrosPerRequest)
      .filter(([, micros]) => micros)
      .map(([name, micros]) => `${name} ${micros}`)
      .join(' ');
    console.log(
      `  ${c.name.padEnd(22)} c=${String(concurrency).padEnd(3)} ${String(result.rps).padStart(7)} req/s  p50 ${String(result.p50).padStart(7)} ms  p99 ${String(result.p99).padStart(7)} ms  ` +
        `(n=${result.requests}; µs/req ${cpu}; client ${result.cpuPercentOfCore.client} % of a core; other ${result.machine?.otherPercentOfCore ?? '?'} %)`,
    );
  }
}

// An optional profiled run; its figures are not in the table (the profiler costs time).
let profile = null;
if (profileDir) {
  const c = prepared.find((p) => p.name === options.profile);
  const concurrency = Math.max(...options.concurrency);
  console.log(
    `Profiling ${profiled.join(', ')} during ${options.duration} s of ${c.name} at c=${concurrency}…`,
  );
  for (const name of profiled) apps[name].child.kill('SIGUSR2');
  await sleep(300);
  const run = await load(c, concurrency, options.duration);
  for (const name of profiled) apps[name].child.kill('SIGUSR2');
  await waitFor(
    'the profiles',
    async () => profiled.every((name) => apps[name].output.includes('BENCH_PROFILE_WRITTEN')),
    30_000,
  );
  const unprofiled = runs.find((r) => r.case === c.name && r.concurrency === concurrency);
  profile = { case: c.name, concurrency, run, summaries: {} };
  for (const name of profiled) {
    const file = join(profileDir, `${name}.cpuprofile`);
    const summary = summarize(JSON.parse(readFileSync(file, 'utf8')), 40);
    profile.summaries[name] = { file, summary };
    console.log(
      '\n' + formatSummary(`${name}: ${file}`, summary, 20, unprofiled?.cpuMicrosPerRequest?.[name]),
    );
  }
}

await stopAll();

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------
const runOf = (name, concurrency) => runs.find((r) => r.case === name && r.concurrency === concurrency);
const header = ['case', ...options.concurrency.flatMap((n) => [`c=${n} req/s`, 'p50 ms', 'p99 ms'])];
const rows = prepared.map((c) =>
  [
    c.name,
    ...options.concurrency.flatMap((n) => {
      const r = runOf(c.name, n);
      return [r.rps, r.p50, r.p99];
    }),
  ].map(String),
);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (cells) =>
  cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
console.log(
  `\nPortal, ${options.replicas} process(es) of each service and gateway, ${options.duration} s per cell (c = requests in flight)`,
);
console.log(line(header));
for (const row of rows) console.log(line(row));

/** The system's list beside its baseline: ratio = the system's req/s ÷ the baseline's. */
const ratios = prepared
  .filter((c) => c.baselineOf && prepared.some((p) => p.name === c.baselineOf))
  .flatMap((c) =>
    options.concurrency.map((concurrency) => {
      const system = runOf(c.baselineOf, concurrency);
      const baseline = runOf(c.name, concurrency);
      // The same list through the shape's floor, when that ran too.
      const floorCase = prepared.find((p) => p.floorOf === c.baselineOf);
      const floor = floorCase ? runOf(floorCase.name, concurrency) : null;
      return {
        case: c.baselineOf,
        concurrency,
        rps: system.rps,
        baselineRps: baseline.rps,
        baselineP50: baseline.p50,
        baselineP99: baseline.p99,
        ratio: round(system.rps / baseline.rps, 3),
        ...(floor
          ? {
              floorRps: floor.rps,
              floorP50: floor.p50,
              floorP99: floor.p99,
              floorRatio: round(floor.rps / baseline.rps, 3),
              ofFloor: round(system.rps / floor.rps, 3),
            }
          : {}),
      };
    }),
  );
if (ratios.length) {
  console.log('\nThe list beside the baseline (ratio = req/s ÷ the baseline’s req/s)');
  for (const r of ratios)
    console.log(
      `  ${r.case.padEnd(22)} c=${String(r.concurrency).padEnd(3)} ${r.rps} vs ${r.baselineRps} req/s (baseline p99 ${r.baselineP99} ms): ${r.ratio}` +
        (r.floorRps
          ? `; the floor of the shape ${r.floorRps} req/s, p99 ${r.floorP99} ms (${r.floorRatio} of the baseline; the system ${r.ofFloor} of the floor)`
          : ''),
    );
}

const goals = [
  ...prepared
    .filter((c) => c.goalMs && runOf(c.name, GOAL_CONCURRENCY))
    .map((c) => {
      const { p99 } = runOf(c.name, GOAL_CONCURRENCY);
      return { case: c.name, goal: `p99 ≤ ${c.goalMs} ms`, value: p99, met: p99 <= c.goalMs };
    }),
  ...ratios
    .filter((r) => r.concurrency === GOAL_CONCURRENCY)
    .map((r) => ({
      case: r.case,
      goal: `ratio ≥ ${GOAL_RATIO}`,
      value: r.ratio,
      met: r.ratio >= GOAL_RATIO,
    })),
];
if (goals.length) {
  console.log(`\nGoals at ${GOAL_CONCURRENCY} in flight`);
  for (const g of goals)
    console.log(`  ${g.case.padEnd(22)} ${g.goal}: ${g.value} — ${g.met ? 'met' : 'MISSED'}`);
}
if (loginCase)
  console.log(
    `\nLogins: ${argon2.type}, ${argon2.memoryKiB} KiB, ${argon2.timeCost} passes, parallelism ${argon2.parallelism} per password check.`,
  );

let distAtEnd = null;
try {
  distAtEnd = distFingerprint(distDirs).sha256;
} catch {
  // dist/ was being rebuilt at this moment
}
const git = gitState(['apps', 'libs']);
writeResults('portal-list', {
  kind: 'portal-list',
  date: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  },
  code: {
    gitCommit: git.gitCommit,
    appsOrLibsModified: git.modified,
    dist: distAtStart,
    builds,
    distChangedDuringRun: distAtEnd !== distAtStart.sha256,
  },
  label: options.label,
  dataset: { ...generation.params.dataset, generatedAt: generation.generated_at },
  options,
  replicas: options.replicas,
  viewer: { contactId: contact.id, email: contact.email, scope },
  argon2,
  cases: prepared.map(({ name, kind, what, search, rows: count, bytes, goalMs, baselineOf, floorOf }) => ({
    name,
    kind,
    what,
    search,
    goalMs,
    baselineOf,
    floorOf,
    rows: count,
    bytes,
    ...(kind === 'html' ? { path: htmlPathOf({ search }) } : {}),
    ...(kind === 'json' ? { request: jsonRequestOf({ search }) } : {}),
  })),
  runs,
  ratios,
  goals,
  profile,
});
process.exit(0);
