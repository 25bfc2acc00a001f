// npm run bench:soak --workspace bench  (after npm run build and npm run generate --workspace bench)
//
// A steady mixed load for a long time (30 minutes by default): at a fixed rate, whatever the answers
// take (an open loop), Megacorp contacts logged in through the portal open their company's ticket
// list and tickets and reply to tickets, and visitors post the public support form. Every answer is
// checked and counted by status: any 5xx fails the run, and so does any other wrong answer. Per
// period (a minute) the latency percentiles of what was sent in it, and the resident memory (VmRSS
// from /proc/<pid>/status) of every process started here; the goal is no more than 10 % growth from
// the end of the warm-up to the end.
//
// The load writes (replies, submissions, the tickets and contacts they make), so it runs on a copy of
// the data set made for the run: <bench database>_soak (helpdesk_bench_soak; CREATE DATABASE …
// TEMPLATE, which needs helpdesk_bench without other sessions for a moment), with the demo's inboxes
// and support form added (the data set has neither), dropped at the end. helpdesk_bench itself is not
// changed. Starts a private nats-server, the four services and the gateway (--replicas=N of each) from
// dist/ with NODE_ENV=production. Writes bench/results/soak-<timestamp>.json and a chart of latency and
// memory over time, bench/results/soak-<timestamp>.png. Everything started here is stopped at the end,
// on failure and on Ctrl-C, and the sessions, counters and queues it left in Redis are removed; all
// traffic stays on 127.0.0.1.
//
// Options: --minutes=30  --rate=40 (requests a second, all kinds together)
//          --mix=list:4,detail:4,reply:1,submit:1 (shares of the rate)
//          --warmup-minutes=N (default: a sixth of the run, at least one period)
//          --period-seconds=60 (how often latency and memory are summed up; shorter to try it out)
//          --contacts=8 (logged-in contacts; the pages' requests go to them in turn)
//          --replicas=1 --keep-database --label=TEXT
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { chartsToPng, lineChart } from './lib/chart.mjs';
import {
  assertBenchDatabase,
  benchDatabaseUrl,
  benchDir,
  copyDatabase,
  dropDatabase,
  fileStamp,
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
  csrfFrom,
  formPost,
  logIn,
  megacorpLogins,
  portalOf,
  request,
  ticketIdsOf,
} from './lib/portal-client.mjs';
import {
  memoryOf,
  percentile,
  RoundRobin,
  round,
  startNats,
  startSystem,
  waitFor,
} from './lib/processes.mjs';

const arg = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const options = {
  minutes: Number(arg('minutes', 30)),
  rate: Number(arg('rate', 40)),
  mix: Object.fromEntries(
    arg('mix', 'list:4,detail:4,reply:1,submit:1')
      .split(',')
      .map((part) => part.split(':'))
      .map(([kind, share]) => [kind, Number(share)]),
  ),
  periodSeconds: Number(arg('period-seconds', 60)),
  contacts: Number(arg('contacts', 8)),
  replicas: Number(arg('replicas', 1)),
  keepDatabase: process.argv.includes('--keep-database'),
  label: arg('label', null),
};
const KINDS = ['list', 'detail', 'reply', 'submit'];
for (const [kind, share] of Object.entries(options.mix))
  if (!KINDS.includes(kind) || !(share >= 0)) throw new Error(`--mix: "${kind}:${share}" (kinds: ${KINDS})`);
const periods = Math.round((options.minutes * 60) / options.periodSeconds);
if (!(periods >= 2)) throw new Error('the run needs at least two periods (--minutes, --period-seconds)');
options.warmupPeriods = Math.min(
  periods - 1,
  Math.max(1, Math.round((Number(arg('warmup-minutes', options.minutes / 6)) * 60) / options.periodSeconds)),
);
/** The goal: no process's memory grows by more than this from the end of the warm-up to the end. */
const GOAL_GROWTH_PERCENT = 10;
const natsBin = process.env.NATS_SERVER ?? '/usr/sbin/nats-server';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const stamp = fileStamp();

// ---------------------------------------------------------------------------------------------
// Processes and cleanup
// ---------------------------------------------------------------------------------------------
assertBenchDatabase();
const benchName = new URL(benchDatabaseUrl).pathname.slice(1);
const soakName = `${benchName}_soak`;
const soakUrl = (() => {
  const url = new URL(benchDatabaseUrl);
  url.pathname = `/${soakName}`;
  return url.toString();
})();
assertBenchDatabase(soakUrl);
if (!existsSync(natsBin)) throw new Error(`nats-server not found at ${natsBin} (set NATS_SERVER)`);

const tmp = mkdtempSync(join(os.tmpdir(), 'helpdesk-bench-soak-'));
// Every Redis key of the run (queues, sessions, rate-limit counters) is under it, and removed at the end.
const redisPrefix = `bench-soak-${process.pid}`;
let db = null;
let copied = false;
const lifecycle = benchRun({
  tmp,
  closeClients: async () => {
    await db?.end().catch(() => {});
    db = null;
  },
  removeKeys: () => removeRedisKeys(redisUrl, redisPrefix),
  removeData: async () => {
    if (copied && !options.keepDatabase) await dropDatabase(benchDatabaseUrl, soakName);
  },
});
const { procs, stopAll } = lifecycle;

// ---------------------------------------------------------------------------------------------
// The copy of the data set, with the demo's inboxes and support form
// ---------------------------------------------------------------------------------------------
await waitFor(
  'a complete build of the apps (run `npm run build`)',
  async () =>
    [...services, 'gateway'].every((s) => existsSync(join(root, 'apps', s, 'dist', 'main.js'))) &&
    existsSync(join(root, 'libs/kit/dist/index.js')),
  120_000,
  1_000,
);
{
  const source = new pg.Client({ connectionString: benchDatabaseUrl, application_name: 'bench-soak' });
  await source.connect();
  const generation = await readGeneration(source).finally(() => source.end());
  if (!generation)
    throw new Error('The benchmark data set is missing. Run `npm run generate --workspace bench` first.');
}
console.log(`Copying ${benchName} to ${soakName}…`);
await dropDatabase(benchDatabaseUrl, soakName); // left over from a run that could not clean up
await copyDatabase(benchDatabaseUrl, benchName, soakName);
copied = true;
console.log('Migrations, and the demo inboxes and support form…');
const dbEnv = { DATABASE_URL: soakUrl, LOG_LEVEL: 'warn' };
await Promise.all(
  services.map((service) =>
    runNode(`apps/${service}/dist/migrate.js`, [], dbEnv, { timeoutMs: 30 * 60_000 }),
  ),
);
// The demo seed's steps the data set lacks: inbox's inboxes, then forms' support form into the
// Support inbox (scripts/system.mjs seedDemo, without handing identity's 100,000 contacts around).
const lastLine = (out) => JSON.parse(out.trim().split('\n').at(-1));
const demo = lastLine(await runNode('apps/identity/dist/seed.js', [], dbEnv));
const { inboxIds } = lastLine(
  await runNode(
    'apps/inbox/dist/seed.js',
    [JSON.stringify({ accountId: demo.accountId, agent: demo.agent })],
    dbEnv,
  ),
);
const { supportFormId } = lastLine(
  await runNode(
    'apps/forms/dist/seed.js',
    [JSON.stringify({ accountId: demo.accountId }), inboxIds['Support inbox']],
    dbEnv,
  ),
);
db = new pg.Client({ connectionString: soakUrl, application_name: 'bench-soak' });
await db.connect();
const generation = await readGeneration(db);
const accountId = generation.account_id;
const portalSite = await portalOf(db, accountId);
const { slug, hostname } = portalSite;
const contacts = await megacorpLogins(db, portalSite, options.contacts);
// Tickets of the company view, for the ticket pages and the replies.
const tickets = await companyTickets(db, portalSite, contacts[0], 2_000);

// ---------------------------------------------------------------------------------------------
// The system
// ---------------------------------------------------------------------------------------------
console.log(`Starting nats-server, the services and the gateway (logs in ${tmp})…`);
const nats = await startNats(procs, join(tmp, 'nats'), natsBin);
const baseEnv = {
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
const { gatewayPorts } = await startSystem({
  replicas: options.replicas,
  nats,
  startApp: (app, name, env) =>
    procs.start(name, process.execPath, [`apps/${app}/dist/main.js`], { ...baseEnv, ...env }),
  serviceEnv: { DATABASE_URL: soakUrl, METRICS_PORT: '0' },
  gatewayEnv: {
    SESSION_SECRET: randomBytes(32).toString('hex'),
    // Customers and visitors come from addresses of their own (X-Forwarded-For, benchAddress), so the
    // per-address limits apply as to real ones. The per-form limit (600 a minute by default) would
    // cap the submissions below the rates worth soaking: it is out of the way.
    TRUST_PROXY: 'true',
    FORMS_SUBMIT_LIMIT_PER_FORM: '100000000',
  },
  publicHost: hostname,
});
const gateways = new RoundRobin(gatewayPorts);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

// The contacts log in through the portal's form; each keeps its session and the token of its forms.
const sessions = [];
for (const [n, contact] of contacts.entries()) {
  const cookie = await logIn(gateways, portalSite, {
    contact,
    clientAddress: benchAddress(n),
    agent,
  });
  const list = await request(gateways.port(), {
    path: `/${slug}/tickets`,
    headers: { host: hostname, cookie },
    agent,
  });
  const csrf = csrfFrom(list.body);
  if (list.status !== 200 || !csrf) throw new Error(`GET /${slug}/tickets after login: ${list.status}`);
  sessions.push({ headers: { host: hostname, cookie, 'x-forwarded-for': benchAddress(n) }, csrf });
}
console.log(
  `Everything is ready; ${sessions.length} contacts logged in, the support form is ${supportFormId}.`,
);

// ---------------------------------------------------------------------------------------------
// The requests: each sends one and says whether its answer was the right one
// ---------------------------------------------------------------------------------------------
let sent = 0;
const sessionOf = (n) => sessions[n % sessions.length];
const ticketOf = (n) => tickets[n % tickets.length];
/** Each kind: sends request number `n`; answers its status and, when the answer was wrong, why. */
const kinds = {
  list: async (n) => {
    const path = `/${slug}/tickets?show=organization`;
    const answer = await request(gateways.port(), { path, headers: sessionOf(n).headers, agent });
    const rows = ticketIdsOf(answer.body).length;
    return { status: answer.status, wrong: answer.status === 200 && rows === 25 ? null : `${rows} rows` };
  },
  detail: async (n) => {
    const ticket = ticketOf(n);
    const answer = await request(gateways.port(), {
      path: ticket.path,
      headers: sessionOf(n).headers,
      agent,
    });
    const right = answer.status === 200 && answer.body.includes(ticket.heading);
    return { status: answer.status, wrong: right ? null : 'not the ticket’s page' };
  },
  reply: async (n) => {
    const ticket = ticketOf(n);
    const session = sessionOf(n);
    const answer = await request(gateways.port(), {
      path: `${ticket.path}/reply`,
      agent,
      ...formPost(
        { _csrf: session.csrf, body: `Reply ${n} from the soak.\nA second line.` },
        session.headers,
      ),
    });
    const right =
      answer.status === 303 &&
      answer.headers.location?.startsWith(`/${slug}/tickets/${ticket.id}?notice=replySent`);
    return { status: answer.status, wrong: right ? null : `→ ${answer.headers.location}` };
  },
  submit: async (n) => {
    // 256 visitors' addresses in turn: about one submission a minute each at 4 a second, well within
    // the per-address limit (20 a minute).
    const address = benchAddress(1_000 + (n % 256));
    const body = JSON.stringify({
      email: `soak-visitor-${n % 500}@bench.test`,
      firstname: 'Soak',
      lastname: `Visitor ${n % 500}`,
      subject: `Soak submission ${n}`,
      content: `Submission ${n}, sent by the soak.\nSecond line of the description.`,
      hs_ticket_priority: ['low', 'medium', 'high', 'urgent'][n % 4],
    });
    const answer = await request(gateways.port(), {
      method: 'POST',
      path: `/forms/v1/submit/${supportFormId}`,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'x-forwarded-for': address,
      },
      body,
      agent,
    });
    return { status: answer.status, wrong: answer.status === 200 ? null : answer.body.slice(0, 200) };
  },
};

/**
 * The order the kinds take turns in, spread evenly by their shares (smooth weighted round robin):
 * list:4,detail:4,reply:1,submit:1 sends a reply and a submission among every ten requests.
 */
const schedule = (() => {
  const weights = Object.entries(options.mix).filter(([, share]) => share > 0);
  const total = weights.reduce((sum, [, share]) => sum + share, 0);
  const current = Object.fromEntries(weights.map(([kind]) => [kind, 0]));
  return Array.from({ length: total }, () => {
    for (const [kind, share] of weights) current[kind] += share;
    const [next] = weights.reduce((best, entry) => (current[entry[0]] > current[best[0]] ? entry : best));
    current[next] -= total;
    return next;
  });
})();

// ---------------------------------------------------------------------------------------------
// The soak: requests at a fixed rate; per period, the answers and the processes' memory
// ---------------------------------------------------------------------------------------------
const processes = Object.fromEntries(procs.children.map(({ name, child }) => [name, child.pid]));
const memoryNow = () =>
  Object.fromEntries(
    Object.entries(processes).map(([name, pid]) => [name, round(memoryOf(pid)?.rss ?? null, 1)]),
  );
/** Per period: every answer's latency by kind, statuses, wrong answers. */
const perPeriod = Array.from({ length: periods }, () => ({
  latencies: Object.fromEntries(KINDS.map((kind) => [kind, []])),
  statuses: {},
  wrong: [],
  maxInFlight: 0,
}));
const memory = [{ minute: 0, rss: memoryNow() }];
let inFlight = 0;
let serverErrors = 0;
let wrongAnswers = 0;
const wrongSamples = [];

function fire(n, period) {
  const kind = schedule[n % schedule.length];
  const bucket = perPeriod[period];
  inFlight++;
  bucket.maxInFlight = Math.max(bucket.maxInFlight, inFlight);
  const t0 = performance.now();
  return kinds[kind](n)
    .catch((error) => ({ status: 'error', wrong: error.message }))
    .then(({ status, wrong }) => {
      inFlight--;
      bucket.statuses[status] = (bucket.statuses[status] ?? 0) + 1;
      if (typeof status === 'number' && status >= 500) serverErrors++;
      if (wrong) {
        wrongAnswers++;
        if (wrongSamples.length < 10) wrongSamples.push(`${kind} #${n}: ${status} ${wrong}`);
      } else bucket.latencies[kind].push(performance.now() - t0);
    });
}

console.log(
  `Soaking for ${options.minutes} min at ${options.rate} requests/s (${schedule.join(' ')} in turn), ` +
    `a summary every ${options.periodSeconds} s; warm-up ${options.warmupPeriods} period(s)…`,
);
const interval = 1_000 / options.rate;
const started = performance.now();
const pending = new Set();
for (let period = 0; period < periods && !lifecycle.failing; period++) {
  const periodEnd = started + (period + 1) * options.periodSeconds * 1_000;
  for (;;) {
    const due = started + sent * interval;
    if (due >= periodEnd || lifecycle.failing) break;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const request = fire(sent++, period);
    pending.add(request);
    request.finally(() => pending.delete(request));
  }
  const wait = periodEnd - performance.now();
  if (wait > 0) await sleep(wait);
  const minute = round(((period + 1) * options.periodSeconds) / 60, 2);
  memory.push({ minute, rss: memoryNow() });
  const all = Object.values(perPeriod[period].latencies)
    .flat()
    .sort((a, b) => a - b);
  console.log(
    `  ${String(minute).padStart(6)} min  ${all.length} answers  p50 ${round(percentile(all, 50))} ms  p99 ${round(percentile(all, 99))} ms  ` +
      `statuses ${JSON.stringify(perPeriod[period].statuses)}  RSS MB ${JSON.stringify(memory.at(-1).rss)}`,
  );
}
if (lifecycle.failing) await new Promise(() => {}); // stopping: the handler exits the process
// The last requests' answers, however long they take (each has its own 30 s limit).
await Promise.all(pending);
// The processes' logs are kept when an answer was wrong: they say why.
await stopAll({ keepLogs: serverErrors + wrongAnswers > 0 });

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------
const summary = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)) };
};
const timeline = perPeriod.map((bucket, period) => ({
  minute: round(((period + 1) * options.periodSeconds) / 60, 2),
  all: summary(Object.values(bucket.latencies).flat()),
  ...Object.fromEntries(KINDS.map((kind) => [kind, summary(bucket.latencies[kind])])),
  statuses: bucket.statuses,
  maxInFlight: bucket.maxInFlight,
}));
const afterWarmup = memory[options.warmupPeriods];
const growth = Object.fromEntries(
  Object.keys(processes).map((name) => {
    const [from, to] = [afterWarmup.rss[name], memory.at(-1).rss[name]];
    return [name, { fromMB: from, toMB: to, percent: round(((to - from) / from) * 100, 1) }];
  }),
);
const statuses = {};
for (const bucket of perPeriod)
  for (const [status, count] of Object.entries(bucket.statuses))
    statuses[status] = (statuses[status] ?? 0) + count;
const maxGrowth = Math.max(...Object.values(growth).map((g) => g.percent));
const verdict = {
  noServerErrors: serverErrors === 0,
  noWrongAnswers: wrongAnswers === 0,
  memoryGrowthBelowGoal: maxGrowth < GOAL_GROWTH_PERCENT,
};

console.log(`\nSoak: ${sent} requests in ${options.minutes} min, statuses ${JSON.stringify(statuses)}`);
console.log(`  5xx: ${serverErrors}${serverErrors ? ' — FAILED' : ''}`);
console.log(`  wrong answers: ${wrongAnswers}${wrongAnswers ? ` — FAILED: ${wrongSamples.join('; ')}` : ''}`);
console.log(
  `  memory growth after the warm-up (minute ${afterWarmup.minute} → ${memory.at(-1).minute}), goal < ${GOAL_GROWTH_PERCENT} %:`,
);
for (const [name, g] of Object.entries(growth))
  console.log(`    ${name.padEnd(12)} ${g.fromMB} → ${g.toMB} MB (${g.percent} %)`);
console.log(`  ${verdict.memoryGrowthBelowGoal ? 'met' : 'MISSED'}: largest growth ${maxGrowth} %`);

const png = join(benchDir, 'results', `soak-${stamp}.png`);
await chartsToPng(
  [
    lineChart({
      title: `Latency of every answer, per ${options.periodSeconds} s (${options.rate} requests/s, mixed)`,
      xLabel: 'minutes',
      yLabel: 'ms',
      series: [
        { name: 'p50', points: timeline.map((t) => [t.minute, t.all.p50]) },
        { name: 'p99', points: timeline.map((t) => [t.minute, t.all.p99]) },
      ],
    }),
    lineChart({
      title: `Resident memory (VmRSS) of each process; warm-up until minute ${afterWarmup.minute}`,
      xLabel: 'minutes',
      yLabel: 'MB',
      series: Object.keys(processes).map((name) => ({
        name,
        points: memory.map((m) => [m.minute, m.rss[name]]),
      })),
    }),
  ],
  png,
);
console.log(`\nChart: ${png}`);

const git = gitState(['apps', 'libs']);
writeResults(
  'soak',
  {
    kind: 'soak',
    date: new Date().toISOString(),
    label: options.label,
    options,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version },
    code: git,
    dataset: { ...generation.params.dataset, generatedAt: generation.generated_at, copy: soakName },
    requests: sent,
    statuses,
    serverErrors,
    wrongAnswers,
    wrongSamples,
    goalGrowthPercent: GOAL_GROWTH_PERCENT,
    verdict,
    timeline,
    memory,
    growth,
    chart: png,
  },
  stamp,
);
process.exit(Object.values(verdict).every(Boolean) ? 0 : 1);
