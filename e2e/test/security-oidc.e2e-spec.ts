import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RpcClient } from '@helpdesk/kit';
import { signInAtProvider, startTestOidcProvider, type TestOidcProvider } from '@helpdesk/testing';
import { Redis } from 'ioredis';
import { demoAdmin, startSystem, type System } from '../src/system.js';
import { PortalClient } from './portal-client.js';

// The security suite's single sign-on (issue 9, SPEC S10): the portal's OpenID Connect login against
// a real provider (libs/testing oidc-provider.ts). A callback whose state is not the one this
// browser's login attempt holds, or whose ID token carries another attempt's nonce (a replayed
// token), is refused, and no logged-in session comes of it. The relying party's checks one by one
// (audience, issuer, signature, PKCE, a code used twice) are tested against the same provider in
// apps/identity/test/sso.e2e-spec.ts; this is the whole way through the gateway.

/** What the PortalClient's Host header (`localhost`, no port) makes the gateway's callback address. */
const REDIRECT_URI = 'http://localhost/support/sso/callback';

let system: System;
let idp: TestOidcProvider;
let rpc: RpcClient;
let redis: Redis;

interface StoredSession {
  passport?: { user?: { email: string } };
  portalSso?: { secrets: { state: string; nonce: string; codeVerifier: string } };
}

/** The visitor's session in the gateway's Redis. */
const sessionKeyOf = (client: PortalClient) => system.sessionKey(client.cookie!);

async function storedSession(client: PortalClient): Promise<StoredSession | null> {
  const text = await redis.get(sessionKeyOf(client));
  return text === null ? null : (JSON.parse(text) as StoredSession);
}

/** Starts the login at /sso; resolves with the provider's authorization URL the browser is sent to. */
async function start(client: PortalClient): Promise<string> {
  const answer = await client.get('/support/sso');
  expect(answer.status).toBe(303);
  expect(answer.location!.startsWith(`${idp.issuer}/`)).toBe(true);
  return answer.location!;
}

const pathOf = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
};

/** The provider's requests by path, to tell whether the gateway went on to redeem the code. */
const tokenRequests = () => idp.hits.get('/token') ?? 0;

/** Asserts the client is not logged in: no viewer in its session, and the portal sends it to the login. */
async function expectNobodyLoggedIn(client: PortalClient) {
  expect((await storedSession(client))?.passport).toBeUndefined();
  const list = await client.get('/support/tickets');
  expect(list.status).toBe(303);
  expect(list.location).toMatch(/^\/support\/login\?next=/);
}

/** Asserts a refused callback: the portal's SSO error page. */
function expectRefused(answer: { status: number; body: string }) {
  expect(answer.status).toBe(400);
  expect(answer.body).toContain('Single sign-on did not work');
}

/** Waits for identity's log line that says why it refused a sign-in. */
async function identityLogged(text: string) {
  const deadline = Date.now() + 5_000;
  const logged = () => system.logs.identity.some((line) => String(line.msg).includes(text));
  while (!logged() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(logged()).toBe(true);
}

beforeAll(async () => {
  idp = await startTestOidcProvider({
    redirectUri: REDIRECT_URI,
    users: { 'u-alice': { email: 'alice@acme.test', email_verified: true, name: 'Alice Acme' } },
  });
  system = await startSystem({ database: 'security_oidc_test', env: { OIDC_ALLOW_INSECURE_HTTP: 'true' } });
  rpc = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 10_000 });
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  const { accountId, adminId } = await demoAdmin(rpc);
  const portal = await rpc.send('identity.portal.get', { accountId });
  await rpc.send('identity.portal.update', {
    accountId,
    actorUserId: adminId,
    section: 'access',
    settings: {
      ...portal.access,
      authentication: 'oidc',
      oidc: { issuer: idp.issuer, clientId: idp.settings.clientId, clientSecret: idp.settings.clientSecret },
    },
  });
  // The gateway drops its cached portal on portal.updated.
  const deadline = Date.now() + 5_000;
  while ((await new PortalClient(system.url).get('/support/sso')).status !== 303 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
}, 300_000);

afterAll(async () => {
  redis?.disconnect();
  await rpc?.close();
  await system?.close();
  await idp?.close();
});

describe('single sign-on through the portal', () => {
  it('logs a contact in when state and nonce are this login attempt’s own, with a new session id', async () => {
    const client = new PortalClient(system.url);
    const authorizationUrl = await start(client);
    const before = client.cookie;
    const beforeKey = sessionKeyOf(client);
    const done = await client.get(pathOf(await signInAtProvider(authorizationUrl, 'u-alice')));
    expect([done.status, done.location]).toEqual([303, '/support/tickets']);
    expect(client.cookie).not.toBe(before);
    expect(await redis.exists(beforeKey)).toBe(0);
    expect((await storedSession(client))?.passport?.user?.email).toBe('alice@acme.test');
    expect((await client.get('/support/tickets')).status).toBe(200);
  });

  it('refuses a callback with another state before redeeming its code, logs nobody in, and spends the attempt', async () => {
    const client = new PortalClient(system.url);
    const callback = new URL(await signInAtProvider(await start(client), 'u-alice'));
    const genuineState = callback.searchParams.get('state')!;
    const tokensBefore = tokenRequests();

    callback.searchParams.set('state', 'x'.repeat(genuineState.length));
    expectRefused(await client.get(pathOf(callback.href)));
    expect(tokenRequests()).toBe(tokensBefore);
    expect((await storedSession(client))?.portalSso).toBeUndefined();
    await expectNobodyLoggedIn(client);

    // The attempt is over: the genuine answer that follows a forged one gets nowhere either.
    callback.searchParams.set('state', genuineState);
    expectRefused(await client.get(pathOf(callback.href)));
    expect(tokenRequests()).toBe(tokensBefore);
    await expectNobodyLoggedIn(client);
  });

  it('refuses an answer meant for another browser: someone else’s sign-in cannot be pushed into this session', async () => {
    const attacker = new PortalClient(system.url);
    const attackersCallback = await signInAtProvider(await start(attacker), 'u-alice');
    const tokensBefore = tokenRequests();

    // A victim with a login attempt of its own, and one with none.
    const victim = new PortalClient(system.url);
    await start(victim);
    expectRefused(await victim.get(pathOf(attackersCallback)));
    await expectNobodyLoggedIn(victim);
    const bystander = new PortalClient(system.url);
    expectRefused(await bystander.get(pathOf(attackersCallback)));
    expect(tokenRequests()).toBe(tokensBefore);
  });

  it('refuses an ID token that carries another login attempt’s nonce (a replayed token), and logs nobody in', async () => {
    // An earlier attempt's nonce, as a token captured from it would carry.
    const earlier = new PortalClient(system.url);
    await start(earlier);
    const replayedNonce = (await storedSession(earlier))!.portalSso!.secrets.nonce;

    const client = new PortalClient(system.url);
    const authorizationUrl = await start(client);
    expect((await storedSession(client))!.portalSso!.secrets.nonce).not.toBe(replayedNonce);
    const tokensBefore = tokenRequests();
    idp.tamper = (claims) => ({ ...claims, nonce: replayedNonce });
    try {
      expectRefused(await client.get(pathOf(await signInAtProvider(authorizationUrl, 'u-alice'))));
    } finally {
      idp.tamper = null;
    }
    expect(tokenRequests()).toBe(tokensBefore + 1); // the code was redeemed; its ID token was refused
    await identityLogged('nonce mismatch');
    await expectNobodyLoggedIn(client);
  });

  it('refuses an ID token without a nonce, and logs nobody in', async () => {
    const client = new PortalClient(system.url);
    const authorizationUrl = await start(client);
    idp.tamper = ({ nonce: _nonce, ...claims }) => claims;
    try {
      expectRefused(await client.get(pathOf(await signInAtProvider(authorizationUrl, 'u-alice'))));
    } finally {
      idp.tamper = null;
    }
    await expectNobodyLoggedIn(client);
  });
});
