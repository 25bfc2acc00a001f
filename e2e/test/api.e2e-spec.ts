import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { repositoryRoot, withDatabase } from '@helpdesk/testing';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { ApiSession, startSystem, type System } from '../src/system.js';

let system: System;
let admin: ApiSession;

beforeAll(async () => {
  // A short RPC timeout so the "service down" case answers quickly.
  system = await startSystem({ database: 'helpdesk_test_e2e', env: { RPC_TIMEOUT_MS: '1500' } });
  admin = await ApiSession.login(system.url, 'admin@demo.test', 'demo-password');
}, 180_000);

afterAll(async () => {
  await system?.close();
});

const json = async (response: Response) => (await response.json()) as Record<string, any>;

describe('the system over HTTP', () => {
  it('is ready once NATS, Redis and every service with its database answer', async () => {
    const response = await fetch(`${system.url}/health/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      checks: { nats: 'up', redis: 'up', identity: 'up', tickets: 'up', forms: 'up', inbox: 'up' },
    });
    expect((await fetch(`${system.url}/health/live`)).status).toBe(200);
  });

  it('lets an orchestrator probe each process: the services on their metrics port, the gateway on its own connections', async () => {
    for (const port of Object.values(system.metricsPorts)) {
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect([ready.status, await ready.json()]).toEqual([
        200,
        { status: 'ok', checks: { database: 'up', nats: 'up' } },
      ]);
      expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
    }
    const gateway = await fetch(`${system.url}/health/ready?scope=self`);
    expect([gateway.status, await gateway.json()]).toEqual([
      200,
      { status: 'ok', checks: { nats: 'up', redis: 'up' } },
    ]);
  });

  it('refuses the API without a login and with a wrong password, alike for unknown emails', async () => {
    const anonymous = new ApiSession(system.url);
    expect((await anonymous.request('GET', '/api/v1/tickets')).status).toBe(401);
    const wrong = await anonymous.request('POST', '/api/v1/auth/login', {
      email: 'admin@demo.test',
      password: 'wrong',
    });
    const unknown = await anonymous.request('POST', '/api/v1/auth/login', {
      email: 'ghost@demo.test',
      password: 'wrong',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect((await json(wrong)).error.message).toBe((await json(unknown)).error.message);
    expect(anonymous.sessionCookie).toBeUndefined();
  });

  it('lists the seeded tickets newest first in keyset pages', async () => {
    const seen: string[] = [];
    let after = '';
    for (let page = 0; page < 10; page++) {
      const response = await admin.request('GET', `/api/v1/tickets?limit=5${after ? `&after=${after}` : ''}`);
      expect(response.status).toBe(200);
      const body = await json(response);
      seen.push(...body.items.map((t: { createdAt: string }) => t.createdAt));
      if (!body.nextCursor) break;
      after = body.nextCursor as string;
    }
    expect(seen.length).toBeGreaterThanOrEqual(12);
    expect(seen).toEqual([...seen].sort().reverse());
  });

  it('creates a ticket that the next list shows first and that can be read by id', async () => {
    const created = await admin.request('POST', '/api/v1/tickets', {
      subject: 'Printer on fire',
      content: 'Smoke everywhere',
      priority: 'urgent',
    });
    expect(created.status).toBe(201);
    const ticket = await json(created);
    expect(ticket).toMatchObject({ subject: 'Printer on fire', priority: 'urgent' });

    const list = await json(await admin.request('GET', '/api/v1/tickets?limit=1'));
    expect(list.items[0].id).toBe(ticket.id);
    const read = await admin.request('GET', `/api/v1/tickets/${ticket.id}`);
    expect(read.status).toBe(200);
    expect(await json(read)).toEqual(ticket);
  });

  it.each([
    ['a missing subject', 'POST', '/api/v1/tickets', { content: 'no subject' }, 400, 'VALIDATION_FAILED'],
    [
      'an unknown priority',
      'POST',
      '/api/v1/tickets',
      { subject: 'x', priority: 'whenever' },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a foreign accountId in the body',
      'POST',
      '/api/v1/tickets',
      { subject: 'x', accountId: randomUUID() },
      400,
      'VALIDATION_FAILED',
    ],
    ['malformed JSON', 'POST', '/api/v1/tickets', '{"subject": ', 400, 'VALIDATION_FAILED'],
    ['a bad cursor', 'GET', '/api/v1/tickets?after=not-a-cursor', undefined, 400, 'INVALID_CURSOR'],
    ['a page size over 100', 'GET', '/api/v1/tickets?limit=1000', undefined, 400, 'VALIDATION_FAILED'],
    ['an unknown query parameter', 'GET', '/api/v1/tickets?accountId=x', undefined, 400, 'VALIDATION_FAILED'],
    ['an unknown ticket id', 'GET', `/api/v1/tickets/${randomUUID()}`, undefined, 404, 'TICKET_NOT_FOUND'],
    ['a malformed ticket id', 'GET', '/api/v1/tickets/42', undefined, 404, 'TICKET_NOT_FOUND'],
    ['an unknown route', 'GET', '/api/v1/nothing-here', undefined, 404, 'ROUTE_NOT_FOUND'],
  ])('answers %s with %s', async (_what, method, path, body, status, code) => {
    const response = await admin.request(method, path, body);
    expect(response.status).toBe(status);
    expect((await json(response)).error).toMatchObject({ code, message: expect.any(String) });
  });

  it('refuses a 10 MB body with 413 before reading it all', async () => {
    const response = await admin.request(
      'POST',
      '/api/v1/tickets',
      JSON.stringify({ subject: 'big', content: 'x'.repeat(10 * 1024 * 1024) }),
    );
    expect(response.status).toBe(413);
    expect((await json(response)).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it("carries the request's correlation id into the tickets service's log line", async () => {
    const correlationId = `e2e-${randomUUID()}`;
    const response = await admin.request('GET', '/api/v1/tickets?limit=3', undefined, {
      'x-correlation-id': correlationId,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-correlation-id')).toBe(correlationId);

    const deadline = Date.now() + 3_000;
    let lines: Record<string, unknown>[] = [];
    while (Date.now() < deadline && lines.length === 0) {
      lines = system.logs.tickets.filter((line) => line.correlationId === correlationId);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(lines).toEqual([
      expect.objectContaining({ msg: 'rpc handled', subject: 'tickets.list', outcome: 'ok' }),
    ]);
    expect(
      system.logs.gateway.some((line) => line.correlationId === correlationId && line.msg === 'http request'),
    ).toBe(true);
  });

  it('describes the API with OpenAPI', async () => {
    const document = await json(await fetch(`${system.url}/api/docs-json`));
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/v1/tickets', '/api/v1/tickets/{id}', '/api/v1/auth/login']),
    );
    expect(
      document.paths['/api/v1/tickets'].post.requestBody.content['application/json'].schema.required,
    ).toEqual(['subject']);
    expect((await fetch(`${system.url}/api/docs`)).status).toBe(200);
  });

  it('answers /favicon.ico with no content, cached, instead of a portal’s 404 page', async () => {
    const response = await fetch(`${system.url}/favicon.ico`);
    expect(response.status).toBe(204);
    expect(response.headers.get('cache-control')).toBe('public, max-age=604800');
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('exposes Prometheus metrics on the gateway and on each service', async () => {
    const gateway = await (await fetch(`${system.url}/metrics`)).text();
    expect(gateway).toContain('http_request_duration_seconds_bucket');
    const tickets = await (await fetch(`http://127.0.0.1:${system.metricsPorts.tickets}/metrics`)).text();
    expect(tickets).toMatch(/rpc_handler_duration_seconds_count\{[^}]*subject="tickets.list"/);
  });

  it('answers 503 with Retry-After while the tickets service is down, and recovers when it returns', async () => {
    expect(await system.stop('tickets')).toBe(0); // SIGTERM: a clean exit after draining

    const started = Date.now();
    const down = await admin.request('GET', '/api/v1/tickets');
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('5');
    expect((await json(down)).error.code).toBe('SERVICE_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(5_000);
    const ready = await fetch(`${system.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect((await json(ready)).checks.tickets).toMatch(/^down/);
    // The gateway itself is still fine: a probe of its own connections keeps it in service.
    expect((await fetch(`${system.url}/health/ready?scope=self`)).status).toBe(200);

    await system.start('tickets');
    await system.waitUntilReady();
    expect((await admin.request('GET', '/api/v1/tickets')).status).toBe(200);
  });

  it('keeps an idle keep-alive connection open past Node’s 5 s default, for the proxy in front (KEEP_ALIVE_TIMEOUT_SECONDS)', async () => {
    const socket = connect(Number(new URL(system.url).port), '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    const closed = new Promise<string>((resolve) => socket.once('close', () => resolve('closed')));
    const answered = async (count: number) => {
      for (const deadline = Date.now() + 5_000; Date.now() < deadline;) {
        if ((received.match(/HTTP\/1\.1 200 OK/g) ?? []).length >= count) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`no answer ${count} on the connection: ${received}`);
    };
    const ask = () => socket.write('GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n');
    try {
      ask();
      await answered(1);
      // Node's own default would have closed the connection after 5 s.
      const idle = await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 6_000, 'open'))]);
      expect(idle).toBe('open');
      ask();
      await answered(2);
    } finally {
      socket.destroy();
    }
  }, 20_000);

  it('ends the session on the server at logout', async () => {
    const agent = await ApiSession.login(system.url, 'agent@demo.test', 'demo-password');
    const stolenCookie = agent.sessionCookie!;
    const before = await agent.request('GET', '/api/v1/tickets');
    expect([before.status, await before.text()]).toEqual([200, expect.any(String)]);
    expect((await agent.request('POST', '/api/v1/auth/logout')).status).toBe(204);

    const replay = await fetch(`${system.url}/api/v1/tickets`, { headers: { cookie: stolenCookie } });
    expect(replay.status).toBe(401);
  });
});

describe('a new account from the command line (apps/identity/dist/create-account.js)', () => {
  const createAccount = (args: string[], password?: string) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: system.databaseUrl };
    delete env.ADMIN_PASSWORD;
    if (password !== undefined) env.ADMIN_PASSWORD = password;
    return spawnSync('node', ['apps/identity/dist/create-account.js', ...args], {
      cwd: repositoryRoot,
      env,
      encoding: 'utf8',
    });
  };
  const demoAccountId = async () =>
    (await json(await admin.request('GET', '/api/v1/auth/me'))).accountId as string;

  it('makes an account whose admin logs in with every permission and sees nothing of the demo account', async () => {
    const run = createAccount([
      '--account',
      'Esimerkki Oy',
      '--email',
      'Maija.Admin@Example.com',
      '--name',
      'Maija Meikäläinen',
    ]);
    expect([run.status, run.stderr]).toEqual([0, '']);
    const password = /Generated password \(shown only now\): (\S+)/.exec(run.stdout)![1];
    const created = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
      accountId: string;
      adminId: string;
    };

    const newAdmin = await ApiSession.login(system.url, 'maija.admin@example.com', password);
    expect(await json(await newAdmin.request('GET', '/api/v1/auth/me'))).toMatchObject({
      id: created.adminId,
      accountId: created.accountId,
      email: 'maija.admin@example.com',
      name: 'Maija Meikäläinen',
      permissions: ['portal.settings', 'tickets', 'inbox', 'forms', 'contacts', 'ops'],
    });
    expect(created.accountId).not.toBe(await demoAccountId());
    expect((await json(await newAdmin.request('GET', '/api/v1/tickets'))).items).toEqual([]);
    expect((await json(await newAdmin.request('GET', '/api/v1/contacts'))).items).toEqual([]);
  });

  it('takes the password from ADMIN_PASSWORD and prints none', async () => {
    const run = createAccount(
      ['--account', 'Second', '--email', 'second@example.com', '--name', 'Sam'],
      'correct horse battery staple',
    );
    expect([run.status, run.stdout]).toEqual([0, expect.not.stringContaining('password')]);
    await ApiSession.login(system.url, 'second@example.com', 'correct horse battery staple');
  });

  it('refuses a taken email, a missing option and a common password, saying which, and stores nothing', async () => {
    const count = async () => {
      const { rows } = await withDatabase(system.databaseUrl, (db) =>
        db.query<{ n: number }>('select count(*)::int as n from identity.account'),
      );
      return rows[0].n;
    };
    const before = await count();
    const taken = createAccount(['--account', 'Copy', '--email', 'admin@demo.test', '--name', 'X']);
    expect([taken.status, taken.stderr]).toEqual([1, expect.stringContaining('--email: is already in use')]);
    const missing = createAccount(['--email', 'third@example.com', '--name', 'X']);
    expect([missing.status, missing.stderr]).toEqual([1, expect.stringContaining('--account: is required')]);
    const common = createAccount(
      ['--account', 'Third', '--email', 'third@example.com', '--name', 'X'],
      'password123',
    );
    expect([common.status, common.stderr]).toEqual([
      1,
      expect.stringContaining('ADMIN_PASSWORD: is one of the most common'),
    ]);
    const unknown = createAccount(['--acount', 'Typo']);
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain("Unknown option '--acount'");
    expect(await count()).toBe(before);
  });
});
