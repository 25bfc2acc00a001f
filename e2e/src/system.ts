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

export type ProcessName = 'identity' | 'tickets' | 'forms' | 'inbox' | 'gateway';
const names: ProcessName[] = ['identity', 'tickets', 'forms', 'inbox', 'gateway'];

export interface System {
  /** The gateway's base URL. */
  url: string;
  /** The private NATS server the services use, for tests that talk to a service directly. */
  natsUrl: string;
  /** The test database every service uses. */
  databaseUrl: string;
  metricsPorts: Record<Exclude<ProcessName, 'gateway'>, number>;
  /** FILE_STORAGE_DIR of every process: a fresh temporary directory per run, removed by close(). */
  filesDir: string;
  /** Every JSON line each process has logged so far. */
  logs: Record<ProcessName, Record<string, unknown>[]>;
  stop(name: ProcessName, signal?: NodeJS.Signals): Promise<number | null>;
  start(name: ProcessName): Promise<void>;
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
}): Promise<System> {
  const nats: TestNats = await startTestNats();
  const queuePrefix = `test-${randomBytes(4).toString('hex')}`;
  const databaseUrl = await freshTestDatabase(options.database);
  const gatewayPort = await freePort();
  const metricsPorts = {
    identity: await freePort(),
    tickets: await freePort(),
    forms: await freePort(),
    inbox: await freePort(),
  };
  const filesDir = mkdtempSync(join(tmpdir(), 'helpdesk-e2e-files-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FILE_STORAGE_DIR: filesDir,
    NATS_URL: nats.url,
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    LOG_LEVEL: 'info',
    QUEUE_PREFIX: queuePrefix,
    SHUTDOWN_GRACE_MS: '500',
    // Links in identity's mails lead to this gateway (on the portal's domain, e.g. localhost).
    PORTAL_LINK_SCHEME: 'http',
    PORTAL_LINK_PORT: String(gatewayPort),
    ...options.env,
  };
  await runScript('scripts/migrate.mjs', [], env);
  await runScript('scripts/seed.mjs', [], env);

  const logs = Object.fromEntries(names.map((name) => [name, []])) as unknown as System['logs'];
  const children = new Map<ProcessName, ChildProcess>();
  const sessionSecret = randomBytes(32).toString('hex');

  const start = async (name: ProcessName) => {
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
          : { METRICS_PORT: String(metricsPorts[name]) }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let partial = '';
    const collect = (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        try {
          logs[name].push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          logs[name].push({ raw: line });
        }
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    children.set(name, child);
    const ready = name === 'gateway' ? 'gateway ready' : `${name} service ready`;
    const deadline = Date.now() + 30_000;
    while (!logs[name].some((line) => line.msg === ready)) {
      if (child.exitCode !== null)
        throw new Error(`${name} exited with ${child.exitCode}: ${JSON.stringify(logs[name].slice(-5))}`);
      if (Date.now() > deadline) throw new Error(`${name} did not start within 30 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const stop = async (name: ProcessName, signal: NodeJS.Signals = 'SIGTERM') => {
    const child = children.get(name);
    children.delete(name);
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    return new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.kill(signal);
    });
  };

  const url = `http://127.0.0.1:${gatewayPort}`;
  const system: System = {
    url,
    natsUrl: nats.url,
    databaseUrl,
    metricsPorts,
    filesDir,
    logs,
    start,
    stop,
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
      await deleteRedisKeys(`${queuePrefix}:*`);
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
