// npm run bench:portal --workspace bench  (after npm run build and npm run generate --workspace bench)
//
// The customer portal's ticket list page end to end: a Megacorp Oy contact logged in through the
// portal's own login form, `GET /support/tickets` (HTML, company view: 200,000 tickets) through the
// real gateway (session in Redis, portal resolve, identity.viewer.scope, tickets.portal.list, Liquid),
// next to the same list as JSON. The portal offers customers no JSON route, so the JSON figure is
// tickets.portal.list at the tickets service over NATS, with the request the page sends.
//
// Starts a private nats-server, the four services and the gateway against helpdesk_bench (all from
// dist/, NODE_ENV=production), checks that each case answers exactly the rows of the service's own
// SQL, then keeps 1, 8 and 32 requests in flight per case and prints req/s, p50, p99 and the CPU each
// process spent per request. Every answer under load is checked (status 200, row count, first row);
// any failure fails the run. Results go to bench/results/portal-list-<timestamp>.json. Everything
// started here is stopped at the end, on failure and on Ctrl-C; all traffic stays on 127.0.0.1.
//
// Options: --duration=10 --warmup=3 --concurrency=1,8,32
//          --cases=html-company,json-company   (a subset; names are printed with --list)
//          --label=TEXT (stored with the results: what was different about this run)
//          --apps-from=DIR  (run the apps found as DIR/apps/<name>/dist/main.js from there, the rest
//                      from the repo: to compare a build kept aside, e.g. under var/, with the current
//                      one on the same machine within minutes; DIR must be inside the repo so the apps
//                      find node_modules, and each app needs its package.json beside its dist/)
//          --profile [--profile-case=html-company]  (afterwards, one more run of that case at the
//                      highest concurrency with the V8 profiler in the gateway, identity and tickets;
//                      prints summaries, keeps the .cpuprofile files under bench/results/profiles-portal-*)
//          --list      (print the cases and exit)
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
} from './lib/common.mjs';
import { idsInOrder, loadDefinitions, loadTicketsCode } from './lib/portal-list.mjs';
import { benchRun, removeRedisKeys } from './lib/lifecycle.mjs';
import { freePort, HOST, round, startNats, waitFor } from './lib/processes.mjs';
import { formatSummary, summarize } from './lib/profile-summary.mjs';
import { COMMON } from './lib/vocabulary.mjs';

const arg = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const options = {
  duration: Number(arg('duration', 10)),
  warmup: Number(arg('warmup', 3)),
  concurrency: arg('concurrency', '1,8,32').split(',').map(Number),
  cases: arg('cases', null)?.split(',') ?? null,
  label: arg('label', null),
  appsFrom: arg('apps-from', null),
  profile: process.argv.includes('--profile') ? arg('profile-case', 'html-company') : null,
};
/** Issue 7: the HTML list page at p99 ≤ 50 ms with 32 in flight; issue 9: the JSON list at ≤ 25 ms. */
const GOALS_MS = { html: 50, json: 25 };
const GOAL_CONCURRENCY = 32;
const natsBin = process.env.NATS_SERVER ?? '/usr/sbin/nats-server';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const MEGACORP = 'bdaed294-ec8e-40bc-87ae-ba03113e84b5';
/** The demo seed's password, given to the Megacorp contact the benchmark logs in as. */
const PASSWORD = 'demo-password';
const PAGE_SIZE = 25;

// ---------------------------------------------------------------------------------------------
// The cases: the company view, newest first (the page's default order), and two searches on it
// ---------------------------------------------------------------------------------------------
const RARE_WORD = 'narwhal';
const COMMON_WORD = COMMON[0]; // the generator picks words skewed to the front of COMMON
const CASES = [
  { name: 'html-company', kind: 'html', what: 'HTML list page, company view' },
  { name: 'json-company', kind: 'json', what: 'the same list as JSON (tickets.portal.list over NATS)' },
  { name: 'html-search-rare', kind: 'html', what: 'HTML page, search a rare word', search: RARE_WORD },
  {
    name: 'html-search-common',
    kind: 'html',
    what: 'HTML page, search the most frequent word',
    search: COMMON_WORD,
  },
  { name: 'json-search-rare', kind: 'json', what: 'JSON, search a rare word', search: RARE_WORD },
  {
    name: 'json-search-common',
    kind: 'json',
    what: 'JSON, search the most frequent word',
    search: COMMON_WORD,
  },
];
if (process.argv.includes('--list')) {
  for (const c of CASES) console.log(`${c.name.padEnd(20)} ${c.what}${c.search ? `: "${c.search}"` : ''}`);
  process.exit(0);
}
const cases = options.cases ? CASES.filter((c) => options.cases.includes(c.name)) : CASES;
if (cases.length === 0) throw new Error(`no case matches --cases=${options.cases}; see --list`);
if (options.profile && !cases.some((c) => c.name === options.profile))
  throw new Error(`--profile-case=${options.profile} is not among the cases run`);
const profiled = options.profile ? ['gateway', 'identity', 'tickets'] : [];
const profileDir = options.profile
  ? join(benchDir, 'results', `profiles-portal-${new Date().toISOString().replace(/[:.]/g, '-')}`)
  : null;

// ---------------------------------------------------------------------------------------------
// Processes and cleanup
// ---------------------------------------------------------------------------------------------
const tmp = mkdtempSync(join(os.tmpdir(), 'helpdesk-bench-portal-'));
const queuePrefix = `bench-portal-${process.pid}`;
let db = null;
let rpc = null;
let logout = null; // ends the benchmark's session in the shared Redis once logged in

const lifecycle = benchRun({
  tmp,
  closeClients: async () => {
    await logout?.().catch(() => {});
    logout = null;
    await rpc?.close().catch(() => {});
    rpc = null;
    await db?.end().catch(() => {});
    db = null;
  },
  removeKeys: () => removeRedisKeys(redisUrl, { prefix: queuePrefix }),
});
const { procs, stopAll, fail } = lifecycle;

// ---------------------------------------------------------------------------------------------
// HTTP: one keep-alive agent, so the client holds one connection per request in flight
// ---------------------------------------------------------------------------------------------
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: Math.max(...options.concurrency) });

/**
 * One request to the gateway; the whole body as text (latin1: the checks look only at ASCII, and it
 * decodes faster than UTF-8). Redirects are answers, not followed.
 */
function request(port, { method = 'GET', path, headers = {}, body, agent = keepAlive }) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: HOST, port, method, path, headers, agent, timeout: 30_000 }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('latin1'),
        }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
    req.on('error', (error) => reject(new Error(`${method} ${path}: ${error.message}`)));
    req.end(body);
  });
}

/** The `name=value` of a Set-Cookie for `name`, if the answer sets it. */
const cookieFrom = (headers, name) =>
  (headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).find((c) => c.startsWith(`${name}=`));
const csrfFrom = (html) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
/** The ids of the tickets a list page links to, in order (each row's ticket link). */
const ticketIdsOf = (html) =>
  [...html.matchAll(/class="ticket-link" href="\/[^/"]+\/tickets\/([0-9a-f-]{36})"/g)].map((m) => m[1]);

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

// The portal of the Demo account and the host it answers on.
const portalRow = (
  await db.query(
    `select p.slug, p.general->>'enabled' as enabled, p.access, d.hostname
       from identity.portal p join identity.domain d on d.account_id = p.account_id and d."primary"
      where p.account_id = $1`,
    [accountId],
  )
).rows[0];
if (!portalRow || portalRow.enabled !== 'true') throw new Error('the Demo account has no enabled portal');
const { slug, hostname } = portalRow;

// Megacorp Oy's first contact may log in with the demo password: a login and, when the portal lets
// in access groups only, membership of them. Added once; the data set is otherwise left as it is.
const contact = (
  await db.query(
    `select c.id, c.email, c.primary_company_id as "companyId" from bench.contact b
       join identity.contact c on c.id = b.id
      where b.company_id = $1 order by b.idx limit 1`,
    [MEGACORP],
  )
).rows[0];
if (!contact) throw new Error('no Megacorp contact in identity.contact; regenerate the data set');
await db.query(
  `insert into identity.contact_login (contact_id, account_id, password_hash, email_verified_at, created_at)
   select $1, $2, u.password_hash, now(), now() from identity.internal_user u
    where u.account_id = $2 and u.email = 'admin@demo.test'
   on conflict (contact_id) do nothing`,
  [contact.id, accountId],
);
if (portalRow.access.mode === 'access_groups')
  await db.query(
    `insert into identity.access_group_member (group_id, contact_id, account_id, invitation_status, added_at)
     select g.id, $1, $2, 'accepted', now() from identity.access_group g
      where g.account_id = $2 and g.id::text = any($3::text[])
     on conflict do nothing`,
    [contact.id, accountId, portalRow.access.accessGroupIds],
  );

// ---------------------------------------------------------------------------------------------
// The system: nats-server, the four services and the gateway
// ---------------------------------------------------------------------------------------------
console.log(`Starting nats-server, the services and the gateway (logs in ${tmp})…`);
const { entry: nats, url: natsUrl } = await startNats(procs, join(tmp, 'nats'), natsBin);
if (profileDir) mkdirSync(profileDir, { recursive: true });
const baseEnv = {
  // Only what the apps need; nothing from the caller's environment that could point them elsewhere.
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NODE_ENV: 'production',
  NATS_URL: natsUrl,
  LOG_LEVEL: 'warn',
  REDIS_URL: redisUrl,
  QUEUE_PREFIX: queuePrefix,
  FILE_STORAGE_DIR: join(tmp, 'files'),
  MAIL_DIR: join(tmp, 'mail'),
};
/** Where an app's entry point is: the repo's build, or the one under --apps-from when it has one. */
const mainOf = (name) => {
  const aside = options.appsFrom && resolve(root, options.appsFrom, 'apps', name, 'dist', 'main.js');
  return aside && existsSync(aside) ? aside : `apps/${name}/dist/main.js`;
};
const startApp = (name, env) =>
  procs.start(
    name,
    process.execPath,
    [
      ...(profiled.includes(name) ? ['--import', join(benchDir, 'lib', 'cpu-profile.mjs')] : []),
      mainOf(name),
    ],
    {
      ...baseEnv,
      ...env,
      ...(profiled.includes(name) ? { BENCH_PROFILE_FILE: join(profileDir, `${name}.cpuprofile`) } : {}),
    },
  );
const apps = {};
for (const service of services)
  apps[service] = startApp(service, { DATABASE_URL: benchDatabaseUrl, METRICS_PORT: '0' });
const gatewayPort = await freePort();
apps.gateway = startApp('gateway', {
  PORT: String(gatewayPort),
  HOST,
  PUBLIC_URL: `http://${hostname}:${gatewayPort}`,
  SESSION_SECRET: randomBytes(32).toString('hex'),
});
await waitFor(
  'gateway /health/ready',
  async () => (await request(gatewayPort, { path: '/health/ready', agent: false })).status === 200,
  90_000,
);
const { RpcClient } = await import(`${root}libs/kit/dist/index.js`);
rpc = new RpcClient({ natsUrl, timeoutMs: 30_000, name: 'bench-portal-list' });
const builds = Object.fromEntries([...services, 'gateway'].map((name) => [name, mainOf(name)]));
if (options.appsFrom) console.log(`Apps started from: ${JSON.stringify(builds)}`);
console.log(`Everything is ready; the portal is http://${hostname}/${slug}/ (gateway on :${gatewayPort}).`);

// ---------------------------------------------------------------------------------------------
// Logging in through the portal's login form, as a browser does
// ---------------------------------------------------------------------------------------------
const page = (path, cookie) =>
  request(gatewayPort, { path, headers: { host: hostname, ...(cookie ? { cookie } : {}) } });
let cookie;
{
  const form = await page(`/${slug}/login`);
  const token = csrfFrom(form.body);
  const anonymous = cookieFrom(form.headers, 'hd.sid');
  if (form.status !== 200 || !token || !anonymous)
    throw new Error(
      `GET /${slug}/login: ${form.status}, token ${Boolean(token)}, cookie ${Boolean(anonymous)}`,
    );
  const body = new URLSearchParams({
    _csrf: token,
    next: `/${slug}/tickets`,
    email: contact.email,
    password: PASSWORD,
  }).toString();
  const login = await request(gatewayPort, {
    method: 'POST',
    path: `/${slug}/login`,
    headers: {
      host: hostname,
      cookie: anonymous,
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': Buffer.byteLength(body),
    },
    body,
  });
  cookie = cookieFrom(login.headers, 'hd.sid');
  if (login.status !== 303 || login.headers.location !== `/${slug}/tickets` || !cookie)
    throw new Error(
      `POST /${slug}/login: ${login.status} → ${login.headers.location}\n${login.body.slice(0, 500)}`,
    );
}
const first = await page(`/${slug}/tickets`, cookie);
const logoutToken = csrfFrom(first.body);
if (first.status !== 200 || !logoutToken)
  throw new Error(`GET /${slug}/tickets after login: ${first.status}`);
logout = async () => {
  const body = `_csrf=${encodeURIComponent(logoutToken)}`;
  await request(gatewayPort, {
    method: 'POST',
    path: `/${slug}/logout`,
    headers: {
      host: hostname,
      cookie,
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': Buffer.byteLength(body),
    },
    body,
  });
};
console.log(`Logged in as ${contact.email} (Megacorp Oy).`);

// ---------------------------------------------------------------------------------------------
// Each case's request, checked against the service's own SQL
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

const code = await loadTicketsCode();
const definitions = await loadDefinitions(code, db, accountId);
const sameIds = (a, b) => a.length === b.length && a.every((id, i) => id === b[i]);

const prepared = [];
for (const c of cases) {
  const expected = (await idsInOrder(code, definitions, db, jsonRequestOf(c), PAGE_SIZE)).ids;
  if (expected.length === 0) throw new Error(`${c.name}: the SQL finds no tickets`);
  const path = htmlPathOf(c);
  const request = jsonRequestOf(c);
  /** The answer's ticket ids in order; any status but 200 throws. */
  const idsOfAnswer =
    c.kind === 'html'
      ? async () => {
          const answer = await page(path, cookie);
          if (answer.status !== 200) throw new Error(`GET ${path} answered ${answer.status}`);
          return ticketIdsOf(answer.body);
        }
      : async () => (await rpc.send('tickets.portal.list', request)).items.map((item) => item.id);
  // Once in full: every row is the SQL's. Under load: the row count and the first row.
  if (!sameIds(await idsOfAnswer(), expected))
    throw new Error(`${c.name}: the answer's tickets differ from the SQL's`);
  const send = async () => {
    const ids = await idsOfAnswer();
    if (ids.length !== expected.length || ids[0] !== expected[0])
      throw new Error(
        `${ids.length} rows, first ${ids[0]}; expected ${expected.length}, first ${expected[0]}`,
      );
  };
  const bytes =
    c.kind === 'html'
      ? (await page(path, cookie)).body.length
      : Buffer.byteLength(JSON.stringify(await rpc.send('tickets.portal.list', request)));
  prepared.push({ ...c, send, rows: expected.length, bytes });
  console.log(
    `  ${c.name.padEnd(20)} checked: ${expected.length} rows as the SQL's, ${bytes.toLocaleString('en')} bytes`,
  );
}

// ---------------------------------------------------------------------------------------------
// Load
// ---------------------------------------------------------------------------------------------
const pids = Object.fromEntries(Object.entries(apps).map(([name, entry]) => [name, entry.child.pid]));
/** One cell of load; any failed request (a status but 200, a wrong page) fails the run. */
async function load(c, concurrency, seconds) {
  const result = await closedLoop({
    request: c.send,
    concurrency,
    seconds,
    processes: { ...pids, nats: nats.child.pid },
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
    const cpu = result.cpuMicrosPerRequest;
    console.log(
      `  ${c.name.padEnd(20)} c=${String(concurrency).padEnd(3)} ${String(result.rps).padStart(7)} req/s  p50 ${String(result.p50).padStart(7)} ms  p99 ${String(result.p99).padStart(7)} ms  ` +
        `(n=${result.requests}; µs/req gateway ${cpu.gateway} identity ${cpu.identity} tickets ${cpu.tickets} nats ${cpu.nats} pg ${cpu.postgres} redis ${cpu.redis} client ${cpu.client} (${result.cpuPercentOfCore.client} % of a core); other ${result.machine?.otherPercentOfCore ?? '?'} %)`,
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
const header = ['case', ...options.concurrency.flatMap((n) => [`c=${n} req/s`, 'p50 ms', 'p99 ms'])];
const rows = prepared.map((c) =>
  [
    c.name,
    ...options.concurrency.flatMap((n) => {
      const r = runs.find((run) => run.case === c.name && run.concurrency === n);
      return [r.rps, r.p50, r.p99];
    }),
  ].map(String),
);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (cells) =>
  cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
console.log(`\nPortal ticket list, ${options.duration} s per cell (c = requests in flight)`);
console.log(line(header));
for (const row of rows) console.log(line(row));

const goals = prepared
  .map((c) => ({ c, run: runs.find((r) => r.case === c.name && r.concurrency === GOAL_CONCURRENCY) }))
  .filter(({ run }) => run)
  .map(({ c, run }) => ({
    case: c.name,
    goalMs: GOALS_MS[c.kind],
    p99: run.p99,
    met: run.p99 <= GOALS_MS[c.kind],
  }));
if (goals.length) {
  console.log(
    `\nGoals at ${GOAL_CONCURRENCY} in flight: HTML p99 ≤ ${GOALS_MS.html} ms, JSON p99 ≤ ${GOALS_MS.json} ms`,
  );
  for (const g of goals)
    console.log(`  ${g.case.padEnd(20)} p99 ${g.p99} ms (goal ${g.goalMs}): ${g.met ? 'met' : 'MISSED'}`);
}

let distAtEnd = null;
try {
  distAtEnd = distFingerprint(distDirs).sha256;
} catch {
  // dist/ was being rebuilt at this moment
}
const git = gitState(['apps', 'libs']);
const report = {
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
  viewer: { contactId: contact.id, email: contact.email, scope },
  goalsMs: GOALS_MS,
  cases: prepared.map(({ name, kind, what, search, rows: count, bytes }) => ({
    name,
    kind,
    what,
    search,
    rows: count,
    bytes,
    ...(kind === 'html' ? { path: htmlPathOf({ search }) } : { request: jsonRequestOf({ search }) }),
  })),
  runs,
  goals,
  profile,
};
const resultsDir = join(benchDir, 'results');
mkdirSync(resultsDir, { recursive: true });
const resultFile = join(resultsDir, `portal-list-${report.date.replace(/[:.]/g, '-')}.json`);
writeFileSync(resultFile, JSON.stringify(report, null, 2) + '\n');
console.log(`\nWrote ${resultFile}`);
process.exit(0);
