// node bench/upload.mjs   (after npm run build)
//
// Streamed attachment uploads through the gateway: an agent's reply with one file
// (POST /api/v1/threads/{id}/replies, multipart) N times per file size, sequentially or with a few in
// flight. Prints MB/s, per-upload p50/p99 and the gateway's memory before, during (peak) and after
// each size: RSS from /proc/<pid>/status, V8 heap and external memory from the gateway's /metrics.
// The point: memory must not grow with the file size (1 MB and 20 MB uploads should look alike).
//
// By default it starts its own system like the e2e tests do: a private nats-server, the four
// services and the gateway from apps/*/dist, database helpdesk_bench_upload (created, migrated and
// seeded with the demo data when missing; UPLOAD_BENCH_DATABASE_URL to change), files and mails in
// a temp dir that is removed at the end. With --url and --pid it measures a running system instead
// (e.g. `npm start`: --url=http://127.0.0.1:3000 --pid=$(pgrep -f apps/gateway/dist/main.js)); the
// replies and their files then stay in that system.
//
// Options: --count=10 (uploads per size) --sizes=1,20,100 (MiB; its own system raises MAX_ATTACHMENT_BYTES
//          to the largest, a running one refuses sizes over its limit) --concurrency=1 --label=TEXT
//          --url=http://… --pid=N (use a running system)
// Results go to bench/results/upload-<timestamp>.json.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  assertBenchDatabase,
  ensureDatabase,
  requireBuild,
  runNode,
  services,
  writeResults,
} from './lib/common.mjs';
import { benchRun, removeRedisKeys } from './lib/lifecycle.mjs';
import { freePort, HOST, memoryOf, percentile, round, startNats, waitFor } from './lib/processes.mjs';

const MiB = 1024 * 1024;
const arg = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const options = {
  count: Number(arg('count', 10)),
  // A running system keeps its MAX_ATTACHMENT_BYTES (20 MiB by default).
  sizes: arg('sizes', arg('url', null) ? '1,20' : '1,20,100')
    .split(',')
    .map(Number),
  concurrency: Number(arg('concurrency', 1)),
  label: arg('label', ''),
  url: arg('url', null),
  pid: arg('pid', null) === null ? null : Number(arg('pid', null)),
};
if ((options.url === null) !== (options.pid === null)) {
  console.error('Give --url and --pid together (a running system), or neither (the bench starts its own).');
  process.exit(2);
}
const databaseUrl =
  process.env.UPLOAD_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/helpdesk_bench_upload';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const natsBin = process.env.NATS_SERVER ?? '/usr/sbin/nats-server';

// ---------------------------------------------------------------------------------------------
// Processes and cleanup (only when the bench starts its own system)
// ---------------------------------------------------------------------------------------------
const tmp = mkdtempSync(join(os.tmpdir(), 'helpdesk-bench-upload-'));
const redisPrefix = `bench-upload-${process.pid}`;
let cookie = null;
/** Where logins and lookups go: the running system's gateway, or the first one started here. */
let baseUrl = options.url;

const lifecycle = benchRun({
  tmp,
  closeClients: async () => {
    if (cookie)
      await fetch(`${baseUrl}/api/v1/auth/logout`, { method: 'POST', headers: { cookie } }).catch(() => {});
  },
  removeKeys: async () => {
    if (options.url === null) await removeRedisKeys(redisUrl, redisPrefix);
  },
  stopOrder: [
    (name) => name.startsWith('gateway'),
    (name) => name !== 'nats-server',
    (name) => name === 'nats-server',
  ],
});
const { procs, stopAll } = lifecycle;

async function startSystem() {
  requireBuild();
  assertBenchDatabase(databaseUrl);
  if (await ensureDatabase(databaseUrl)) console.log(`Created ${new URL(databaseUrl).pathname.slice(1)}.`);
  const { url: natsUrl } = await startNats(procs, join(tmp, 'nats'), natsBin);
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    NATS_URL: natsUrl,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix,
    LOG_LEVEL: 'warn',
    FILE_STORAGE_DIR: join(tmp, 'files'),
    MAIL_DIR: join(tmp, 'mail'),
    // Room for sizes over the default 20 MiB, to show that memory does not follow the file size.
    MAX_ATTACHMENT_BYTES: String(Math.ceil(Math.max(20, ...options.sizes)) * MiB),
  };
  console.log(`Migrating and seeding (logs in ${tmp})…`);
  await runNode('scripts/migrate.mjs', [], env, { timeoutMs: 300_000 });
  await runNode('scripts/seed.mjs', [], env, { timeoutMs: 300_000 });
  for (const name of services)
    procs.start(name, process.execPath, [`apps/${name}/dist/main.js`], { ...env, METRICS_PORT: '0' });
  // One fresh gateway per size, so no size inherits another's heap or allocator state. They share
  // the session secret and Redis, so one login serves all of them.
  const gateways = [];
  for (const sizeMiB of options.sizes) {
    const port = await freePort();
    const gateway = procs.start(`gateway-${sizeMiB}`, process.execPath, ['apps/gateway/dist/main.js'], {
      ...env,
      PORT: String(port),
      HOST,
      PUBLIC_URL: `http://${HOST}:${port}`,
      SESSION_SECRET: 'b'.repeat(64),
    });
    gateways.push({ url: `http://${HOST}:${port}`, pid: gateway.child.pid });
  }
  for (const { url } of gateways)
    await waitFor('the system', async () => (await fetch(`${url}/health/ready`)).ok, 60_000, 250);
  return gateways;
}

// ---------------------------------------------------------------------------------------------
// Measuring the gateway
// ---------------------------------------------------------------------------------------------
/** V8 heap used and external memory (array buffers, Buffers) from the gateway's Prometheus metrics. */
async function heapOf(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
  return { heap: value('nodejs_heap_size_used_bytes'), external: value('nodejs_external_memory_bytes') };
}

async function snapshot({ pid, url }) {
  return { rss: memoryOf(pid).rss * 2 ** 20, ...(await heapOf(url)) };
}

/** Samples memory every 100 ms until stopped; returns the peaks. */
function sampler(gateway) {
  const peak = { rss: 0, heap: 0, external: 0 };
  let running = true;
  const done = (async () => {
    while (running) {
      const now = await snapshot(gateway).catch(() => null);
      if (now) for (const key of Object.keys(peak)) peak[key] = Math.max(peak[key], now[key]);
      await sleep(100);
    }
  })();
  return async () => {
    running = false;
    await done;
    return peak;
  };
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------
const gateways = options.url
  ? options.sizes.map(() => ({ url: options.url, pid: options.pid }))
  : await startSystem();
baseUrl = gateways[0].url;
const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email: 'agent@demo.test', password: 'demo-password' }),
});
if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`);
cookie = login.headers
  .getSetCookie()
  .find((c) => c.startsWith('hd.sid='))
  ?.split(';')[0];
const api = async (path) => {
  const response = await fetch(`${baseUrl}${path}`, { headers: { cookie } });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return response.json();
};
const inboxes = await api('/api/v1/inboxes');
const support = inboxes.find((inbox) => inbox.name === 'Support inbox') ?? inboxes[0];
const [thread] = (await api(`/api/v1/inboxes/${support.id}/threads?limit=1`)).items;
if (!thread) throw new Error('No thread to reply to (is the demo seeded?)');

/** A PDF-looking file of exactly `bytes` bytes (built once per size, reused: the client is not measured). */
const fileOf = (bytes) => {
  const content = Buffer.alloc(bytes, 0x20);
  content.write('%PDF-1.4\n');
  return new Blob([content], { type: 'application/pdf' });
};

async function upload(gateway, file, index) {
  const form = new FormData();
  form.append('bodyHtml', `<p>bench upload ${index}</p>`);
  form.append('attachments', file, `bench-${index}.pdf`);
  const started = performance.now();
  const response = await fetch(`${gateway.url}/api/v1/threads/${thread.id}/replies`, {
    method: 'POST',
    headers: { cookie },
    body: form,
  });
  const body = await response.text();
  if (response.status !== 201) throw new Error(`upload ${index}: ${response.status} ${body}`);
  return performance.now() - started;
}

const mb = (bytes) => round(bytes / MiB, 1);
console.log(
  `${options.count} uploads per size, ${options.concurrency} in flight, thread ${thread.id}; ` +
    (options.url ? `gateway pid ${options.pid}` : 'a fresh gateway per size'),
);
const results = [];
for (const [index, sizeMiB] of options.sizes.entries()) {
  const gateway = gateways[index];
  // Warm-up: the first requests compile code paths and open connections.
  const small = fileOf(64 * 1024);
  for (let i = 0; i < 5; i++) await upload(gateway, small, `warmup-${i}`);
  await sleep(1_000);
  const bytes = Math.round(sizeMiB * MiB);
  const file = fileOf(bytes);
  const before = await snapshot(gateway);
  const stop = sampler(gateway);
  const durations = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(options.concurrency, options.count) }, async () => {
      while (next < options.count) durations.push(await upload(gateway, file, `${sizeMiB}-${next++}`));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const peak = await stop();
  await sleep(2_000);
  const after = await snapshot(gateway);
  durations.sort((a, b) => a - b);
  const row = {
    sizeMiB,
    gatewayPid: gateway.pid,
    uploads: options.count,
    concurrency: options.concurrency,
    mbPerSecond: round((bytes * options.count) / MiB / seconds, 1),
    p50Ms: round(percentile(durations, 50), 1),
    p99Ms: round(percentile(durations, 99), 1),
    before,
    peak,
    after,
  };
  results.push(row);
  console.log(
    `${String(sizeMiB).padStart(4)} MiB: ${String(row.mbPerSecond).padStart(6)} MB/s, p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms | ` +
      `RSS ${mb(before.rss)} → peak ${mb(peak.rss)} → ${mb(after.rss)} MB | ` +
      `heap ${mb(before.heap)} → peak ${mb(peak.heap)} → ${mb(after.heap)} MB | ` +
      `external ${mb(before.external)} → peak ${mb(peak.external)} → ${mb(after.external)} MB`,
  );
}

if (results.length > 1)
  console.log(
    `Peak RSS over the idle gateway: ${results
      .map((row) => `${mb(row.peak.rss - row.before.rss)} MB at ${row.sizeMiB} MiB`)
      .join(', ')}.`,
  );

writeResults('upload', {
  at: new Date().toISOString(),
  label: options.label,
  options,
  machine: { cpus: os.cpus().length, node: process.version },
  results,
});
await stopAll();
process.exit(0);
