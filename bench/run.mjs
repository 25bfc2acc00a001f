// npm run bench  (after npm run build and npm run generate --workspace bench)
//
// Starts a private nats-server, the four services and the gateway against helpdesk_bench, plus the
// baseline (bench/baseline-server.mjs), then loads GET /api/v1/tickets?limit=25 (first page and a page
// ~1000 pages deep) on both with autocannon and prints throughput, p50/p99 and slice/baseline.
// Results go to bench/results/<timestamp>.json. Every process started here is stopped at the end,
// on failure and on Ctrl-C. All traffic stays on 127.0.0.1.
//
// Options: --duration=10 --warmup=3 --connections=10,32 --deep-pages=1000
//          --no-layers  (skip the gateway-only runs that split the slice's cost into layers)
//          --profile    (afterwards, one more slice run with the V8 profiler in gateway and tickets)
import autocannon from 'autocannon';
import { execFileSync, fork, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createConnection, createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import {
  assertBenchDatabase,
  benchDir,
  benchDatabaseUrl,
  readGeneration,
  requireBuild,
  root,
  services,
} from './lib/common.mjs';
import { removeRedisKeys } from './lib/lifecycle.mjs';
import { formatSummary, summarize } from './lib/profile-summary.mjs';

const arg = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const options = {
  duration: Number(arg('duration', 10)),
  warmup: Number(arg('warmup', 3)),
  connections: arg('connections', '10,32').split(',').map(Number),
  deepPages: Number(arg('deep-pages', 1000)),
  profile: process.argv.includes('--profile'),
  layers: !process.argv.includes('--no-layers'),
};
const natsBin = process.env.NATS_SERVER ?? '/usr/sbin/nats-server';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const HOST = '127.0.0.1';

// ---------------------------------------------------------------------------------------------
// Processes: every child is registered here so one function can stop them all, whatever happens.
// ---------------------------------------------------------------------------------------------
const children = []; // { name, child, logFile }
let tmp; // scratch dir: nats store, logs, profiles in progress
let stopping = false;
let currentLoad = null; // the running autocannon instance, stopped on Ctrl-C
// Every Redis key of the run (its session, the login counter) is under it, and removed at the end.
const redisPrefix = `bench-api-${process.pid}`;

function startChild(name, command, args, env, { ipc = false } = {}) {
  const logFile = join(tmp, `${name}.log`);
  const log = createWriteStream(logFile);
  const child = ipc
    ? fork(args[0], args.slice(1), { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [] })
    : spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const entry = { name, child, logFile, output: '' };
  // Keep the last few KB in memory to show on failure, and to spot the profiler's confirmation.
  const keep = (chunk) => (entry.output = (entry.output + chunk).slice(-8_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.once('exit', (code, signal) => {
    if (!stopping)
      fail(
        new Error(`${name} exited unexpectedly (${signal ?? `code ${code}`}). Last output:\n${entry.output}`),
      );
  });
  children.push(entry);
  return entry;
}

const alive = (child) => child.exitCode === null && child.signalCode === null;

async function stopAll({ keepLogs = false } = {}) {
  stopping = true;
  currentLoad?.stop();
  // The Node processes first (they unsubscribe and drain over NATS), nats-server once they are gone.
  const stopGroup = async (group) => {
    for (const { child } of group) if (alive(child)) child.kill('SIGTERM');
    const deadline = Date.now() + 8_000;
    while (group.some(({ child }) => alive(child)) && Date.now() < deadline) await sleep(100);
    for (const { child } of group) if (alive(child)) child.kill('SIGKILL');
  };
  await stopGroup(children.filter((c) => c.name !== 'nats-server'));
  await stopGroup(children.filter((c) => c.name === 'nats-server'));
  await removeRedisKeys(redisUrl, redisPrefix);
  if (tmp && keepLogs) console.error(`Logs of the processes are in ${tmp}`);
  else if (tmp) rmSync(tmp, { recursive: true, force: true });
}

let failing = false;
async function fail(error) {
  if (failing) return;
  failing = true;
  console.error(`\nBenchmark failed: ${error?.stack ?? error}`);
  await stopAll({ keepLogs: true });
  process.exit(1);
}

process.on('SIGINT', () => {
  console.error('\nInterrupted; stopping everything…');
  if (!failing) {
    failing = true;
    stopAll().then(() => process.exit(130));
  }
});
process.on('SIGTERM', () => process.emit('SIGINT'));
process.on('unhandledRejection', (error) => fail(error));
process.on('uncaughtException', (error) => fail(error));
// Last resort (e.g. process.exit elsewhere): synchronous kill of anything still running.
process.on('exit', () => children.forEach(({ child }) => alive(child) && child.kill('SIGKILL')));

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------
const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function waitFor(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`${what} not ready within ${timeoutMs / 1000} s`);
}

const tcpAnswers = (port) =>
  new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    socket.once('connect', () => (socket.end(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/** fetch with a time limit; every request of this script goes to 127.0.0.1. */
const get = (url, headers = {}) => fetch(url, { headers, signal: AbortSignal.timeout(10_000) });

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); null elsewhere. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}
/** Busy and total CPU seconds of the whole machine so far. */
function machineCpu() {
  try {
    const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const ticks = values.map(Number);
    const idle = ticks[3] + ticks[4];
    const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
    // irq + softirq: mostly the kernel's loopback TCP work, which no process is charged for.
    return { busy: (total - idle) / 100, total: total / 100, irq: (ticks[5] + ticks[6]) / 100 };
  } catch {
    return null;
  }
}

/**
 * CPU seconds per process of the shared PostgreSQL (only the backends serving the benchmark database,
 * recognised by their process title) and Redis, by pid: other people's tests use the same servers.
 */
function sharedServersCpu() {
  const database = new URL(benchDatabaseUrl).pathname.slice(1);
  const found = new Map(); // pid -> { key, seconds }
  let entries;
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  for (const pid of entries) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      let key = null;
      if (comm === 'redis-server') key = 'redis';
      else if (comm === 'postgres' && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${database} `))
        key = 'postgres';
      if (key) found.set(pid, { key, seconds: cpuSeconds(pid) ?? 0 });
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}

/** CPU used between two sharedServersCpu() samples, by server; processes that ended meanwhile are missed. */
function sharedServersDelta(before, after) {
  const sums = { postgres: 0, redis: 0 };
  for (const [pid, { key, seconds }] of after) sums[key] += seconds - (before.get(pid)?.seconds ?? 0);
  return sums;
}

const percentile = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : null;
const round = (value, digits = 2) =>
  value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * One autocannon run. Latencies come from the per-response event (fractional ms) rather than
 * autocannon's histogram, which rounds to whole milliseconds: too coarse for sub-millisecond pages.
 */
async function load({ url, headers, connections, duration, cpuPids = {} }) {
  const latencies = [];
  const MAX_SAMPLES = 5_000_000; // bounds memory even at absurd rates
  const cpuBefore = Object.fromEntries(Object.entries(cpuPids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  const machineBefore = machineCpu();
  const sharedBefore = sharedServersCpu();
  const selfBefore = process.cpuUsage();
  currentLoad = autocannon({ url, connections, duration, headers, pipelining: 1, timeout: 10 });
  currentLoad.on('response', (_client, statusCode, _bytes, ms) => {
    if (statusCode === 200 && latencies.length < MAX_SAMPLES) latencies.push(ms);
  });
  const result = await currentLoad;
  currentLoad = null;
  const self = process.cpuUsage(selfBefore);
  const machineAfter = machineCpu();
  const sharedAfter = sharedServersCpu();
  latencies.sort((a, b) => a - b);
  const ok = result['2xx'];
  const cpu = {};
  for (const [name, pid] of Object.entries(cpuPids)) {
    const after = cpuSeconds(pid);
    if (after !== null && cpuBefore[name] !== null)
      cpu[name] = round(((after - cpuBefore[name]) / result.duration) * 100, 0); // % of one core
  }
  cpu.autocannon = round(((self.user + self.system) / 1e6 / result.duration) * 100, 0);
  if (sharedBefore && sharedAfter) {
    const shared = sharedServersDelta(sharedBefore, sharedAfter);
    cpu.postgres = round((shared.postgres / result.duration) * 100, 0);
    cpu.redis = round((shared.redis / result.duration) * 100, 0);
  }
  if (machineBefore && machineAfter) {
    const busy = ((machineAfter.busy - machineBefore.busy) / result.duration) * 100;
    const cores = (machineAfter.total - machineBefore.total) / result.duration;
    cpu.kernelIrq = round(((machineAfter.irq - machineBefore.irq) / result.duration) * 100, 0);
    // Whatever else the machine did: other people's builds and tests make a run noisy.
    const ours = Object.values(cpu).reduce((sum, value) => sum + (value ?? 0), 0);
    cpu.other = round(Math.max(0, busy - ours), 0);
    cpu.machineBusy = round(busy, 0); // % of one core, so up to cores x 100
    cpu.cores = round(cores, 1);
  }
  return {
    requests: ok,
    durationS: result.duration,
    rps: round(ok / result.duration, 0),
    p50: round(percentile(latencies, 50)),
    p90: round(percentile(latencies, 90)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies.at(-1) ?? null),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    cpuPercentOfCore: cpu,
    // CPU time each process spent per answered request, in µs: the cost model behind the req/s.
    cpuMicrosPerRequest: Object.fromEntries(
      Object.entries(cpu)
        .filter(
          ([name, value]) =>
            !['machineBusy', 'cores', 'other', 'kernelIrq', 'identity', 'forms', 'inbox'].includes(name) &&
            value,
        )
        .map(([name, value]) => [name, round(((value / 100) * 1e6) / (ok / result.duration), 0)]),
    ),
    loadAverage1m: round(os.loadavg()[0], 2),
  };
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------
assertBenchDatabase();
requireBuild();
if (!existsSync(natsBin)) throw new Error(`nats-server not found at ${natsBin} (set NATS_SERVER)`);

const db = new pg.Client({ connectionString: benchDatabaseUrl, application_name: 'bench-run' });
await db.connect().catch((error) => {
  console.error(
    `Cannot connect to ${benchDatabaseUrl} (${error.message}). Run \`npm run generate --workspace bench\` first.`,
  );
  process.exit(1);
});
const generation = await readGeneration(db);
const pgVersion = (await db.query('show server_version')).rows[0].server_version;
await db.end();
if (!generation) {
  console.error('The benchmark data set is missing. Run `npm run generate --workspace bench` first.');
  process.exit(1);
}
const accountId = generation.account_id;

// Other work on the machine skews every figure; say so up front (each run also reports "other" CPU).
const [load1] = os.loadavg();
if (load1 > os.cpus().length)
  console.warn(
    `Warning: load average ${load1.toFixed(1)} on ${os.cpus().length} cores; figures will be noisy.`,
  );

const distAtStart = distFingerprint();
console.log(
  `Measuring the built code in apps/*/dist and libs/*/dist: ${distAtStart.sha256}, built ${distAtStart.builtAt}.`,
);
tmp = mkdtempSync(join(os.tmpdir(), 'helpdesk-bench-'));
const [natsPort, gatewayPort] = [await freePort(), await freePort()];
const natsUrl = `nats://${HOST}:${natsPort}`;
const gatewayUrl = `http://${HOST}:${gatewayPort}`;
const profileDir = options.profile
  ? join(benchDir, 'results', `profiles-${new Date().toISOString().replace(/[:.]/g, '-')}`)
  : null;
if (profileDir) mkdirSync(profileDir, { recursive: true });

console.log(
  `Starting nats-server :${natsPort}, services, gateway :${gatewayPort} and the baseline (logs in ${tmp})…`,
);
mkdirSync(join(tmp, 'nats'));
const nats = startChild(
  'nats-server',
  natsBin,
  ['-a', HOST, '-p', String(natsPort), '-js', '-sd', join(tmp, 'nats')],
  process.env,
);
await waitFor('nats-server', () => tcpAnswers(natsPort), 10_000);

// Only what the apps need; nothing from the caller's environment that could point them elsewhere.
const baseEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NODE_ENV: 'production',
  NATS_URL: natsUrl,
  LOG_LEVEL: 'warn',
  REDIS_PREFIX: redisPrefix,
};
const profiled = new Set(options.profile ? ['gateway', 'tickets'] : []);
const nodeArgs = (name) => (profiled.has(name) ? ['--import', join(benchDir, 'lib', 'cpu-profile.mjs')] : []);
const profileEnv = (name) =>
  profiled.has(name) ? { BENCH_PROFILE_FILE: join(profileDir, `${name}.cpuprofile`) } : {};
const procs = {};
for (const service of services) {
  procs[service] = startChild(
    service,
    process.execPath,
    [...nodeArgs(service), `apps/${service}/dist/main.js`],
    {
      ...baseEnv,
      ...profileEnv(service),
      DATABASE_URL: benchDatabaseUrl,
      METRICS_PORT: '0',
    },
  );
}
procs.gateway = startChild(
  'gateway',
  process.execPath,
  [...nodeArgs('gateway'), 'apps/gateway/dist/main.js'],
  {
    ...baseEnv,
    ...profileEnv('gateway'),
    PORT: String(gatewayPort),
    HOST,
    PUBLIC_URL: gatewayUrl,
    REDIS_URL: redisUrl,
    SESSION_SECRET: randomBytes(32).toString('hex'),
  },
);
procs.baseline = startChild(
  'baseline',
  process.execPath,
  [join(benchDir, 'baseline-server.mjs')],
  { ...baseEnv, DATABASE_URL: benchDatabaseUrl, ACCOUNT_ID: accountId },
  { ipc: true },
);
const baselinePort = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('baseline did not report its port within 10 s')), 10_000);
  procs.baseline.child.once('message', (message) => (clearTimeout(timer), resolve(message.port)));
});
const baselineUrl = `http://${HOST}:${baselinePort}`;

await waitFor(
  'gateway /health/ready',
  async () => (await get(`${gatewayUrl}/health/ready`)).status === 200,
  90_000,
);
console.log('Everything is ready.');

// Log in as the demo admin; the session cookie is all autocannon needs.
const login = await fetch(`${gatewayUrl}/api/v1/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email: 'admin@demo.test', password: 'demo-password' }),
  signal: AbortSignal.timeout(10_000),
});
if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`);
const cookie = login.headers
  .getSetCookie()
  .map((c) => c.split(';')[0])
  .find((c) => c.startsWith('hd.sid='));
if (!cookie) throw new Error('login set no hd.sid cookie');
const sliceHeaders = { cookie };

// The deep page: walk the cursor through the slice (bounded in pages and time), checking the order.
const listPath = '/api/v1/tickets?limit=25';
let deepPath = listPath;
{
  const started = performance.now();
  const seen = new Set();
  let previous = null;
  let pages = 0;
  while (pages < options.deepPages) {
    if (performance.now() - started > 120_000)
      throw new Error(`walking ${options.deepPages} pages took over 120 s`);
    const response = await get(`${gatewayUrl}${deepPath}`, sliceHeaders);
    if (response.status !== 200)
      throw new Error(`GET ${deepPath}: ${response.status} ${await response.text()}`);
    const page = await response.json();
    for (const item of page.items) {
      if (seen.has(item.id)) throw new Error(`ticket ${item.id} appeared on two pages`);
      seen.add(item.id);
      const key = `${item.createdAt} ${item.id}`;
      if (previous !== null && !(key < previous)) throw new Error(`order broken at ${key} after ${previous}`);
      previous = key;
    }
    pages++;
    if (!page.nextCursor) break;
    deepPath = `${listPath}&after=${encodeURIComponent(page.nextCursor)}`;
  }
  console.log(
    `Walked ${pages} pages (${seen.size} tickets) in ${((performance.now() - started) / 1000).toFixed(1)} s; the deep page starts after ticket #${seen.size}.`,
  );
}

// The baseline must answer byte for byte what the slice answers, or the comparison means nothing.
for (const path of [listPath, deepPath]) {
  const [slice, baseline] = await Promise.all([
    get(`${gatewayUrl}${path}`, sliceHeaders).then((r) => r.text()),
    get(`${baselineUrl}${path}`).then((r) => r.text()),
  ]);
  if (slice !== baseline)
    throw new Error(
      `slice and baseline differ for ${path}:\n${slice.slice(0, 300)}\n${baseline.slice(0, 300)}`,
    );
  if (JSON.parse(slice).items.length !== 25) throw new Error(`expected 25 items on ${path}`);
}
console.log('Slice and baseline return identical bodies.');

const cpuPids = Object.fromEntries(
  [...Object.entries(procs), ['nats', nats]].map(([name, { child }]) => [name, child.pid]),
);
const targets = {
  slice: { base: gatewayUrl, headers: sliceHeaders },
  baseline: { base: baselineUrl, headers: {} },
};
const pagesToLoad = { first: listPath, deep: deepPath };
const runs = [];
const totalRuns = options.connections.length * 2 * 2;
console.log(`Running ${totalRuns} loads of ${options.warmup} s warm-up + ${options.duration} s each…`);
for (const connections of options.connections) {
  for (const [page, path] of Object.entries(pagesToLoad)) {
    // Slice and baseline alternate, so slow drift on the machine affects both alike.
    for (const [target, { base, headers }] of Object.entries(targets)) {
      const url = `${base}${path}`;
      if (options.warmup > 0) await load({ url, headers, connections, duration: options.warmup });
      const result = await load({
        url,
        headers,
        connections,
        duration: options.duration,
        cpuPids: target === 'slice' ? cpuPids : { baseline: cpuPids.baseline },
      });
      runs.push({ target, page, connections, ...result });
      const trouble =
        result.non2xx || result.errors || result.timeouts
          ? `  (!) non2xx=${result.non2xx} errors=${result.errors} timeouts=${result.timeouts}`
          : '';
      console.log(
        `  ${target.padEnd(8)} ${page.padEnd(5)} c=${String(connections).padEnd(3)} ${String(result.rps).padStart(7)} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms${trouble}`,
      );
    }
  }
}

// Layers: endpoints of the same gateway that stop earlier, so the differences show what each layer
// costs. /health/live runs the whole middleware stack but with no cookie (no Redis) and no NATS;
// /api/v1/auth/me adds the session (Redis GET, rolling touch, Set-Cookie), passport and the guard.
const layers = [];
if (options.layers) {
  const connections = Math.max(...options.connections);
  console.log(`Layers (c=${connections}):`);
  const steps = [
    { layer: 'gateway only: GET /health/live, no cookie', path: '/health/live', headers: {} },
    { layer: '+ session: GET /api/v1/auth/me', path: '/api/v1/auth/me', headers: sliceHeaders },
  ];
  for (const { layer, path, headers } of steps) {
    if (options.warmup > 0)
      await load({ url: `${gatewayUrl}${path}`, headers, connections, duration: options.warmup });
    const result = await load({
      url: `${gatewayUrl}${path}`,
      headers,
      connections,
      duration: options.duration,
      cpuPids,
    });
    layers.push({ layer, path, connections, ...result });
    console.log(
      `  ${layer.padEnd(45)} ${String(result.rps).padStart(7)} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms  gateway ${result.cpuMicrosPerRequest.gateway} µs/req`,
    );
  }
  const slice = runs.find((r) => r.target === 'slice' && r.page === 'first' && r.connections === connections);
  layers.push({ layer: '+ NATS → tickets → PostgreSQL: GET /api/v1/tickets', path: listPath, ...slice });
}

// An optional profiled run: its figures are not part of the table (the profiler costs time).
let profiles = null;
if (options.profile) {
  const connections = Math.max(...options.connections);
  console.log(
    `Profiling gateway and tickets during a ${options.duration} s slice run (first page, c=${connections})…`,
  );
  for (const name of profiled) procs[name].child.kill('SIGUSR2');
  await sleep(300);
  const profiledRun = await load({
    url: `${gatewayUrl}${listPath}`,
    headers: sliceHeaders,
    connections,
    duration: options.duration,
    cpuPids,
  });
  for (const name of profiled) procs[name].child.kill('SIGUSR2');
  await waitFor(
    'profiles',
    async () => [...profiled].every((name) => procs[name].output.includes('BENCH_PROFILE_WRITTEN')),
    30_000,
  );
  profiles = { dir: profileDir, run: profiledRun, summaries: {} };
  for (const name of profiled) {
    const summary = summarize(JSON.parse(readFileSync(join(profileDir, `${name}.cpuprofile`), 'utf8')), 40);
    profiles.summaries[name] = summary;
    // Scale the profile's shares by what the process costs per request without the profiler.
    const unprofiled = runs.find(
      (r) => r.target === 'slice' && r.page === 'first' && r.connections === connections,
    );
    console.log(
      '\n' +
        formatSummary(
          `${name}: ${join(profileDir, `${name}.cpuprofile`)}`,
          summary,
          15,
          unprofiled?.cpuMicrosPerRequest[name],
        ),
    );
  }
}

await stopAll();

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------
const table = [];
for (const connections of options.connections) {
  for (const page of Object.keys(pagesToLoad)) {
    const slice = runs.find((r) => r.target === 'slice' && r.page === page && r.connections === connections);
    const baseline = runs.find(
      (r) => r.target === 'baseline' && r.page === page && r.connections === connections,
    );
    table.push({
      page,
      connections,
      sliceRps: slice.rps,
      sliceP50: slice.p50,
      sliceP99: slice.p99,
      baselineRps: baseline.rps,
      baselineP50: baseline.p50,
      baselineP99: baseline.p99,
      ratio: round(slice.rps / baseline.rps, 3),
    });
  }
}
const header = [
  'page',
  'conn',
  'slice req/s',
  'p50 ms',
  'p99 ms',
  'baseline req/s',
  'p50 ms',
  'p99 ms',
  'ratio',
];
const rows = table.map((r) =>
  [
    r.page,
    r.connections,
    r.sliceRps,
    r.sliceP50,
    r.sliceP99,
    r.baselineRps,
    r.baselineP50,
    r.baselineP99,
    r.ratio,
  ].map(String),
);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (cells) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
console.log(
  `\nGET ${listPath} — slice (gateway → NATS → tickets → PostgreSQL) vs baseline (node:http + pg), ${options.duration} s per cell`,
);
console.log(line(header));
for (const row of rows) console.log(line(row));
console.log('ratio = slice req/s ÷ baseline req/s');
console.log(
  `\nCPU per run, % of one core (the machine has ${os.cpus().length}; "other" is work that is not this benchmark's), and µs of CPU per request:`,
);
for (const run of runs) {
  const cpu = Object.entries(run.cpuPercentOfCore)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const perRequest = Object.entries(run.cpuMicrosPerRequest)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  console.log(
    `  ${run.target.padEnd(8)} ${run.page.padEnd(5)} c=${String(run.connections).padEnd(3)} ${cpu}\n${' '.repeat(26)}µs/req: ${perRequest}`,
  );
}

if (layers.length) {
  console.log(`\nLayers of the slice (c=${layers[0].connections}): CPU µs per request by process`);
  for (const l of layers) {
    const perRequest = Object.entries(l.cpuMicrosPerRequest)
      .filter(([k]) => k !== 'autocannon')
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    console.log(
      `  ${l.layer.padEnd(52)} ${String(l.rps).padStart(6)} req/s  p50 ${String(l.p50).padStart(6)} ms   ${perRequest}`,
    );
  }
}

// What code was measured: the compiled dist/ (which `npm run build` may have rebuilt from uncommitted
// sources), identified by a hash of its .js files and the newest build time.
function distFingerprint() {
  const hash = createHash('sha256');
  let newest = 0;
  for (const dir of [...services, 'gateway']
    .map((s) => `apps/${s}/dist`)
    .concat(['libs/kit/dist', 'libs/contracts/dist'])) {
    const files = readdirSync(join(root, dir), { recursive: true })
      .filter((f) => f.endsWith('.js'))
      .sort();
    for (const file of files) {
      const path = join(root, dir, file);
      hash.update(`${dir}/${file}\0`).update(readFileSync(path));
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return { sha256: hash.digest('hex').slice(0, 16), builtAt: new Date(newest).toISOString() };
}

let gitCommit = null;
let gitDirty = null;
try {
  gitCommit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  gitDirty =
    execFileSync('git', ['status', '--porcelain', '--', 'apps', 'libs'], {
      cwd: root,
      encoding: 'utf8',
    }).trim() !== '';
} catch {
  // not a git checkout
}
const report = {
  date: new Date().toISOString(),
  loadAverageAtStart: round(load1, 2),
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    postgres: pgVersion,
    platform: `${os.platform()} ${os.release()}`,
  },
  code: {
    gitCommit,
    appsOrLibsModified: gitDirty,
    dist: distAtStart,
    distChangedDuringRun: distFingerprint().sha256 !== distAtStart.sha256,
  },
  dataset: {
    ...generation.params.dataset,
    generatedAt: generation.generated_at,
    generationSeconds: Number(generation.seconds),
  },
  options,
  deepPage: { afterTickets: options.deepPages * 25, path: deepPath },
  table,
  runs,
  layers,
  profiles,
};
const resultsDir = join(benchDir, 'results');
mkdirSync(resultsDir, { recursive: true });
const resultFile = join(resultsDir, `${report.date.replace(/[:.]/g, '-')}.json`);
writeFileSync(resultFile, JSON.stringify(report, null, 2) + '\n');
console.log(`\nWrote ${resultFile}`);
process.exit(0);
