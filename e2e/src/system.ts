import {
  deleteRedisKeys,
  freePort,
  freshTestDatabase,
  repositoryRoot,
  runScript,
  startTestNats,
  type TestNats,
} from '@helpdesk/testing';
import type { RpcClient } from '@helpdesk/kit';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestRedis, type TestRedis } from './redis-server.js';

export type ProcessName = 'identity' | 'tickets' | 'forms' | 'inbox' | 'gateway';
const names: ProcessName[] = ['identity', 'tickets', 'forms', 'inbox', 'gateway'];
type ServiceName = Exclude<ProcessName, 'gateway'>;
const START_TIMEOUT_MS = 60_000;

export interface System {
  /** The gateway's base URL. */
  url: string;
  /** The private NATS server the services use, for tests that talk to a service directly. */
  natsUrl: string;
  /** The system's NATS server, to stop and start again (reconnect tests). */
  nats: Pick<TestNats, 'stop' | 'start'>;
  /** The system's private Redis, when started with `privateRedis` (restart tests); else the shared one is used. */
  redis?: Pick<TestRedis, 'stop' | 'start' | 'url'>;
  /** The test database every service uses. */
  databaseUrl: string;
  /**
   * The Redis key of the gateway session a cookie names (`hd.sid=s:<id>.<signature>`, or only its
   * value), under this system's own REDIS_PREFIX.
   */
  sessionKey(cookie: string): string;
  /** Metrics ports of each domain service's first replica. */
  metricsPorts: Record<ServiceName, number>;
  /** FILE_STORAGE_DIR of every process: a fresh temporary directory per run, removed by close(). */
  filesDir: string;
  /** Every JSON line each process has logged so far (with replicas, all together, each with its `replica`). */
  logs: Record<ProcessName, Record<string, unknown>[]>;
  /**
   * Stops a process and resolves with its exit code (null when a signal ended it). Without `replica`
   * every replica of the service stops, and the code is the first one that is not 0.
   */
  stop(name: ProcessName, signal?: NodeJS.Signals, replica?: number): Promise<number | null>;
  /** Starts a process and waits until it says it is ready; without `replica`, every replica that is not running. */
  start(name: ProcessName, replica?: number): Promise<void>;
  /** Sends a signal and returns at once: SIGSTOP freezes a process (it neither answers nor disconnects), SIGCONT thaws it. */
  signal(name: ProcessName, signal: NodeJS.Signals, replica?: number): void;
  waitUntilReady(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The whole system as real processes from the build output, like `npm start`, but on a private NATS
 * server, a fresh test database and free ports, so it never meets a running demo.
 */
export async function startSystem(options: {
  database: string;
  env?: Record<string, string>;
  /** Processes of each domain service (default 1), in the service's queue group like replicas in production. */
  replicas?: number;
  /** A Redis of the system's own (persisted as docker-compose.yml configures it), for tests that restart Redis. */
  privateRedis?: boolean;
}): Promise<System> {
  const replicas = options.replicas ?? 1;
  const nats: TestNats = await startTestNats();
  const redis = options.privateRedis ? await startTestRedis() : undefined;
  // Every Redis key of the system (queues, sessions, rate-limit counters) is under it: its own.
  const redisPrefix = `test-${randomBytes(4).toString('hex')}`;
  const databaseUrl = await freshTestDatabase(options.database);
  const gatewayPort = await freePort();
  const metricsPortsByReplica = {} as Record<ServiceName, number[]>;
  for (const name of names)
    if (name !== 'gateway')
      metricsPortsByReplica[name] = await Promise.all(Array.from({ length: replicas }, () => freePort()));
  const filesDir = mkdtempSync(join(tmpdir(), 'helpdesk-e2e-files-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FILE_STORAGE_DIR: filesDir,
    NATS_URL: nats.url,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis?.url ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    LOG_LEVEL: 'info',
    REDIS_PREFIX: redisPrefix,
    SHUTDOWN_GRACE_MS: '500',
    // Links in identity's mails lead to this gateway (on the portal's domain, e.g. localhost).
    PORTAL_LINK_SCHEME: 'http',
    PORTAL_LINK_PORT: String(gatewayPort),
    ...options.env,
  };
  await runScript('scripts/migrate.mjs', [], env);
  await runScript('scripts/seed.mjs', [], env);

  const logs = Object.fromEntries(names.map((name) => [name, []])) as unknown as System['logs'];
  const children = new Map<string, ChildProcess>();
  const key = (name: ProcessName, replica: number) => `${name}#${replica}`;
  const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;
  const replicasOf = (name: ProcessName) =>
    name === 'gateway' ? [0] : Array.from({ length: replicas }, (_, replica) => replica);
  const sessionSecret = randomBytes(32).toString('hex');

  const startOne = async (name: ProcessName, replica: number) => {
    const child = spawn('node', [`apps/${name}/dist/main.js`], {
      cwd: repositoryRoot,
      env: {
        ...env,
        ...(name === 'gateway'
          ? {
              PORT: String(gatewayPort),
              HOST: '127.0.0.1',
              SESSION_SECRET: sessionSecret,
              PUBLIC_URL: `http://127.0.0.1:${gatewayPort}`,
            }
          : { METRICS_PORT: String(metricsPortsByReplica[name][replica]) }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // This process's own lines too: an earlier run of the same name has said "ready" already.
    const own: Record<string, unknown>[] = [];
    let partial = '';
    const collect = (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        let parsed: Record<string, unknown>;
        try {
          parsed = JSON.parse(line) as Record<string, unknown>;
        } catch {
          parsed = { raw: line };
        }
        own.push(parsed);
        // With replicas, which one said it.
        logs[name].push(replicas > 1 ? { ...parsed, replica } : parsed);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    children.set(key(name, replica), child);
    const ready = name === 'gateway' ? 'gateway ready' : `${name} service ready`;
    // Generous: a start on a busy 2-core machine (other suites, the test's own load) can take a while.
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!own.some((line) => line.msg === ready)) {
      if (child.exitCode !== null)
        throw new Error(`${name} exited with ${child.exitCode}: ${JSON.stringify(own.slice(-5))}`);
      if (Date.now() > deadline)
        throw new Error(
          `${name} did not start within ${START_TIMEOUT_MS} ms: ${JSON.stringify(own.slice(-5))}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const stopOne = async (name: ProcessName, replica: number, signal: NodeJS.Signals) => {
    const child = children.get(key(name, replica));
    children.delete(key(name, replica));
    if (!child || exited(child)) return child?.exitCode ?? null;
    return new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.kill(signal);
    });
  };

  const start = async (name: ProcessName, replica?: number) => {
    const which =
      replica === undefined
        ? replicasOf(name).filter((r) => {
            const child = children.get(key(name, r));
            return !child || exited(child);
          })
        : [replica];
    for (const r of which) await startOne(name, r);
  };

  const stop = async (name: ProcessName, signal: NodeJS.Signals = 'SIGTERM', replica?: number) => {
    const codes = await Promise.all(
      (replica === undefined ? replicasOf(name) : [replica]).map((r) => stopOne(name, r, signal)),
    );
    const failed = codes.filter((code) => code !== 0);
    return failed.length ? failed[0] : 0;
  };

  const url = `http://127.0.0.1:${gatewayPort}`;
  const system: System = {
    url,
    natsUrl: nats.url,
    nats,
    redis,
    databaseUrl,
    sessionKey(cookie) {
      const id = /^s:([^.]+)\./.exec(decodeURIComponent(cookie.replace(/^hd\.sid=/, '')))?.[1];
      if (!id) throw new Error(`no signed session id in ${cookie}`);
      return `${redisPrefix}:sess:${id}`;
    },
    metricsPorts: Object.fromEntries(
      Object.entries(metricsPortsByReplica).map(([name, ports]) => [name, ports[0]]),
    ) as System['metricsPorts'],
    filesDir,
    logs,
    start,
    stop,
    signal(name, signal, replica = 0) {
      const child = children.get(key(name, replica));
      if (!child || exited(child)) throw new Error(`${name} (replica ${replica}) is not running`);
      child.kill(signal);
    },
    async waitUntilReady(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (
        !(await fetch(`${url}/health/ready`).then(
          (r) => r.ok,
          () => false,
        ))
      ) {
        if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async close() {
      await Promise.all(names.map((name) => stop(name)));
      await nats.stop();
      if (redis) await redis.close();
      else await deleteRedisKeys(`${redisPrefix}:*`);
      rmSync(filesDir, { recursive: true, force: true });
    },
  };
  try {
    for (const name of names) await start(name);
    await system.waitUntilReady();
  } catch (error) {
    await system.close();
    throw error;
  }
  return system;
}

/** A logged-in API caller that keeps its session cookie. */
export class ApiSession {
  private cookie?: string;

  constructor(private readonly baseUrl: string) {}

  static async login(baseUrl: string, email: string, password: string): Promise<ApiSession> {
    const session = new ApiSession(baseUrl);
    const response = await session.request('POST', '/api/v1/auth/login', { email, password });
    if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
    return session;
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('hd.sid='));
    if (setCookie) this.cookie = setCookie.split(';')[0];
    return response;
  }

  get sessionCookie(): string | undefined {
    return this.cookie;
  }
}

/** The demo's account and its admin (every permission), for the RPCs a test makes itself. */
export async function demoAdmin(rpc: RpcClient): Promise<{ accountId: string; adminId: string }> {
  const admin = await rpc.send('identity.users.authenticate', {
    email: 'admin@demo.test',
    password: 'demo-password',
  });
  return { accountId: admin.accountId, adminId: admin.id };
}

/** The ids of demo contacts by email. */
export async function demoContactIds(
  rpc: RpcClient,
  accountId: string,
  emails: string[],
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const email of emails) {
    const [contact] = (await rpc.send('identity.contacts.list', { accountId, search: email })).items;
    ids.set(email, contact.id);
  }
  return ids;
}
