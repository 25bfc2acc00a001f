// npm start: checks PostgreSQL/Redis/NATS, builds, migrates, seeds the demo data, starts all five
// processes, waits until the gateway is ready and prints where to go. Ctrl-C stops everything.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { env, migrateAll, requireInfrastructure, root, run, seedDemo, services } from './system.mjs';

const port = Number(process.env.PORT ?? 3000);
const publicUrl = process.env.PUBLIC_URL ?? `http://localhost:${port}`;

await requireInfrastructure();
console.log('Building…');
await run('npx', ['turbo', 'run', 'build', '--output-logs=errors-only']);
console.log('Migrating…');
await migrateAll();
const demo = await seedDemo();
console.log(demo.created ? 'Seeded the demo data.' : 'Demo data already present.');

// A session secret that survives restarts (so logins do too) without ever being committed.
const varDir = join(root, 'var');
mkdirSync(join(varDir, 'log'), { recursive: true });
const secretFile = join(varDir, 'session-secret');
if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(32).toString('hex'), { mode: 0o600 });
const sessionSecret = process.env.SESSION_SECRET ?? readFileSync(secretFile, 'utf8').trim();

const children = [];
let stopping = false;
for (const name of [...services, 'gateway']) {
  const log = createWriteStream(join(varDir, 'log', `${name}.log`), { flags: 'a' });
  const child = spawn('node', [`apps/${name}/dist/main.js`], {
    cwd: root,
    env: {
      ...process.env,
      ...env,
      SESSION_SECRET: sessionSecret,
      PUBLIC_URL: publicUrl,
      PORT: String(port),
      // Links in emails (invitations, resets) lead to the portal as it is served here.
      PORTAL_LINK_SCHEME: new URL(publicUrl).protocol.replace(':', ''),
      ...(new URL(publicUrl).port ? { PORTAL_LINK_PORT: new URL(publicUrl).port } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Full JSON logs go to var/log/<service>.log; the console shows warnings and errors only.
  const relay = (chunk) => {
    log.write(chunk);
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      try {
        const entry = JSON.parse(line);
        if (entry.level >= 40)
          console.log(`[${name}] ${entry.msg}${entry.err ? `: ${entry.err.message}` : ''}`);
      } catch {
        console.log(`[${name}] ${line}`);
      }
    }
  };
  child.stdout.on('data', relay);
  child.stderr.on('data', relay);
  child.once('exit', (code, signal) => {
    if (!stopping) {
      console.error(
        `${name} stopped (${signal ?? `exit code ${code}`}); see var/log/${name}.log. Stopping the rest.`,
      );
      stop(1);
    }
  });
  children.push(child);
}

function stop(exitCode = 0) {
  if (stopping) return;
  stopping = true;
  console.log('Stopping…');
  const exits = children
    .filter((c) => c.exitCode === null && c.signalCode === null)
    .map((c) => new Promise((r) => c.once('exit', r)));
  for (const child of children) child.kill('SIGTERM');
  const force = setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), 15_000);
  Promise.all(exits).then(() => {
    clearTimeout(force);
    process.exit(exitCode);
  });
}
process.on('SIGINT', () => stop());
process.on('SIGTERM', () => stop());

const deadline = Date.now() + 60_000;
for (;;) {
  const ready = await fetch(`http://127.0.0.1:${port}/health/ready`)
    .then((r) => r.ok)
    .catch(() => false);
  if (ready) break;
  if (stopping) await new Promise(() => {});
  if (Date.now() > deadline) {
    console.error('The system did not become ready within 60 s; see var/log/*.log');
    stop(1);
    await new Promise(() => {});
  }
  await new Promise((r) => setTimeout(r, 300));
}

console.log(`
Help desk is running.
  Customer portal  ${publicUrl}/support
  Admin area       ${publicUrl}/admin          (admin@demo.test / demo-password)
  JSON API         ${publicUrl}/api/v1         (docs: ${publicUrl}/api/docs)
  Health           ${publicUrl}/health/ready   Metrics: ${publicUrl}/metrics
Logs: var/log/<service>.log. Press Ctrl-C to stop.`);
