// What generate.mjs and run.mjs share: where the repo is, which database they may touch, how to run
// the apps' own CLIs (migrate, seed) against it.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const benchDir = fileURLToPath(new URL('..', import.meta.url));
export const services = ['identity', 'tickets', 'forms', 'inbox'];

export const benchDatabaseUrl =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/helpdesk_bench';

/** The shape of the generated data set; stored with the data so a changed shape regenerates it. */
export const DATASET = {
  /**
   * 2: companies and contacts are also copied into identity.company / identity.contact.
   * 3: generated after the tickets migrations of pipelines and search: pipeline and stage (some
   *    closed), owner and requester names on the ticket, source; the search tsvector is generated.
   */
  version: 3,
  tickets: 1_000_000,
  companies: 10_000,
  contacts: 100_000,
  /** Company #0 gets every 5th ticket (exactly 200,000) and its own 10,000 contacts. */
  bigCompanyTickets: 200_000,
  bigCompanyContacts: 10_000,
  years: 3,
};

/**
 * Refuses any database but a local benchmark one: never the demo database (`helpdesk`), never a test
 * database (`*test*`), never a system one. Everything here truncates and bulk-loads.
 */
export function assertBenchDatabase(url = benchDatabaseUrl) {
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.slice(1));
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const problems = [];
  if (!['postgres:', 'postgresql:'].includes(parsed.protocol)) problems.push('not a postgres:// URL');
  if (!['127.0.0.1', 'localhost', '::1'].includes(host))
    problems.push(`host ${host} is not loopback (benchmarks stay on 127.0.0.1)`);
  if (!name || ['helpdesk', 'postgres', 'template0', 'template1'].includes(name))
    problems.push(`database "${name}" is reserved`);
  if (/test/i.test(name)) problems.push(`database "${name}" looks like a test database`);
  if (problems.length) {
    console.error(`Refusing BENCH_DATABASE_URL=${url}: ${problems.join('; ')}`);
    process.exit(2);
  }
  return name;
}

/** Creates the benchmark database when it does not exist yet. */
export async function ensureDatabase(url = benchDatabaseUrl) {
  const name = assertBenchDatabase(url);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`create database "${name.replaceAll('"', '""')}"`);
      return true;
    }
    return false;
  } finally {
    await client.end();
  }
}

export function requireBuild() {
  const missing = [...services, 'gateway'].filter((s) => !existsSync(`${root}/apps/${s}/dist/main.js`));
  if (missing.length) {
    console.error(`Not built: ${missing.join(', ')}. Run \`npm run build\` at the repo root first.`);
    process.exit(1);
  }
}

/**
 * Creates `target` as a copy of the database `source` (CREATE DATABASE … TEMPLATE: a file copy, so
 * seconds even for the data set), on the server of `url`. The template may have no other sessions
 * while it is copied: it is tried again for up to two minutes while others are connected.
 */
export async function copyDatabase(url, source, target) {
  const client = await serverClient(url, target);
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        await client.query(`create database "${target}" template "${source}" strategy file_copy`);
        return;
      } catch (error) {
        if (!/being accessed by other users/.test(error.message) || Date.now() > deadline) throw error;
        await sleep(2_000);
      }
    }
  } finally {
    await client.end();
  }
}

/** Drops the benchmark database `name` (one `copyDatabase` made) on the server of `url`, if it exists. */
export async function dropDatabase(url, name) {
  const client = await serverClient(url, name);
  try {
    await client.query(`drop database if exists "${name}"`);
  } finally {
    await client.end();
  }
}

/** A client of the server's `postgres` database, to create or drop `name` (a benchmark database only). */
async function serverClient(url, name) {
  const target = new URL(url);
  target.pathname = `/${name}`;
  assertBenchDatabase(target.toString());
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), application_name: 'bench-admin' });
  await client.connect();
  return client;
}

/** Now as a file name's timestamp: `2026-11-27T18-55-59-516Z`. */
export const fileStamp = () => new Date().toISOString().replace(/[:.]/g, '-');

/**
 * Writes a run's results as JSON to `bench/results/<kind>-<stamp>.json`, or to the file named by
 * BENCH_RESULT_FILE (how `suite.mjs` finds each script's results), and says where.
 */
export function writeResults(kind, report, stamp = fileStamp()) {
  const file = process.env.BENCH_RESULT_FILE ?? join(benchDir, 'results', `${kind}-${stamp}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  console.log(`\nWrote ${file}`);
  return file;
}

/** Runs `node <script> ...args` from the repo root with extra env; resolves with stdout, rejects with stderr. */
export function runNode(script, args, extraEnv, { timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: root,
      env: { ...process.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(
          new Error(`node ${script} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${err || out}`),
        );
    });
  });
}

/** The generation marker, or null when the data set was never generated. */
export async function readGeneration(client) {
  const exists = await client.query(`select to_regclass('bench.generation') as t`);
  if (!exists.rows[0].t) return null;
  const { rows } = await client.query(
    'select params, account_id, generated_at, seconds from bench.generation where id = 1',
  );
  return rows[0] ?? null;
}

/**
 * What code a run measured: a hash of the built JavaScript under `dirs` (relative to the repo) and
 * when the newest file was built. Throws while someone's build has emptied one of them.
 */
export function distFingerprint(dirs) {
  const hash = createHash('sha256');
  let newest = 0;
  for (const dir of dirs) {
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

/** The checked-out commit and whether `paths` have uncommitted changes; nulls outside a git checkout. */
export function gitState(paths) {
  try {
    const git = (args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
    return {
      gitCommit: git(['rev-parse', 'HEAD']),
      modified: git(['status', '--porcelain', '--', ...paths]) !== '',
    };
  } catch {
    return { gitCommit: null, modified: null };
  }
}
