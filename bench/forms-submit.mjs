// node bench/forms-submit.mjs  (after npm run build; see bench/README for the npm script)
//
// Public form submissions end to end: how many submissions per second the gateway accepts
// (POST /forms/v1/submit/{formId}, JSON; each accepted one is stored with its outbox row before the
// answer), and how long from a submission to its ticket (the relay: contact, ticket, thread).
//
// Starts a private nats-server, the four services and the gateway against its own database
// (helpdesk_bench_forms, emptied and seeded with the demo data on every run, so runs compare), with
// rate limits out of the way (its submissions come from an address of their own, X-Forwarded-For
// 198.18.0.1, so the per-address counter is not the one other people's tests use from 127.0.0.1).
// Then for each connection count: autocannon for --duration seconds,
// every request a different submission to the demo "Support form"; afterwards it waits until the relay
// has delivered everything and reports the drain. Then a paced phase (--paced-rate submissions a
// second, --paced-count of them) on the idle system: time to ticket and to delivered (thread too),
// p50/p99. Results go to bench/results/forms-submit-<timestamp>.json. Every process started here is
// stopped at the end, on failure and on Ctrl-C; all traffic stays on 127.0.0.1.
//
// Options: --duration=10 --warmup=3 --connections=10,32 --paced-rate=50 --paced-count=300
//          --label=TEXT (stored with the results) --keep-logs
//          --profile (V8 profiler in the gateway and forms during the load; .cpuprofile files under
//                     bench/results/profiles-forms-*, with a summary printed)
// Environment: BENCH_FORMS_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/helpdesk_bench_forms),
//              BENCH_REDIS_URL (default redis://127.0.0.1:6379), NATS_SERVER (default /usr/sbin/nats-server).
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import {
  assertBenchDatabase,
  benchDir,
  ensureDatabase,
  root,
  runNode,
  services,
  writeResults,
} from './lib/common.mjs';
import { benchRun, removeRedisKeys } from './lib/lifecycle.mjs';
import { benchAddress } from './lib/portal-client.mjs';
import {
  cpuSeconds,
  freePort,
  HOST,
  machineCpu,
  percentile,
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
  duration: Number(arg('duration', 10)),
  warmup: Number(arg('warmup', 3)),
  connections: arg('connections', '10,32').split(',').map(Number),
  pacedRate: Number(arg('paced-rate', 50)),
  pacedCount: Number(arg('paced-count', 300)),
  label: arg('label', ''),
  keepLogs: process.argv.includes('--keep-logs'),
  profile: process.argv.includes('--profile'),
};
const GOAL_PER_SECOND = 1_000;

const databaseUrl =
  process.env.BENCH_FORMS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/helpdesk_bench_forms';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const natsBin = process.env.NATS_SERVER ?? '/usr/sbin/nats-server';
const database = assertBenchDatabase(databaseUrl);
// Every Redis key of the run (queues, rate-limit counters) is under it, and removed at the end.
const redisPrefix = `bench-forms-${process.pid}`;
/** Where the submissions come from (X-Forwarded-For, trusted by the gateway started here). */
const clientAddress = benchAddress(0);

// ---------------------------------------------------------------------------------------------
// Processes and cleanup
// ---------------------------------------------------------------------------------------------
const tmp = mkdtempSync(join(os.tmpdir(), 'helpdesk-bench-forms-'));
let db = null;
let currentLoad = null;
let formId = null;

const lifecycle = benchRun({
  tmp,
  closeClients: async () => {
    currentLoad?.stop();
    await db?.end().catch(() => {});
    db = null;
  },
  removeKeys: () => removeRedisKeys(redisUrl, redisPrefix),
  keepLogs: options.keepLogs,
});
const { procs, stopAll } = lifecycle;

// ---------------------------------------------------------------------------------------------
// Preparation: an empty database with the demo data
// ---------------------------------------------------------------------------------------------
if (!existsSync(natsBin)) throw new Error(`nats-server not found at ${natsBin} (set NATS_SERVER)`);
// Other people's `npm run build` empties dist/ for a moment: wait for a complete build.
const built = () =>
  [...services, 'gateway'].every((s) => existsSync(join(root, 'apps', s, 'dist', 'main.js')));
for (let waited = 0; !built(); waited++) {
  if (waited === 120) {
    console.error('Not built: run `npm run build` at the repo root first.');
    process.exit(1);
  }
  await sleep(1_000);
}
if (os.loadavg()[0] > os.cpus().length)
  console.warn(
    `Warning: load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores; figures will be noisy.`,
  );

await ensureDatabase(databaseUrl);
{
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    for (const schema of [...services, 'bench'])
      await admin.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await admin.end();
  }
}

const { url: natsUrl } = await startNats(procs, join(tmp, 'nats'), natsBin);
const gatewayPort = await freePort();
const gatewayUrl = `http://${HOST}:${gatewayPort}`;

const scriptEnv = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, NATS_URL: natsUrl };
console.log(`Migrating and seeding ${database}…`);
await runNode('scripts/migrate.mjs', [], scriptEnv, { timeoutMs: 180_000 });
await runNode('scripts/seed.mjs', [], scriptEnv, { timeoutMs: 180_000 });

db = new pg.Client({ connectionString: databaseUrl, application_name: 'bench-forms' });
await db.connect();
formId = (await db.query(`select support_form->>'formId' as id from identity.portal`)).rows[0]?.id;
if (!formId) throw new Error('the demo seed connected no support form');

// ---------------------------------------------------------------------------------------------
// The system
// ---------------------------------------------------------------------------------------------
const profileDir = options.profile
  ? join(benchDir, 'results', `profiles-forms-${new Date().toISOString().replace(/[:.]/g, '-')}`)
  : null;
if (profileDir) mkdirSync(profileDir, { recursive: true });
// The gateway and forms are profiled while accepting; forms, tickets, inbox and identity while the
// relay works off the backlog. Every start of a process writes its own file.
const profiled = new Set(options.profile ? ['gateway', ...services] : []);
const profileFiles = {};
const baseEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NODE_ENV: 'production',
  NATS_URL: natsUrl,
  LOG_LEVEL: 'warn',
  REDIS_URL: redisUrl,
  REDIS_PREFIX: redisPrefix,
  MAIL_DIR: join(tmp, 'mail'),
  FILE_STORAGE_DIR: join(tmp, 'files'),
};
function start(name, script, env) {
  if (profiled.has(name))
    profileFiles[name] = join(profileDir, `${name}-${Object.keys(profileFiles).length}.cpuprofile`);
  return procs.start(
    name,
    process.execPath,
    [...(profiled.has(name) ? ['--import', join(benchDir, 'lib', 'cpu-profile.mjs')] : []), script],
    { ...baseEnv, ...env, ...(profiled.has(name) ? { BENCH_PROFILE_FILE: profileFiles[name] } : {}) },
  );
}

/** Starts the V8 profiler in these processes, runs the work, writes and summarises their profiles. */
async function profiling(names, work) {
  if (!profileDir) return { result: await work(), summaries: null };
  for (const name of names) entries[name].child.kill('SIGUSR2');
  await sleep(200);
  const result = await work();
  const written = names.map((name) => entries[name].output.split('BENCH_PROFILE_WRITTEN').length);
  for (const name of names) entries[name].child.kill('SIGUSR2');
  await waitFor(
    'the profiles',
    async () =>
      names.every((name, i) => entries[name].output.split('BENCH_PROFILE_WRITTEN').length > written[i]),
    60_000,
  );
  const summaries = {};
  for (const name of names)
    summaries[name] = {
      file: profileFiles[name],
      summary: summarize(JSON.parse(readFileSync(profileFiles[name], 'utf8')), 40),
    };
  return { result, summaries };
}
const entries = {};
// Forms starts with its relay off: the first phase measures accepting alone.
const serviceEnv = (service, relay) => ({
  DATABASE_URL: databaseUrl,
  METRICS_PORT: '0',
  ...(service === 'forms' ? { OUTBOX_RELAY: relay } : {}),
});
for (const service of services)
  entries[service] = start(service, `apps/${service}/dist/main.js`, serviceEnv(service, 'off'));
entries.gateway = start('gateway', 'apps/gateway/dist/main.js', {
  PORT: String(gatewayPort),
  HOST,
  PUBLIC_URL: gatewayUrl,
  SESSION_SECRET: randomBytes(32).toString('hex'),
  TRUST_PROXY: 'true',
  FORMS_SUBMIT_LIMIT_PER_IP: '100000000',
  FORMS_SUBMIT_LIMIT_PER_FORM: '100000000',
});
const pids = Object.fromEntries(Object.entries(entries).map(([name, entry]) => [name, entry.child.pid]));
await waitFor(
  'gateway /health/ready',
  async () =>
    (await fetch(`${gatewayUrl}/health/ready`, { signal: AbortSignal.timeout(3_000) })).status === 200,
  90_000,
);
console.log(`Everything is ready (logs in ${tmp}); the support form is ${formId}.`);

// ---------------------------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------------------------
const path = `/forms/v1/submit/${formId}`;
let sequence = 0;
const nextBody = () => {
  const n = sequence++;
  return JSON.stringify({
    email: `visitor-${n % 2_000}@bench.test`,
    firstname: 'Visitor',
    lastname: String(n % 2_000),
    subject: `Bench submission ${n}`,
    content: `Submission number ${n}, sent by the forms benchmark.\nSecond line of the description.`,
    hs_ticket_priority: ['low', 'medium', 'high', 'urgent'][n % 4],
  });
};

const pendingRows = async () =>
  Number((await db.query('select count(*) as n from forms.outbox where delivered_at is null')).rows[0].n);

/** Waits until the relay has delivered everything; seconds it took. */
async function drain(timeoutS = 600) {
  const started = performance.now();
  while ((await pendingRows()) > 0) {
    if (performance.now() - started > timeoutS * 1_000)
      throw new Error(`outbox not drained within ${timeoutS} s`);
    await sleep(250);
  }
  return (performance.now() - started) / 1_000;
}

/** Time from each submission to its ticket (tickets.created_at) and to delivered (thread opened too), ms. */
async function timesToTicket(from, to) {
  const { rows } = await db.query(
    `select extract(epoch from t.created_at - s.created_at) * 1000 as ticket_ms,
            extract(epoch from s.delivered_at - s.created_at) * 1000 as delivered_ms
       from forms.submission s join tickets.ticket t on t.source_key = s.id::text
      where s.created_at >= $1 and s.created_at <= $2`,
    [from, to],
  );
  const ticket = rows.map((r) => Number(r.ticket_ms)).sort((a, b) => a - b);
  const delivered = rows.map((r) => Number(r.delivered_ms)).sort((a, b) => a - b);
  return {
    submissions: rows.length,
    ticketP50: round(percentile(ticket, 50), 0),
    ticketP99: round(percentile(ticket, 99), 0),
    deliveredP50: round(percentile(delivered, 50), 0),
    deliveredP99: round(percentile(delivered, 99), 0),
  };
}

/** Replaces the forms process by one with its relay on or off (a planned exit, not a failure). */
async function restartForms(relay) {
  const old = entries.forms.child;
  old.removeAllListeners('exit');
  await new Promise((resolve) => {
    old.once('exit', resolve);
    old.kill('SIGTERM');
  });
  entries.forms = start('forms', 'apps/forms/dist/main.js', serviceEnv('forms', relay));
  pids.forms = entries.forms.child.pid;
  await waitFor(
    'gateway /health/ready with the new forms process',
    async () =>
      (await fetch(`${gatewayUrl}/health/ready`, { signal: AbortSignal.timeout(3_000) })).status === 200,
    60_000,
  );
}

async function load(connections, duration, { delivering = true } = {}) {
  const latencies = [];
  const cpuBefore = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  const pgBefore = postgresBackendsCpu(database);
  const machineBefore = machineCpu();
  const self = process.cpuUsage();
  const from = (await db.query('select now() as now')).rows[0].now;
  currentLoad = autocannon({
    url: gatewayUrl,
    connections,
    duration,
    pipelining: 1,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', 'x-forwarded-for': clientAddress },
        setupRequest: (request) => ({ ...request, body: nextBody() }),
      },
    ],
  });
  currentLoad.on('response', (_client, statusCode, _bytes, ms) => {
    if (statusCode === 200) latencies.push(ms);
  });
  const result = await currentLoad;
  currentLoad = null;
  const to = (await db.query('select now() as now')).rows[0].now;
  const selfCpu = process.cpuUsage(self);
  const cpu = {};
  for (const [name, pid] of Object.entries(pids)) {
    const after = cpuSeconds(pid);
    if (after !== null && cpuBefore[name] !== null)
      cpu[name] = round(((after - cpuBefore[name]) / result.duration) * 100, 0);
  }
  const pgAfter = postgresBackendsCpu(database);
  if (pgBefore && pgAfter)
    cpu.postgres = round((postgresDelta(pgBefore, pgAfter) / result.duration) * 100, 0);
  cpu.autocannon = round(((selfCpu.user + selfCpu.system) / 1e6 / result.duration) * 100, 0);
  const machineAfter = machineCpu();
  if (machineBefore && machineAfter)
    cpu.machineBusy = round(((machineAfter.busy - machineBefore.busy) / result.duration) * 100, 0);
  latencies.sort((a, b) => a - b);
  const accepted = result['2xx'];
  const backlog = await pendingRows();
  const common = {
    connections,
    accepted,
    acceptedPerSecond: round(accepted / result.duration, 0),
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    backlogAtEnd: backlog,
    cpuPercentOfCore: cpu,
  };
  if (!delivering) return common;
  const drainS = await drain();
  const stored = Number(
    (
      await db.query('select count(*) as n from forms.submission where created_at between $1 and $2', [
        from,
        to,
      ])
    ).rows[0].n,
  );
  return {
    ...common,
    storedInWindow: stored,
    drainSeconds: round(drainS, 1),
    deliveredPerSecond: round(stored / (result.duration + drainS), 0),
    underLoad: await timesToTicket(from, new Date(new Date(to).getTime() + 1)),
  };
}

/** An open-loop stream of single submissions at a steady rate on an idle system. */
async function paced(rate, count) {
  const from = (await db.query('select now() as now')).rows[0].now;
  const interval = 1_000 / rate;
  const started = performance.now();
  const inFlight = [];
  const statuses = {};
  for (let i = 0; i < count; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    inFlight.push(
      fetch(`${gatewayUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': clientAddress },
        body: nextBody(),
      }).then(
        async (response) => {
          statuses[response.status] = (statuses[response.status] ?? 0) + 1;
          await response.arrayBuffer();
        },
        () => (statuses.error = (statuses.error ?? 0) + 1),
      ),
    );
  }
  await Promise.all(inFlight);
  await drain();
  const to = (await db.query('select now() as now')).rows[0].now;
  return { rate, count, statuses, ...(await timesToTicket(from, to)) };
}

// 1. Accepting alone (forms' relay off): what the gateway, forms and PostgreSQL take per submission.
// The warm-up (JIT, pools) is not measured.
await load(options.connections[0], options.warmup, { delivering: false });
const acceptRuns = [];
for (const connections of options.connections) {
  console.log(`Accepting only (relay off): ${connections} connections for ${options.duration} s…`);
  acceptRuns.push(await load(connections, options.duration, { delivering: false }));
}

// 2. The relay on: how fast it works off that backlog on an otherwise idle system.
await restartForms('on');
const backlog = await pendingRows();
console.log(`Relay on: delivering the backlog of ${backlog}…`);
const drainCpuBefore = Object.fromEntries(services.map((name) => [name, cpuSeconds(pids[name])]));
const { result: backlogDrainS, summaries: drainProfiles } = await profiling(
  ['forms', 'tickets', 'inbox', 'identity'],
  () => drain(),
);
const backlogDrain = {
  /** CPU µs each service spent per delivered submission. */
  cpuMicrosPerDelivery: Object.fromEntries(
    services.map((name) => [
      name,
      round(((cpuSeconds(pids[name]) - drainCpuBefore[name]) * 1e6) / backlog, 0),
    ]),
  ),
  submissions: backlog,
  seconds: round(backlogDrainS, 1),
  deliveredPerSecond: round(backlog / backlogDrainS, 0),
};

// 3. Everything at once, as `npm start` runs: accepting while delivering.
const runs = [];
for (const connections of options.connections) {
  console.log(`Accepting and delivering: ${connections} connections for ${options.duration} s…`);
  runs.push(await load(connections, options.duration));
}

// 4. Time to ticket at a steady, modest rate.
console.log(`Paced: ${options.pacedCount} submissions at ${options.pacedRate}/s on the idle system…`);
const steady = await paced(options.pacedRate, options.pacedCount);

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------
const cpuRow = (label) => (r) => ({ phase: label, connections: r.connections, ...r.cpuPercentOfCore });
console.log(
  '\n1. Accepted submissions/s at the gateway, relay off (each stored with its outbox row before the 200)',
);
console.table(
  acceptRuns.map((r) => ({
    connections: r.connections,
    'accepted/s': r.acceptedPerSecond,
    'p50 ms': r.p50,
    'p99 ms': r.p99,
    'non-2xx': r.non2xx + r.errors + r.timeouts,
  })),
);
console.log(
  `2. The relay delivered that backlog of ${backlogDrain.submissions} in ${backlogDrain.seconds} s: ${backlogDrain.deliveredPerSecond}/s; CPU µs per delivery: ${JSON.stringify(backlogDrain.cpuMicrosPerDelivery)}`,
);
console.log('\n3. Accepting and delivering at once (as npm start runs)');
console.table(
  runs.map((r) => ({
    connections: r.connections,
    'accepted/s': r.acceptedPerSecond,
    'p50 ms': r.p50,
    'p99 ms': r.p99,
    'non-2xx': r.non2xx + r.errors + r.timeouts,
    'backlog at end': r.backlogAtEnd,
    'drain s': r.drainSeconds,
    'delivered/s': r.deliveredPerSecond,
    'to ticket p50 ms': r.underLoad.ticketP50,
    'to ticket p99 ms': r.underLoad.ticketP99,
  })),
);
console.log('CPU, % of one core, during each load:');
console.table([...acceptRuns.map(cpuRow('accept only')), ...runs.map(cpuRow('accept + deliver'))]);
console.log(
  `\n4. Time from submission to ticket at ${steady.rate}/s on an idle system (${steady.submissions} submissions)`,
);
console.table([
  {
    'to ticket p50 ms': steady.ticketP50,
    'to ticket p99 ms': steady.ticketP99,
    'to delivered p50 ms': steady.deliveredP50,
    'to delivered p99 ms': steady.deliveredP99,
    statuses: JSON.stringify(steady.statuses),
  },
]);
for (const [what, list] of [
  ['accepting alone', acceptRuns],
  ['accepting while delivering', runs],
]) {
  const best = Math.max(...list.map((r) => r.acceptedPerSecond));
  console.log(
    `${best >= GOAL_PER_SECOND ? 'Goal met' : 'Goal missed'} ${what}: ${best} accepted submissions/s (goal ${GOAL_PER_SECOND}).`,
  );
}

let profiles = null;
if (profileDir) {
  for (const [name, { file, summary }] of Object.entries(drainProfiles ?? {}))
    console.log(
      `\n${formatSummary(`${name} while delivering the backlog: ${file}`, summary, 20, backlogDrain.cpuMicrosPerDelivery[name])}`,
    );
  // One more load at the highest connection count, accepting alone, with the V8 profiler on in the
  // gateway and forms.
  const connections = Math.max(...options.connections);
  console.log(`\nProfiling (relay off): ${connections} connections for ${options.duration} s…`);
  await restartForms('off');
  const { result: profiledRun, summaries } = await profiling(['gateway', 'forms'], () =>
    load(connections, options.duration, { delivering: false }),
  );
  for (const [name, { file, summary }] of Object.entries(summaries)) {
    const micros = ((profiledRun.cpuPercentOfCore[name] ?? 0) / 100) * (1e6 / profiledRun.acceptedPerSecond);
    console.log(`\n${formatSummary(`${name} while accepting: ${file}`, summary, 20, micros)}`);
  }
  profiles = { accepting: { run: profiledRun, ...summaries }, delivering: drainProfiles };
}

writeResults('forms-submit', {
  at: new Date().toISOString(),
  label: options.label,
  options,
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
  goalPerSecond: GOAL_PER_SECOND,
  acceptOnly: acceptRuns,
  backlogDrain,
  runs,
  paced: steady,
  profiles,
});
await stopAll();
process.exit(0);
