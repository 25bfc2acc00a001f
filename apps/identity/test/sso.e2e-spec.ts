// The SSO client against a real OpenID provider (oidc-provider) on 127.0.0.1. The browser is
// played with fetch: manual redirects, a cookie jar, and the provider's dev login/consent forms.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { AppError, type Logger } from '@helpdesk/kit';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { OidcClient, type OidcLoginSecrets, type OidcProviderSettings } from '../src/sso/oidc-client.js';

const CALLBACK = 'https://portal.example.test/sso/callback';
const CLIENT_ID = 'helpdesk-portal';
const CLIENT_SECRET = 'portal-client-secret-that-is-long-enough';
const KID = 'test-signing-key';

const USERS: Record<string, { email: string; email_verified: boolean; name: string }> = {
  alice: { email: 'alice@acme.test', email_verified: true, name: 'Alice Acme' },
  mallory: { email: 'mallory@acme.test', email_verified: false, name: 'Mallory' },
};

type Claims = Record<string, unknown>;

interface TestIdp {
  issuer: string;
  settings: OidcProviderSettings;
  /** Requests seen, by path (discovery, token, userinfo). */
  hits: Map<string, number>;
  /** When set, the token endpoint's ID token is re-signed (with the provider's real key) after this edit. */
  tamper: ((claims: Claims) => Claims) | null;
  /** Key for the re-signing; the provider's own by default. */
  tamperKey: KeyObject | null;
  close(): Promise<void>;
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingJwk = { ...privateKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' };

let idp: TestIdp;
let idpIdTokenClaims: TestIdp;
let client: OidcClient;
const warnings: unknown[][] = [];
/** Every authorization code the provider issued and every refusal message, to check nothing leaks. */
const issuedCodes = new Set<string>();
const refusals: string[] = [];
const logger = { warn: (...args: unknown[]) => warnings.push(args) } as unknown as Logger;

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

async function startIdp(options: { conformIdTokenClaims: boolean }): Promise<TestIdp> {
  const server = createServer();
  const port = await listen(server);
  const issuer = `http://127.0.0.1:${port}`;
  const { default: Provider } = await import('oidc-provider');
  const configuration: Configuration = {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [CALLBACK],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [signingJwk] },
    cookies: { keys: ['test-cookie-signing-key'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // true (the default): with an access token, scope claims go to userinfo only, not the ID token.
    conformIdTokenClaims: options.conformIdTokenClaims,
    features: { devInteractions: { enabled: true } },
    findAccount: (_ctx, sub) => {
      const user = USERS[sub];
      return user ? { accountId: sub, claims: () => ({ sub, ...user }) } : undefined;
    },
  };
  const provider = new Provider(issuer, configuration);
  const state: TestIdp = {
    issuer,
    settings: { issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, allowInsecureHttp: true },
    hits: new Map(),
    tamper: null,
    tamperKey: null,
    close: () => closeServer(server),
  };
  provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    state.hits.set(ctx.path, (state.hits.get(ctx.path) ?? 0) + 1);
    await next();
    const body = ctx.body as { id_token?: unknown } | undefined;
    if (state.tamper && ctx.path === '/token' && ctx.status === 200 && typeof body?.id_token === 'string') {
      body.id_token = resign(body.id_token, state.tamper, state.tamperKey ?? privateKey);
    }
  });
  const handle = provider.callback();
  server.on('request', (req, res) => void handle(req, res));
  return state;
}

/** Re-signs a JWT with the provider's own key: a genuine-looking token with edited claims. */
function resign(jwt: string, edit: (claims: Claims) => Claims, key: KeyObject): string {
  const [header, payload] = jwt.split('.');
  const claims = edit(JSON.parse(Buffer.from(payload, 'base64url').toString()) as Claims);
  const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

const decodeHtml = (text: string) =>
  text
    .replace(/&#x2F;/gi, '/')
    .replace(/&#39;|&#x27;/gi, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/**
 * Plays the visitor's browser from the authorization URL to the redirect back to the portal:
 * follows redirects by hand, keeps cookies, submits the login form (as `user`) and the consent
 * form. Returns the callback URL (with `code`, `state`, `iss`); nothing listens there.
 */
async function signIn(authorizationUrl: string, user = 'alice'): Promise<string> {
  const jar = new Map<string, string>();
  let url = authorizationUrl;
  let body: URLSearchParams | undefined;
  for (let step = 0; step < 20; step++) {
    const response = await fetch(url, {
      method: body ? 'POST' : 'GET',
      body,
      redirect: 'manual',
      headers: { cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; ') },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair, ...attributes] = cookie.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some(
        (a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) < Date.now(),
      );
      if (!value || expired) jar.delete(name);
      else jar.set(name, value);
    }
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      const next = new URL(location, url).href;
      if (next.startsWith(CALLBACK)) {
        const code = new URL(next).searchParams.get('code');
        if (code) issuedCodes.add(code);
        return next;
      }
      url = next;
      body = undefined;
      continue;
    }
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="([a-z]+)"/.exec(html)?.[1];
    if (response.status !== 200 || !action || !prompt) {
      throw new Error(`unexpected page ${response.status} at ${url}: ${html.slice(0, 500)}`);
    }
    url = new URL(decodeHtml(action), url).href;
    body = new URLSearchParams(
      prompt === 'login' ? { prompt, login: user, password: 'anything' } : { prompt },
    );
  }
  throw new Error('too many steps before the redirect back to the portal');
}

async function expectSsoFailure(promise: Promise<unknown>, message: RegExp): Promise<AppError> {
  const error = await promise.then(
    () => {
      throw new Error('expected an SSO_FAILED AppError, but it succeeded');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe('SSO_FAILED');
  expect((error as AppError).message).toMatch(message);
  refusals.push((error as AppError).message);
  return error as AppError;
}

/** Two logins started with the same provider; only the first goes through the browser. */
async function startedTwiceSignedInOnce(target: TestIdp = idp) {
  const first = await client.start(target.settings, CALLBACK);
  const second = await client.start(target.settings, CALLBACK);
  const callbackUrl = await signIn(first.authorizationUrl);
  return { first: first.secrets, second: second.secrets, callbackUrl };
}

beforeAll(async () => {
  // oidc-provider warns about Node 20 and its dev-only interactions; expected here.
  const quiet = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    idp = await startIdp({ conformIdTokenClaims: true });
    idpIdTokenClaims = await startIdp({ conformIdTokenClaims: false });
  } finally {
    quiet.mockRestore();
  }
  client = new OidcClient(logger);
});

afterAll(async () => {
  await idp?.close();
  await idpIdTokenClaims?.close();
});

describe('OidcClient against a real OpenID provider', () => {
  it('starts an authorization code flow with PKCE (S256), state, nonce and the openid email profile scope', async () => {
    const { authorizationUrl, secrets } = await client.start(idp.settings, CALLBACK);
    const url = new URL(authorizationUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${idp.issuer}/auth`);
    const params = Object.fromEntries(url.searchParams);
    expect(params).toMatchObject({
      client_id: CLIENT_ID,
      redirect_uri: CALLBACK,
      response_type: 'code',
      scope: 'openid email profile',
      state: secrets.state,
      nonce: secrets.nonce,
      code_challenge_method: 'S256',
      code_challenge: createHash('sha256').update(secrets.codeVerifier).digest('base64url'),
    });
    expect(params).not.toHaveProperty('code_verifier');
    const another = await client.start(idp.settings, CALLBACK);
    expect(another.secrets.state).not.toBe(secrets.state);
    expect(another.secrets.nonce).not.toBe(secrets.nonce);
    expect(another.secrets.codeVerifier).not.toBe(secrets.codeVerifier);
  });

  it('completes the login with verified claims, reading the email from userinfo when the ID token lacks it', async () => {
    const { authorizationUrl, secrets } = await client.start(idp.settings, CALLBACK);
    const callbackUrl = await signIn(authorizationUrl);
    const userinfoBefore = idp.hits.get('/me') ?? 0;
    await expect(client.complete(idp.settings, callbackUrl, secrets)).resolves.toEqual({
      issuer: idp.issuer,
      subject: 'alice',
      email: 'alice@acme.test',
      emailVerified: true,
      name: 'Alice Acme',
    });
    expect(idp.hits.get('/me')).toBe(userinfoBefore + 1);
  });

  it('takes the claims from the ID token when it carries them (no userinfo request)', async () => {
    const { authorizationUrl, secrets } = await client.start(idpIdTokenClaims.settings, CALLBACK);
    const callbackUrl = await signIn(authorizationUrl);
    await expect(client.complete(idpIdTokenClaims.settings, callbackUrl, secrets)).resolves.toEqual({
      issuer: idpIdTokenClaims.issuer,
      subject: 'alice',
      email: 'alice@acme.test',
      emailVerified: true,
      name: 'Alice Acme',
    });
    expect(idpIdTokenClaims.hits.get('/me') ?? 0).toBe(0);
  });

  it('reports an unverified email as unverified', async () => {
    const { authorizationUrl, secrets } = await client.start(idp.settings, CALLBACK);
    const callbackUrl = await signIn(authorizationUrl, 'mallory');
    await expect(client.complete(idp.settings, callbackUrl, secrets)).resolves.toMatchObject({
      subject: 'mallory',
      email: 'mallory@acme.test',
      emailVerified: false,
    });
  });

  it('discovers each provider once and reuses it for a few minutes', async () => {
    const before = idp.hits.get('/.well-known/openid-configuration') ?? 0;
    await Promise.all([client.start(idp.settings, CALLBACK), client.start(idp.settings, CALLBACK)]);
    expect(idp.hits.get('/.well-known/openid-configuration') ?? 0).toBe(before);

    const fresh = new OidcClient();
    await Promise.all([fresh.start(idp.settings, CALLBACK), fresh.start(idp.settings, CALLBACK)]);
    expect(idp.hits.get('/.well-known/openid-configuration')).toBe(before + 1);
  });

  it('refuses a response whose state belongs to another login attempt, before redeeming the code', async () => {
    const { first, second, callbackUrl } = await startedTwiceSignedInOnce();
    const tokenRequests = idp.hits.get('/token') ?? 0;
    await expectSsoFailure(
      client.complete(idp.settings, callbackUrl, { ...first, state: second.state }),
      /state mismatch/,
    );
    expect(idp.hits.get('/token') ?? 0).toBe(tokenRequests);
    // The code was never sent, so the genuine attempt still works.
    await expect(client.complete(idp.settings, callbackUrl, first)).resolves.toMatchObject({
      subject: 'alice',
    });
  });

  it('refuses a callback without state', async () => {
    const { first, callbackUrl } = await startedTwiceSignedInOnce();
    const stripped = new URL(callbackUrl);
    stripped.searchParams.delete('state');
    await expectSsoFailure(client.complete(idp.settings, stripped.href, first), /state mismatch/);
  });

  it('refuses an ID token whose nonce belongs to another login attempt', async () => {
    const { first, second, callbackUrl } = await startedTwiceSignedInOnce();
    await expectSsoFailure(
      client.complete(idp.settings, callbackUrl, { ...first, nonce: second.nonce }),
      /nonce mismatch/,
    );
  });

  it('refuses when the code verifier does not match the code challenge (PKCE)', async () => {
    const { first, second, callbackUrl } = await startedTwiceSignedInOnce();
    await expectSsoFailure(
      client.complete(idp.settings, callbackUrl, { ...first, codeVerifier: second.codeVerifier }),
      /refused the sign-in code \(invalid_grant/,
    );
  });

  it('refuses a code used twice', async () => {
    const { first, callbackUrl } = await startedTwiceSignedInOnce();
    await expect(client.complete(idp.settings, callbackUrl, first)).resolves.toMatchObject({
      subject: 'alice',
    });
    await expectSsoFailure(
      client.complete(idp.settings, callbackUrl, first),
      /refused the sign-in code \(invalid_grant.*already used/,
    );
  });

  it('refuses an ID token issued for another client (audience), even when properly signed', async () => {
    const { first, callbackUrl } = await startedTwiceSignedInOnce();
    idp.tamper = (claims) => ({ ...claims, aud: 'some-other-client' });
    try {
      await expectSsoFailure(client.complete(idp.settings, callbackUrl, first), /audience mismatch/);
    } finally {
      idp.tamper = null;
    }
  });

  it('refuses an ID token that names another issuer, even when properly signed', async () => {
    const { first, callbackUrl } = await startedTwiceSignedInOnce();
    idp.tamper = (claims) => ({ ...claims, iss: 'https://evil.example.test' });
    try {
      await expectSsoFailure(client.complete(idp.settings, callbackUrl, first), /issuer mismatch/);
    } finally {
      idp.tamper = null;
    }
  });

  it('refuses an ID token whose signature does not verify', async () => {
    const { first, callbackUrl } = await startedTwiceSignedInOnce();
    // Same claims and kid, signed with a key the provider does not publish.
    idp.tamper = (claims) => claims;
    idp.tamperKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    try {
      await expectSsoFailure(
        client.complete(idp.settings, callbackUrl, first),
        /signature could not be verified/,
      );
    } finally {
      idp.tamper = null;
      idp.tamperKey = null;
    }
  });

  it('refuses a login where the provider reported an error (e.g. the user cancelled)', async () => {
    const { secrets } = await client.start(idp.settings, CALLBACK);
    const callbackUrl = new URL(CALLBACK);
    callbackUrl.search = new URLSearchParams({
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
      state: secrets.state,
      iss: idp.issuer,
    }).toString();
    await expectSsoFailure(
      client.complete(idp.settings, callbackUrl.href, secrets),
      /refused the sign-in \(access_denied: End-User aborted interaction\)/,
    );
  });

  it('refuses to complete without the secrets of a login attempt', async () => {
    const { callbackUrl } = await startedTwiceSignedInOnce();
    const empty: OidcLoginSecrets = { state: '', nonce: '', codeVerifier: '' };
    await expectSsoFailure(client.complete(idp.settings, callbackUrl, empty), /start the login again/);
    await expectSsoFailure(
      client.complete(idp.settings, callbackUrl, undefined as unknown as OidcLoginSecrets),
      /start the login again/,
    );
  });

  it('tells the admin when the client secret is wrong', async () => {
    const settings = { ...idp.settings, clientSecret: 'not-the-secret' };
    const { authorizationUrl, secrets } = await client.start(settings, CALLBACK);
    const callbackUrl = await signIn(authorizationUrl);
    await expectSsoFailure(
      client.complete(settings, callbackUrl, secrets),
      /rejected the client credentials \(invalid_client.*check the client ID and secret/,
    );
  });

  it('gives SSO_FAILED with a clear message when the issuer is unreachable', async () => {
    const closed = createServer();
    const port = await listen(closed);
    await closeServer(closed);
    const settings = { ...idp.settings, issuer: `http://127.0.0.1:${port}` };
    await expectSsoFailure(
      client.start(settings, CALLBACK),
      new RegExp(
        `Could not reach the identity provider at http://127\\.0\\.0\\.1:${port} to read its OpenID configuration \\(connection refused\\); check the issuer URL`,
      ),
    );
    await expectSsoFailure(
      client.complete(settings, `${CALLBACK}?code=abc&state=x`, {
        state: 'x'.repeat(43),
        nonce: 'y'.repeat(43),
        codeVerifier: 'z'.repeat(43),
      }),
      /Could not reach the identity provider/,
    );
  });

  it('gives SSO_FAILED with a clear message when the issuer URL is wrong', async () => {
    await expectSsoFailure(
      client.start({ ...idp.settings, issuer: `${idp.issuer}/wrong-path` }, CALLBACK),
      /answered HTTP 404 for \/\.well-known\/openid-configuration; check the issuer URL/,
    );
    await expectSsoFailure(
      client.start({ ...idp.settings, allowInsecureHttp: false }, CALLBACK),
      /must be an https:\/\/ URL/,
    );
    await expectSsoFailure(
      client.start({ ...idp.settings, issuer: 'not a url' }, CALLBACK),
      /is not a valid URL/,
    );
  });

  it('names the issuer the provider publishes when the configured one differs', async () => {
    const impostor = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          issuer: 'https://login.example.test/realm',
          authorization_endpoint: 'https://login.example.test/realm/auth',
          token_endpoint: 'https://login.example.test/realm/token',
          jwks_uri: 'https://login.example.test/realm/jwks',
        }),
      );
    });
    const port = await listen(impostor);
    try {
      await expectSsoFailure(
        client.start({ ...idp.settings, issuer: `http://127.0.0.1:${port}` }, CALLBACK),
        /publishes its issuer as https:\/\/login\.example\.test\/realm; set the issuer to exactly that value/,
      );
    } finally {
      await closeServer(impostor);
    }
  });

  it('accepts the discovery document address pasted as the issuer', async () => {
    const settings = { ...idp.settings, issuer: `${idp.issuer}/.well-known/openid-configuration` };
    const { authorizationUrl } = await client.start(settings, CALLBACK);
    expect(authorizationUrl.startsWith(`${idp.issuer}/auth?`)).toBe(true);
  });

  it('never puts codes, tokens or secrets into error messages or logs', () => {
    expect(refusals.length).toBeGreaterThan(10);
    expect(issuedCodes.size).toBeGreaterThan(5);
    const logged = JSON.stringify(warnings);
    expect(warnings.length).toBeGreaterThanOrEqual(refusals.length);
    for (const text of [logged, ...refusals]) {
      expect(text).not.toMatch(/code=|eyJ|access_token|id_token/);
      expect(text).not.toContain(CLIENT_SECRET);
      expect(text).not.toContain('not-the-secret');
      for (const code of issuedCodes) expect(text).not.toContain(code);
    }
  });
});
