// What the root scripts (start, migrate, seed) share: where things are and how to reach them.
import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const services = ['identity', 'tickets', 'forms', 'inbox'];

export const env = {
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/helpdesk',
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
};

const howToStart = {
  PostgreSQL:
    'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start   (or: docker compose up -d postgres)',
  Redis:
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log   (or: docker compose up -d redis)',
  NATS: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log   (or: docker compose up -d nats)',
};

const answers = (url, defaultPort) =>
  new Promise((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = createConnection({ host: hostname, port: Number(port || defaultPort) });
    socket.setTimeout(2_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** Exits with the exact command for each of PostgreSQL, Redis and NATS that does not answer. */
export async function requireInfrastructure() {
  const checks = [
    ['PostgreSQL', env.DATABASE_URL, 5432],
    ['Redis', env.REDIS_URL, 6379],
    ['NATS', env.NATS_URL, 4222],
  ];
  const down = [];
  for (const [name, url, port] of checks) if (!(await answers(url, port))) down.push([name, url]);
  if (down.length === 0) return;
  for (const [name, url] of down)
    console.error(`${name} does not answer at ${url}. Start it with:\n  ${howToStart[name]}\n`);
  process.exit(1);
}

/** Creates the database named in DATABASE_URL when it does not exist yet. */
export async function ensureDatabase(url = env.DATABASE_URL) {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database "${name.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

/** Runs a command to completion, failing loudly; returns its stdout when asked to capture it. */
export function run(command, args, { capture = false, extraEnv = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, ...env, ...extraEnv },
      stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'],
    });
    let out = '';
    child.stdout?.on('data', (chunk) => (out += chunk));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`)),
    );
  });
}

export async function migrateAll() {
  await ensureDatabase();
  for (const service of services) await run('node', [`apps/${service}/dist/migrate.js`]);
}

/** Seeds the demo data; each step is a no-op when its data exists already. */
export async function seedDemo() {
  const identity = await run('node', ['apps/identity/dist/seed.js'], { capture: true });
  const demo = identity.trim().split('\n').at(-1);
  const tickets = await run('node', ['apps/tickets/dist/seed.js', demo], { capture: true });
  // Inbox opens a thread per demo ticket, so it needs the tickets seed's output (its last line) too.
  const inbox = await run(
    'node',
    ['apps/inbox/dist/seed.js', demo, tickets.trim().split('\n').at(-1) || '{}'],
    { capture: true },
  );
  // The support form sends its tickets to the Support inbox, and the portal connects it (SPEC demo data).
  const { inboxIds } = JSON.parse(inbox.trim().split('\n').at(-1));
  const forms = await run('node', ['apps/forms/dist/seed.js', demo, inboxIds['Support inbox']], {
    capture: true,
  });
  const { supportFormId } = JSON.parse(forms.trim().split('\n').at(-1));
  await run('node', ['apps/identity/dist/seed.js', '--support-form', supportFormId], { capture: true });
  return JSON.parse(demo);
}
