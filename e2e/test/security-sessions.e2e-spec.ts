import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PortalView } from '@helpdesk/contracts';
import { RpcClient } from '@helpdesk/kit';
import { startTestSmtp, withDatabase, type TestSmtp } from '@helpdesk/testing';
import { Redis } from 'ioredis';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { addInternalUser } from '../src/accounts.js';
import { gatewayRoutes, paramsOf, routeKey, type GatewayRoute } from '../src/route-table.js';
import { demoAdmin, startSystem, type System } from '../src/system.js';
import { listedTickets, PortalClient } from './portal-client.js';

// The security suite's sessions, CSRF, password logins and admin templates (issue 9), over HTTP
// against the whole system: the portal's form login (`support` on localhost), the admin area's form
// login and the JSON API's login. What the sessions hold is read (and aged) in the gateway's Redis.
// The gateway trusts X-Forwarded-For here: every visitor comes from an address of this run, and each
// guessing test from addresses of its own, so one test's failed logins never limit another's.
// Internal users are copies of the demo admin made for this run, because the counters per email
// address of internal users are not per account. OpenID Connect is in
// security-oidc.e2e-spec.ts; how the login limits count is in login-limits.e2e-spec.ts.

const PER_EMAIL = 4;
const PER_IP = 8;
const ABSOLUTE_HOURS = 12;
/** The admin idle timeout of this run: short enough to wait for once. */
const ADMIN_IDLE_MINUTES = 1;
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const PASSWORD = 'demo-password';

let system: System;
let smtp: TestSmtp;
let rpc: RpcClient;
let redis: Redis;
let accountId: string;
let adminId: string;
/** The gateway as browsers reach the demo portal: `localhost` is the portal's domain. */
let base: string;

const network = `10.${randomInt(256)}.${randomInt(256)}`;
let hosts = 1;
/** A client address nobody else uses. */
const newClientAddress = () => `${network}.${++hosts}`;
/** Where every visitor comes from unless a test says otherwise. */
const home = `${network}.1`;

/** Internal users of this run only, with the demo admin's password and permissions. */
const admins = {
  /** Logs in and out; never fails a login. */
  sessions: `admin-${randomUUID()}@demo.test`,
  /** Guessed at until refused. */
  guessed: `admin-${randomUUID()}@demo.test`,
  /** Fails a login, to compare its answer with an unknown address's. */
  probed: `admin-${randomUUID()}@demo.test`,
};

interface Answer {
  status: number;
  headers: Headers;
  body: string;
  location: string | null;
}

/** A browser without script: it keeps the session cookie (hd.sid) and follows no redirect. */
class Visitor {
  /** The Set-Cookie of the session cookie in the last answer that had one. */
  lastSetCookie?: string;

  constructor(
    public cookie?: string,
    readonly ip = home,
    private readonly headers: Record<string, string> = {},
  ) {}

  async send(
    method: string,
    path: string,
    init: { form?: Record<string, string>; json?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = {
      accept: init.json === undefined ? 'text/html' : 'application/json',
      'x-forwarded-for': this.ip,
      ...this.headers,
      ...init.headers,
    };
    if (this.cookie) headers.cookie = this.cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    } else if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    const response = await fetch(`${base}${path}`, { method, headers, body, redirect: 'manual' });
    const setCookie = response.headers.getSetCookie().find((cookie) => cookie.startsWith('hd.sid='));
    if (setCookie) {
      this.lastSetCookie = setCookie;
      const value = setCookie.split(';')[0];
      this.cookie = value === 'hd.sid=' ? undefined : value;
    }
    return {
      status: response.status,
      headers: response.headers,
      body: await response.text(),
      location: response.headers.get('location'),
    };
  }

  get(path: string): Promise<Answer> {
    return this.send('GET', path);
  }

  /** Posts a form as a browser does: the page with the form first, for its CSRF token. */
  async submit(page: string, action: string, fields: Record<string, string>): Promise<Answer> {
    const form = await this.get(page);
    expect([page, form.status]).toEqual([page, 200]);
    return this.send('POST', action, { form: { _csrf: PortalClient.csrfOf(form.body), ...fields } });
  }

  /** The session's key in Redis. */
  get sessionKey(): string {
    return system.sessionKey(this.cookie ?? '');
  }
}

interface StoredSession {
  startedAt?: number;
  lastSeenAt?: number;
  idleMs?: number;
  csrfToken?: string;
  passport?: { user?: { kind: string; email: string } };
}

async function storedSession(key: string): Promise<StoredSession | null> {
  const text = await redis.get(key);
  return text === null ? null : (JSON.parse(text) as StoredSession);
}

/** Rewrites the session's clock in Redis, as if that much time had passed. */
async function ageSession(key: string, clock: Pick<StoredSession, 'startedAt' | 'lastSeenAt'>) {
  const session = await storedSession(key);
  if (!session) throw new Error(`no session ${key}`);
  await redis.set(key, JSON.stringify({ ...session, ...clock }), 'KEEPTTL');
}

/** One of the three password logins, and how its kind of client asks whether it is logged in. */
interface LoginKind {
  name: string;
  email: () => string;
  /** Logs in with the right password; answers with what the login said. */
  logIn(visitor: Visitor): Promise<Answer>;
  loggedInStatus: number;
  /** A page (or API call) only a logged-in viewer gets with 200. */
  probe(visitor: Visitor): Promise<Answer>;
  /** What the probe answers without a login: the login page (with where to go next), or 401. */
  loggedOut(answer: Answer, expired?: boolean): void;
  logOut(visitor: Visitor): Promise<Answer>;
  idleMs: () => number;
}

const redirectToLogin = (login: string) => (answer: Answer, expired?: boolean) => {
  expect(answer.status).toBe(303);
  expect(answer.location).toMatch(new RegExp(`^${login}\\?next=`));
  if (expired) expect(answer.location).toContain('expired=1');
};

const kinds: LoginKind[] = [
  {
    name: 'portal',
    email: () => 'alice@acme.test',
    logIn: (visitor) =>
      visitor.submit('/support/login', '/support/login', { email: 'alice@acme.test', password: PASSWORD }),
    loggedInStatus: 303,
    probe: (visitor) => visitor.get('/support/tickets'),
    loggedOut: redirectToLogin('/support/login'),
    logOut: (visitor) => visitor.submit('/support/tickets', '/support/logout', {}),
    idleMs: () => 60 * MINUTE, // the demo portal's S14 sessionIdleMinutes
  },
  {
    name: 'admin area',
    email: () => admins.sessions,
    logIn: (visitor) =>
      visitor.submit('/admin/login', '/admin/login', { email: admins.sessions, password: PASSWORD }),
    loggedInStatus: 303,
    probe: (visitor) => visitor.get('/admin/welcome'),
    loggedOut: redirectToLogin('/admin/login'),
    logOut: (visitor) => visitor.submit('/admin/welcome', '/admin/logout', {}),
    idleMs: () => ADMIN_IDLE_MINUTES * MINUTE,
  },
  {
    name: 'API',
    email: () => admins.sessions,
    logIn: (visitor) =>
      visitor.send('POST', '/api/v1/auth/login', { json: { email: admins.sessions, password: PASSWORD } }),
    loggedInStatus: 200,
    probe: (visitor) => visitor.send('GET', '/api/v1/auth/me', { headers: { accept: 'application/json' } }),
    loggedOut: (answer) => expect(answer.status).toBe(401),
    logOut: (visitor) => visitor.send('POST', '/api/v1/auth/logout'),
    idleMs: () => ADMIN_IDLE_MINUTES * MINUTE,
  },
];

async function loggedIn(kind: LoginKind, visitor = new Visitor()): Promise<Visitor> {
  const answer = await kind.logIn(visitor);
  expect([kind.name, answer.status]).toEqual([kind.name, kind.loggedInStatus]);
  return visitor;
}

async function expectLoggedIn(kind: LoginKind, visitor: Visitor) {
  const answer = await kind.probe(visitor);
  expect([kind.name, answer.status]).toEqual([kind.name, 200]);
}

/** Changes one section of the demo portal's settings; resolves once the gateway serves `path` with `status`. */
async function updatePortalAccess(
  change: Partial<PortalView['access']>,
  until: { path: string; status: number },
) {
  const portal = await rpc.send('identity.portal.get', { accountId });
  await rpc.send('identity.portal.update', {
    accountId,
    actorUserId: adminId,
    section: 'access',
    settings: { ...portal.access, ...change },
  });
  const deadline = Date.now() + 5_000;
  let answer = await new Visitor().get(until.path);
  while (answer.status !== until.status && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    answer = await new Visitor().get(until.path);
  }
  expect([until.path, answer.status]).toEqual([until.path, until.status]);
}

beforeAll(async () => {
  smtp = await startTestSmtp();
  system = await startSystem({
    database: 'security_sessions_test',
    env: {
      SMTP_URL: smtp.url,
      TRUST_PROXY: 'true',
      LOGIN_LIMIT_PER_EMAIL: String(PER_EMAIL),
      LOGIN_LIMIT_PER_IP: String(PER_IP),
      ADMIN_SESSION_IDLE_MINUTES: String(ADMIN_IDLE_MINUTES),
      SESSION_ABSOLUTE_HOURS: String(ABSOLUTE_HOURS),
      // Registrations and reset requests here are about their answers, not the mail limits.
      PORTAL_MAIL_LIMIT_PER_IP: '1000',
      PORTAL_MAIL_LIMIT_PER_ADDRESS: '1000',
    },
  });
  base = system.url.replace('127.0.0.1', 'localhost');
  rpc = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 10_000 });
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  ({ accountId, adminId } = await demoAdmin(rpc));
  for (const email of Object.values(admins))
    await addInternalUser(system.databaseUrl, { like: 'admin@demo.test', email });
}, 300_000);

afterAll(async () => {
  redis?.disconnect();
  await rpc?.close();
  await system?.close();
  await smtp?.stop();
});

describe.each(kinds)('a session of the $name login', (kind) => {
  it('gets a new id at login: the id planted before it names nothing any more, in Redis too', async () => {
    const visitor = new Visitor();
    // A session exists before the login: the login form's CSRF token lives in it. (The API has no
    // form; an attacker would plant the admin login page's session the same way.)
    expect((await visitor.get(kind.name === 'portal' ? '/support/login' : '/admin/login')).status).toBe(200);
    const planted = visitor.cookie!;
    const plantedKey = visitor.sessionKey;
    expect(await redis.exists(plantedKey)).toBe(1);

    await loggedIn(kind, visitor);
    expect(visitor.cookie).not.toBe(planted);
    expect(await redis.exists(plantedKey)).toBe(0);
    expect((await storedSession(visitor.sessionKey))?.passport?.user?.email).toBe(kind.email());
    await expectLoggedIn(kind, visitor);
    kind.loggedOut(await kind.probe(new Visitor(planted)));
  });

  it('ends on the server at logout: the Redis key is gone and the old cookie is a stranger', async () => {
    const visitor = await loggedIn(kind);
    const stolen = visitor.cookie!;
    const key = visitor.sessionKey;
    expect(await redis.exists(key)).toBe(1);

    const out = await kind.logOut(visitor);
    expect(out.status).toBe(kind.name === 'API' ? 204 : 303);
    expect(visitor.cookie).toBeUndefined(); // the cookie is cleared
    expect(await redis.exists(key)).toBe(0);
    kind.loggedOut(await kind.probe(new Visitor(stolen)));
  });

  it('ends after its idle timeout, while each request restarts the idle clock', async () => {
    const visitor = await loggedIn(kind);
    const key = visitor.sessionKey;
    const idleMs = (await storedSession(key))!.idleMs!;
    expect(idleMs).toBe(kind.idleMs());

    // Twice almost the idle timeout without a request, each time followed by one: altogether longer
    // than the timeout, and still logged in, because each request counts as activity.
    for (let round = 0; round < 2; round++) {
      await ageSession(key, { lastSeenAt: Date.now() - idleMs + 10 * SECOND });
      await expectLoggedIn(kind, visitor);
      expect((await storedSession(key))!.lastSeenAt).toBeGreaterThan(Date.now() - 10 * SECOND);
    }

    await ageSession(key, { lastSeenAt: Date.now() - idleMs - SECOND });
    kind.loggedOut(await kind.probe(visitor), true);
    expect(await redis.exists(key)).toBe(0);
  });

  it('ends at its absolute lifetime however active it is', async () => {
    const visitor = await loggedIn(kind);
    const key = visitor.sessionKey;
    await ageSession(key, { startedAt: Date.now() - ABSOLUTE_HOURS * HOUR + MINUTE, lastSeenAt: Date.now() });
    await expectLoggedIn(kind, visitor);

    await ageSession(key, { startedAt: Date.now() - ABSOLUTE_HOURS * HOUR - SECOND, lastSeenAt: Date.now() });
    kind.loggedOut(await kind.probe(visitor), true);
    expect(await redis.exists(key)).toBe(0);
  });

  it('is a cookie with HttpOnly, SameSite=Lax and Path=/ for the absolute lifetime, Secure behind TLS', async () => {
    const attributes = (setCookie: string) =>
      setCookie
        .split(';')
        .slice(1)
        .map((attribute) => attribute.trim());
    const plain = await loggedIn(kind);
    const flags = attributes(plain.lastSetCookie!);
    expect(flags).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Lax']));
    expect(flags).not.toContain('Secure');
    const expires = Date.parse(flags.find((flag) => flag.startsWith('Expires='))!.slice('Expires='.length));
    expect(Math.abs(expires - (Date.now() + ABSOLUTE_HOURS * HOUR))).toBeLessThan(MINUTE);
    const ttl = await redis.pttl(plain.sessionKey);
    expect(Math.abs(ttl - ABSOLUTE_HOURS * HOUR)).toBeLessThan(MINUTE);

    // TLS ends at the proxy (TRUST_PROXY), which says so in X-Forwarded-Proto.
    const behindTls = await loggedIn(kind, new Visitor(undefined, home, { 'x-forwarded-proto': 'https' }));
    expect(attributes(behindTls.lastSetCookie!)).toEqual(
      expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Lax', 'Secure']),
    );
  });
});

describe('the admin idle timeout in real time', () => {
  it(`logs internal users out after ${ADMIN_IDLE_MINUTES} minute without a request, in the admin area and the API`, async () => {
    const [admin, api] = await Promise.all([loggedIn(kinds[1]), loggedIn(kinds[2])]);
    await expectLoggedIn(kinds[1], admin);
    await expectLoggedIn(kinds[2], api);
    await new Promise((resolve) => setTimeout(resolve, ADMIN_IDLE_MINUTES * MINUTE + 2 * SECOND));
    kinds[1].loggedOut(await kinds[1].probe(admin), true);
    kinds[2].loggedOut(await kinds[2].probe(api));
  }, 120_000);
});

/** Every table's rows, hashed: what a refused request must leave as it was (outboxes excepted: their relays mark rows). */
async function databaseFingerprint(): Promise<Record<string, string>> {
  return withDatabase(system.databaseUrl, async (db) => {
    const tables = await db.query<{ name: string }>(
      `select format('%I.%I', table_schema, table_name) as name from information_schema.tables
        where table_type = 'BASE TABLE' and table_name <> 'outbox'
          and table_schema not in ('pg_catalog', 'information_schema', 'public')
        order by 1`,
    );
    const hashes: Record<string, string> = {};
    for (const { name } of tables.rows) {
      const { rows } = await db.query<{ hash: string }>(
        `select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as hash from ${name} t`,
      );
      hashes[name] = rows[0].hash;
    }
    return hashes;
  });
}

const filesStored = () =>
  readdirSync(system.filesDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())
    .length;

/**
 * Routes that change something without a CSRF token, and why that is right. Every other route that
 * is not GET or HEAD is checked below; a new one is either checked or has to be listed here.
 */
const EXEMPT_FROM_CSRF: Record<string, string> = {
  'POST /forms/v1/submit/:formId':
    'the public form endpoint: forms embedded on customers’ sites post here from any origin, anonymously; no session is read (the session middleware skips it), and it is rate-limited per client address and per form',
  'POST /submissions/v3/integration/submit/:portalId/:formId':
    'the same public endpoint in HubSpot’s shape, for forms that post there',
};

/** Values for a route's path parameters: the demo portal, a real page type and section, else a random id. */
function pathOf(route: GatewayRoute): string {
  const values: Record<string, string> = { slug: 'support', type: 'login', section: 'general' };
  let path = `/${route.path}`;
  for (const name of paramsOf(route.path)) path = path.replace(`:${name}`, values[name] ?? randomUUID());
  return path;
}

describe('CSRF protection, from the gateway’s route table', () => {
  let routes: GatewayRoute[];
  let alice: Visitor;
  let admin: Visitor;
  let api: Visitor;

  beforeAll(async () => {
    routes = (await gatewayRoutes()).filter((route) => !['GET', 'HEAD', 'OPTIONS'].includes(route.method));
    // Registration's routes exist only with self-registration.
    await updatePortalAccess({ mode: 'self_registration' }, { path: '/support/register', status: 200 });
    [alice, admin, api] = await Promise.all(kinds.map((kind) => loggedIn(kind)));
    // A page each, so that the form sessions hold a token that a wrong one is compared with.
    await Promise.all([alice, admin, api].map((visitor, index) => expectLoggedIn(kinds[index], visitor)));
  });

  afterAll(async () => {
    await updatePortalAccess({ mode: 'access_groups' }, { path: '/support/register', status: 404 });
  });

  /** What the sessions hold, less the clock (and the cookie's renewed expiry) that a request may write. */
  const sessions = async () =>
    Promise.all(
      [alice, admin, api].map(async (visitor) => {
        const {
          lastSeenAt: _seen,
          cookie: _cookie,
          ...session
        } = (await storedSession(visitor.sessionKey))! as StoredSession & { cookie?: unknown };
        return session;
      }),
    );

  it('lists every state-changing route as checked below or as exempt, with the reason', () => {
    const unclassified = routes.filter(
      (route) =>
        !(routeKey(route) in EXEMPT_FROM_CSRF) &&
        !route.path.startsWith('api/v1/') &&
        !route.path.startsWith('admin/') &&
        !route.path.startsWith(':slug/'),
    );
    expect(unclassified).toEqual([]);
    for (const exempt of Object.keys(EXEMPT_FROM_CSRF)) expect(routes.map(routeKey)).toContain(exempt);
    expect(routes.length).toBeGreaterThan(50);
  });

  it('refuses every form post of the admin area and the portal without the session’s token, or with a wrong one, and changes nothing', async () => {
    const database = await databaseFingerprint();
    const files = filesStored();
    const before = await sessions();
    const pagePosts = routes.filter(
      (route) => route.path.startsWith('admin/') || route.path.startsWith(':slug/'),
    );
    expect(pagePosts.length).toBeGreaterThan(30);
    const refused: string[] = [];
    for (const route of pagePosts) {
      const visitor = route.path.startsWith('admin/') ? admin : alice;
      const path = pathOf(route);
      const fields = { email: 'alice@acme.test', password: PASSWORD, body: 'Changed?', name: 'Changed?' };
      for (const attempt of [
        { form: fields },
        { form: { ...fields, _csrf: randomBytes(32).toString('base64url') } },
        { form: fields, headers: { 'x-csrf-token': randomBytes(32).toString('base64url') } },
      ]) {
        const answer = await visitor.send(route.method, path, attempt);
        const csrfPage = answer.body.includes(
          route.path.startsWith('admin/') ? 'The form expired' : 'Your form has expired',
        );
        if (answer.status !== 403 || !csrfPage) refused.push(`${routeKey(route)}: ${answer.status}`);
      }
    }
    expect(refused).toEqual([]);

    // A reply with files is checked once its fields have arrived: the files streamed so far are removed.
    const [ticket] = listedTickets((await alice.get('/support/tickets')).body);
    const form = new FormData();
    form.set('body', 'Changed?');
    form.set('attachments', new Blob(['%PDF-1.4 not wanted']), 'unwanted.pdf');
    const encoded = new Request('http://encoder.invalid/', { method: 'POST', body: form });
    const multipart = await fetch(`${base}/support/tickets/${ticket.id}/reply`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: alice.cookie!,
        'x-forwarded-for': home,
        accept: 'text/html',
        'content-type': encoded.headers.get('content-type')!,
      },
      body: Buffer.from(await encoded.arrayBuffer()),
    });
    expect(multipart.status).toBe(403);

    expect(await databaseFingerprint()).toEqual(database);
    expect(filesStored()).toBe(files);
    expect(await sessions()).toEqual(before);
    for (const [index, visitor] of [alice, admin, api].entries()) await expectLoggedIn(kinds[index], visitor);
  });

  it('refuses every API request that could change something when a browser says another site sent it, and changes nothing', async () => {
    const database = await databaseFingerprint();
    const before = await sessions();
    const apiRoutes = routes.filter((route) => route.path.startsWith('api/v1/'));
    expect(apiRoutes.length).toBeGreaterThan(20);
    const sibling = `http://fi.localhost:${new URL(base).port}`;
    const refused: string[] = [];
    for (const route of apiRoutes)
      for (const headers of <Record<string, string>[]>[
        { origin: 'https://evil.test', 'sec-fetch-site': 'cross-site' },
        // A sibling subdomain: SameSite=Lax sends it the cookie, the Fetch Metadata tell.
        { origin: sibling, 'sec-fetch-site': 'same-site' },
        // A browser without Fetch Metadata still sends Origin.
        { origin: 'https://evil.test' },
      ]) {
        const answer = await api.send(route.method, pathOf(route), {
          json: route.method === 'DELETE' ? undefined : { name: 'Changed?', subject: 'Changed?' },
          headers,
        });
        const body = answer.status === 403 ? (JSON.parse(answer.body) as { error: { code: string } }) : null;
        if (body?.error.code !== 'FORBIDDEN')
          refused.push(`${routeKey(route)} ${JSON.stringify(headers)}: ${answer.status}`);
      }
    expect(refused).toEqual([]);
    expect(await databaseFingerprint()).toEqual(database);
    expect(await sessions()).toEqual(before);

    // The same session's own page, and a script (no Origin), are served.
    const validate = (headers: Record<string, string>) =>
      api.send('POST', '/api/v1/portal/system-pages/validate', {
        json: { type: 'login', source: '{{ x }}' },
        headers,
      });
    expect((await validate({ origin: base, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await validate({})).status).toBe(200);
  });

  it('refuses the queue dashboard’s actions without the token it hands to its page', async () => {
    const answer = await admin.send('PUT', '/admin/queues/api/queues/identity.emails/pause', {
      headers: { accept: 'application/json', 'x-xsrf-token': 'not-the-token' },
    });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });
});

/** How often identity checked a password (argon2), by login: from its RPC metrics. */
async function passwordChecks(): Promise<{ portal: number; users: number }> {
  const text = await (await fetch(`http://127.0.0.1:${system.metricsPorts.identity}/metrics`)).text();
  const count = (subject: string) =>
    [...text.matchAll(/^rpc_handler_duration_seconds_count\{([^}]*)\} (\d+)$/gm)]
      .filter((match) => match[1].includes(`subject="${subject}"`))
      .reduce((sum, match) => sum + Number(match[2]), 0);
  return { portal: count('identity.portal.login'), users: count('identity.users.authenticate') };
}

const portalLogin = (ip: string, email: string, password: string) =>
  new Visitor(undefined, ip).submit('/support/login', '/support/login', { email, password });
const adminLogin = (ip: string, email: string, password: string) =>
  new Visitor(undefined, ip).submit('/admin/login', '/admin/login', { email, password });
const apiLogin = (ip: string, email: string, password: string) =>
  new Visitor(undefined, ip).send('POST', '/api/v1/auth/login', { json: { email, password } });

describe('password guessing is refused before any password is hashed', () => {
  it('per account: past its failures, even the right password is refused without identity checking it', async () => {
    for (let i = 0; i < PER_EMAIL; i++)
      expect((await apiLogin(newClientAddress(), admins.guessed, `guess ${i}`)).status).toBe(401);
    const before = await passwordChecks();
    expect((await apiLogin(newClientAddress(), admins.guessed, PASSWORD)).status).toBe(429);
    expect((await adminLogin(newClientAddress(), admins.guessed, PASSWORD)).status).toBe(429);
    expect(await passwordChecks()).toEqual(before);
    // A login the limit lets through is checked, and counted: the metric is live.
    expect((await apiLogin(newClientAddress(), `control-${randomUUID()}@demo.test`, 'wrong')).status).toBe(
      401,
    );
    expect(await passwordChecks()).toEqual({ ...before, users: before.users + 1 });
  });

  it('per client address: past its failures, every login from it is refused without identity checking it', async () => {
    const sprayer = newClientAddress();
    for (let i = 0; i < PER_IP; i++)
      expect((await portalLogin(sprayer, `person-${i}@acme.test`, 'Summer2024!')).status).toBe(401);
    const before = await passwordChecks();
    expect((await portalLogin(sprayer, 'carol@globex.test', PASSWORD)).status).toBe(429);
    expect((await adminLogin(sprayer, admins.sessions, PASSWORD)).status).toBe(429);
    expect((await apiLogin(sprayer, admins.sessions, PASSWORD)).status).toBe(429);
    expect(await passwordChecks()).toEqual(before);
    expect((await portalLogin(newClientAddress(), 'carol@globex.test', 'wrong')).status).toBe(401);
    expect(await passwordChecks()).toEqual({ ...before, portal: before.portal + 1 });
  });
});

/** What may differ between two answers to the same form: the CSRF token, the CSP nonce, the date, the ids. */
function comparable(answer: Answer, email: string) {
  const body = answer.body
    .replace(/name="_csrf" value="[^"]+"/g, 'name="_csrf" value="TOKEN"')
    .replace(/nonce="[^"]+"/g, 'nonce="NONCE"')
    .replace(/"correlationId":"[^"]+"/g, '"correlationId":"ID"')
    .replaceAll(email, 'EMAIL');
  const headers = Object.fromEntries(
    [...answer.headers]
      .filter(([name]) => name !== 'date' && name !== 'x-correlation-id')
      .map(([name, value]) => [
        name,
        value
          .replace(/'nonce-[^']+'/g, "'nonce-NONCE'")
          .replace(/hd\.sid=[^;]+/g, 'hd.sid=ID')
          .replace(/Expires=[^;]+/g, 'Expires=DATE'),
      ]),
  );
  return { status: answer.status, location: answer.location, body, headers };
}

describe('answers that do not tell whether an email address has an account', () => {
  beforeAll(async () => {
    await updatePortalAccess({ mode: 'self_registration' }, { path: '/support/register', status: 200 });
  });

  afterAll(async () => {
    await updatePortalAccess({ mode: 'access_groups' }, { path: '/support/register', status: 404 });
  });

  /** An address that has no account, as long as the known one: the answers' lengths must not differ either. */
  const unknownLike = (known: string) => {
    const [local, domain] = known.split('@');
    return `${randomBytes(local.length).toString('hex').slice(0, local.length)}@${domain}`;
  };

  it.each([
    [
      'the portal login',
      'carol@globex.test',
      (email: string) => portalLogin(newClientAddress(), email, 'not the password'),
    ],
    [
      'the portal registration',
      'carol@globex.test',
      (email: string) =>
        new Visitor(undefined, newClientAddress()).submit('/support/register', '/support/register', {
          firstName: 'Sam',
          lastName: 'Probe',
          email,
          password: 'a long enough passphrase',
          consent: 'yes',
        }),
    ],
    [
      'the portal password reset request',
      'carol@globex.test',
      (email: string) =>
        new Visitor(undefined, newClientAddress()).submit(
          '/support/forgot-password',
          '/support/forgot-password',
          {
            email,
          },
        ),
    ],
    [
      'the admin login',
      admins.probed,
      (email: string) => adminLogin(newClientAddress(), email, 'not the password'),
    ],
    [
      'the API login',
      admins.probed,
      (email: string) => apiLogin(newClientAddress(), email, 'not the password'),
    ],
  ])(
    '%s answers a known and an unknown address alike: status, headers and body',
    async (_name, known, ask) => {
      const unknown = unknownLike(known);
      const forKnown = await ask(known);
      const forUnknown = await ask(unknown);
      expect(forKnown.status).toBeGreaterThanOrEqual(300);
      expect(comparable(forUnknown, unknown)).toEqual(comparable(forKnown, known));
    },
  );
});

describe('admin-written Liquid templates', () => {
  let admin: Visitor;

  beforeAll(async () => {
    admin = await loggedIn(kinds[1]);
  });

  /** The admin's preview of a login page template; with how long the gateway took. */
  async function preview(source: string) {
    const started = performance.now();
    const answer = await admin.submit(
      '/admin/portal/system-pages/login',
      '/admin/portal/system-pages/login/preview',
      {
        template: 'custom',
        source,
      },
    );
    return { ...answer, ms: performance.now() - started };
  }

  /** What no page may show: a file's lines, a function's source, an object's class, the server's settings. */
  const expectNothingOutside = (body: string) => {
    for (const leak of ['root:x:0:0', '[native code]', '[object ', system.databaseUrl])
      expect(body).not.toContain(leak);
  };

  it.each([
    '{{ constructor }}',
    '{{ portal.constructor }}',
    '{{ portal.constructor.constructor }}',
    "{{ portal['constructor'] }}",
    '{{ m.__proto__ }}',
    "{{ m['__proto__'].constructor }}",
    '{{ csrf.constructor.name }}',
    '{{ portal.name.constructor }}',
    '{{ process.env }}',
    '{{ global.process.env.DATABASE_URL }}',
    '{{ globalThis }}',
    '{{ this }}',
    '{{ req.session }}',
  ])('prints nothing outside its data: %s', async (probe) => {
    const answer = await preview(`<p>probe[${probe}]probe</p>`);
    expect(answer.status).toBe(200);
    expect(/probe\[(.*?)\]probe/.exec(answer.body)?.[1]).toBe('');
    expectNothingOutside(answer.body);
  });

  it.each([
    {
      name: 'a filter named constructor',
      source: "{{ 'x' | constructor }}",
      problem: 'undefined filter: constructor',
    },
    {
      name: 'a filter named __proto__',
      source: "{{ 'x' | __proto__ }}",
      problem: 'undefined filter: __proto__',
    },
    {
      name: 'include of a file',
      source: "{% include '/etc/passwd' %}",
      problem: 'tag &#34;include&#34; not found',
    },
    {
      name: 'render of a file',
      source: "{% render '/etc/passwd' %}",
      problem: 'tag &#34;render&#34; not found',
    },
    {
      name: 'render of a view',
      source: "{% render 'portal/layout' %}",
      problem: 'tag &#34;render&#34; not found',
    },
    {
      name: 'layout of a file',
      source: "{% layout '/etc/passwd' %}x",
      problem: 'tag &#34;layout&#34; not found',
    },
    {
      name: '3,500 nested for tags (the parser recurses)',
      source: '{%for a in b%}'.repeat(3_500) + 'x' + '{%endfor%}'.repeat(3_500),
      problem: 'Maximum call stack size exceeded',
    },
    {
      name: '20,000 nested parentheses',
      source: '{{ ' + '('.repeat(20_000) + '1' + ')'.repeat(20_000) + ' }}',
      problem: 'Maximum call stack size exceeded',
    },
  ])('is refused at the editor when it reaches for what it may not: $name', async ({ source, problem }) => {
    const answer = await preview(source);
    expect(answer.status).toBe(400);
    expect(answer.body).toContain(problem);
    expectNothingOutside(answer.body);
  });

  it.each([
    {
      name: 'a loop over 100 million numbers',
      source: '{% for i in (1..100000000) %}{{ i }}{% endfor %}',
      problem: 'memory alloc limit exceeded',
    },
    {
      name: 'nested loops of 10 billion empty steps',
      source: '{% for a in (1..100000) %}{% for b in (1..100000) %}{% endfor %}{% endfor %}',
      problem: 'template render limit exceeded',
    },
    {
      name: 'a string doubled 60 times',
      source: "{% assign s = 'ab' %}{% for i in (1..60) %}{% assign s = s | append: s %}{% endfor %}{{ s }}",
      problem: 'memory alloc limit exceeded',
    },
    {
      name: 'a range of 100 billion joined',
      source: '{{ (1..100000000000) | join }}',
      problem: 'memory alloc limit exceeded',
    },
    {
      name: 'plain text repeated past the page cap',
      source: `{% for i in (1..11) %}${'x'.repeat(50_000)}{% endfor %}`,
      problem: 'The page is longer than 500000 characters.',
    },
  ])(
    'is stopped within a bounded time when it would run or grow without end: $name',
    async ({ source, problem }) => {
      const answer = await preview(source);
      expect(answer.status).toBe(400);
      expect(answer.body).toContain(`The template failed while rendering: ${problem}`);
      // The limits are 100 ms of rendering and a million characters; without them these run for minutes.
      expect(answer.ms).toBeLessThan(5 * SECOND);
    },
  );

  it('serves customers the default page when a saved template runs into a limit, and stays responsive', async () => {
    const looping = '{% for a in (1..100000) %}{% for b in (1..100000) %}x{% endfor %}{% endfor %}';
    const saved = await admin.submit('/admin/portal/system-pages/login', '/admin/portal/system-pages/login', {
      template: 'custom',
      source: looping,
    });
    expect([saved.status, saved.location]).toEqual([303, '/admin/portal/system-pages?saved=login']);
    try {
      for (let visit = 0; visit < 3; visit++) {
        const started = performance.now();
        const page = await new Visitor().get('/support/login');
        expect(performance.now() - started).toBeLessThan(5 * SECOND);
        expect(page.status).toBe(200);
        expect(page.body).toContain('<label for="email">Email</label>');
      }
      expect((await fetch(`${system.url}/health/ready`)).status).toBe(200);
    } finally {
      const reset = await admin.submit(
        '/admin/portal/system-pages/login',
        '/admin/portal/system-pages/login/reset',
        {},
      );
      expect(reset.status).toBe(303);
    }
  });
});
