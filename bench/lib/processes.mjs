// Child processes that are always stopped, the system of services and gateways they make up, and the
// CPU and memory they and the shared PostgreSQL use (Linux /proc). Used by the benchmarks but run.mjs,
// which keeps its own copies of the same ideas.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { root, services } from './common.mjs';

export const HOST = '127.0.0.1';

/**
 * Children started by one script. `onUnexpectedExit` is called when one ends before `stopAll`.
 * Output goes to `<logDir>/<name>.log`; the last few KB are kept in memory to show on failure.
 */
export class ProcessGroup {
  constructor(logDir, onUnexpectedExit) {
    this.logDir = logDir;
    this.onUnexpectedExit = onUnexpectedExit;
    this.children = [];
    this.stopping = false;
  }

  start(name, command, args, env) {
    const logFile = join(this.logDir, `${name}.log`);
    const log = createWriteStream(logFile);
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const entry = { name, child, logFile, output: '' };
    const keep = (chunk) => (entry.output = (entry.output + chunk).slice(-8_000));
    for (const stream of [child.stdout, child.stderr]) {
      stream.pipe(log);
      stream.on('data', keep);
    }
    child.once('error', (error) => {
      if (!this.stopping) this.onUnexpectedExit(new Error(`${name} could not start: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      if (!this.stopping)
        this.onUnexpectedExit(
          new Error(
            `${name} exited unexpectedly (${signal ?? `code ${code}`}). Last output:\n${entry.output}`,
          ),
        );
    });
    this.children.push(entry);
    return entry;
  }

  /** SIGTERM to each group in turn (later groups after earlier ones are gone), SIGKILL after 8 s. */
  async stopAll(order = [() => true]) {
    this.stopping = true;
    for (const select of order) {
      const group = this.children.filter((entry) => select(entry.name));
      for (const { child } of group) if (alive(child)) child.kill('SIGTERM');
      const deadline = Date.now() + 8_000;
      while (group.some(({ child }) => alive(child)) && Date.now() < deadline) await sleep(100);
      for (const { child } of group) if (alive(child)) child.kill('SIGKILL');
    }
  }

  /** Last resort on process exit: synchronous SIGKILL of whatever still runs. */
  killAllNow() {
    for (const { child } of this.children) if (alive(child)) child.kill('SIGKILL');
  }
}

/**
 * A private nats-server (JetStream, store under `dir`) on a free port of 127.0.0.1, started in `procs`,
 * with its monitoring endpoint on another (`monitorPort`: which connections it has, see `startSystem`).
 */
export async function startNats(procs, dir, natsBin = process.env.NATS_SERVER ?? '/usr/sbin/nats-server') {
  const port = await freePort();
  const monitorPort = await freePort();
  mkdirSync(dir, { recursive: true });
  const entry = procs.start(
    'nats-server',
    natsBin,
    ['-a', HOST, '-p', String(port), '-m', String(monitorPort), '-js', '-sd', dir],
    { PATH: process.env.PATH },
  );
  await waitFor('nats-server', () => tcpAnswers(port), 10_000);
  return { entry, port, monitorPort, url: `nats://${HOST}:${port}` };
}

/** The instance name of an app's n-th process: `tickets`, `tickets-2`, … */
export const instanceName = (app, n) => (n === 1 ? app : `${app}-${n}`);

/**
 * The four services and the gateway, `replicas` processes of each (`tickets`, `tickets-2`, …), as in
 * a deployment with replicas: the services of one name share its NATS queue group, and the gateways
 * share the sessions and caches' events through Redis and NATS. There is no load balancer: each
 * gateway listens on a free port of its own (`gatewayPorts`), and the client spreads its requests
 * over them (`RoundRobin`). Resolves once every gateway is ready and every service process has
 * subscribed (nats-server's connection list), so no replica joins in the middle of a measurement.
 *
 * @param {object} system
 * @param {number} system.replicas
 * @param {{ monitorPort: number }} system.nats what `startNats` answered
 * @param {(app: string, name: string, env: object) => object} system.startApp starts one process of
 *   `app` named `name` with `env` added (a `ProcessGroup.start` entry)
 * @param {object} system.serviceEnv added for the services
 * @param {object} system.gatewayEnv added for the gateways (one SESSION_SECRET for all of them)
 * @param {string} system.publicHost the host name of the gateways' PUBLIC_URL
 */
export async function startSystem({ replicas, nats, startApp, serviceEnv, gatewayEnv, publicHost }) {
  const apps = {};
  const gatewayPorts = [];
  for (let n = 1; n <= replicas; n++)
    for (const service of services)
      apps[instanceName(service, n)] = startApp(service, instanceName(service, n), serviceEnv);
  for (let n = 1; n <= replicas; n++) {
    const port = await freePort();
    gatewayPorts.push(port);
    apps[instanceName('gateway', n)] = startApp('gateway', instanceName('gateway', n), {
      ...gatewayEnv,
      PORT: String(port),
      HOST,
      PUBLIC_URL: `http://${publicHost}:${port}`,
    });
  }
  let subscribed = {};
  await waitFor(
    `${replicas} process(es) of each service subscribed at nats-server`,
    async () => {
      const { connections } = await (
        await fetch(`http://${HOST}:${nats.monitorPort}/connz`, { signal: AbortSignal.timeout(2_000) })
      ).json();
      subscribed = Object.fromEntries(
        services.map((service) => [
          service,
          connections.filter((c) => c.name === service && c.subscriptions > 0).length,
        ]),
      );
      return services.every((service) => subscribed[service] >= replicas);
    },
    // Ten processes starting at once on two cores shared with other people's tests can take minutes.
    300_000,
    500,
  ).catch((error) => {
    throw new Error(`${error.message}; subscribed: ${JSON.stringify(subscribed)}`);
  });
  for (const port of gatewayPorts)
    await waitFor(
      `the gateway on :${port} /health/ready`,
      async () =>
        (await fetch(`http://${HOST}:${port}/health/ready`, { signal: AbortSignal.timeout(3_000) }))
          .status === 200,
      90_000,
    );
  return { apps, gatewayPorts };
}

/** Hands out the given ports in turn: a client spreading its requests over several gateways. */
export class RoundRobin {
  constructor(ports) {
    this.ports = ports;
    this.next = 0;
  }

  port() {
    const port = this.ports[this.next];
    this.next = (this.next + 1) % this.ports.length;
    return port;
  }
}

/** VmRSS and VmHWM (its peak) of a process in MB, from /proc/<pid>/status; null when it is gone. */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

export const alive = (child) => child.exitCode === null && child.signalCode === null;

export const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

export async function waitFor(what, check, timeoutMs, intervalMs = 200) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(intervalMs);
  }
  throw new Error(`${what} not ready within ${timeoutMs / 1000} s`);
}

export const tcpAnswers = (port) =>
  new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    socket.once('connect', () => (socket.end(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/** CPU seconds (user + system) a process has used so far; null when it is gone or not on Linux. */
export function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, USER_HZ = 100
  } catch {
    return null;
  }
}

/** Busy, total and irq CPU seconds of the whole machine so far. */
export function machineCpu() {
  try {
    const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const ticks = values.map(Number);
    const idle = ticks[3] + ticks[4];
    const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: (total - idle) / 100, total: total / 100, irq: (ticks[5] + ticks[6]) / 100 };
  } catch {
    return null;
  }
}

/** CPU seconds so far of each process whose name (`comm`) is `name` and that `accept`s, by pid. */
function cpuOfProcessesNamed(name, accept = () => true) {
  const found = new Map();
  let entries;
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return null;
  }
  for (const pid of entries) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== name || !accept(pid)) continue;
      found.set(pid, cpuSeconds(pid) ?? 0);
    } catch {
      // ended meanwhile
    }
  }
  return found;
}

/**
 * CPU seconds so far of each PostgreSQL backend serving `database` (recognised by its process
 * title), by pid: other people's tests use the same server.
 */
export const postgresBackendsCpu = (database) =>
  cpuOfProcessesNamed('postgres', (pid) =>
    readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${database} `),
  );

/** CPU seconds so far of the machine's Redis server(s), summed (shared with anyone else using them). */
export function redisServersCpu() {
  const found = cpuOfProcessesNamed('redis-server');
  return found === null ? null : [...found.values()].reduce((sum, seconds) => sum + seconds, 0);
}

/** CPU the backends used between two samples (backends that ended meanwhile are missed). */
export function postgresDelta(before, after) {
  let sum = 0;
  for (const [pid, seconds] of after) sum += seconds - (before.get(pid) ?? 0);
  return sum;
}

export const percentile = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : null;

export const round = (value, digits = 2) =>
  value === null || value === undefined ? null : Math.round(value * 10 ** digits) / 10 ** digits;
