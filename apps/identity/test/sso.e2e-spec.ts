// The SSO client against a real OpenID provider (oidc-provider) on 127.0.0.1. The browser is
// played with fetch: manual redirects, a cookie jar, and the provider's dev login/consent forms.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppError, type Logger } from '@helpdesk/kit';
import {
  signInAtProvider,
  startTestOidcProvider,
  type TestOidcProvider,
  type TestOidcUser,
} from '@helpdesk/testing';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OidcClient, type OidcLoginSecrets } from '../src/sso/oidc-client.js';

const CALLBACK = 'https://portal.example.test/sso/callback';
const CLIENT_ID = 'helpdesk-portal';
const CLIENT_SECRET = 'portal-client-secret-that-is-long-enough';

const USERS: Record<string, TestOidcUser> = {
  alice: { email: 'alice@acme.test', email_verified: true, name: 'Alice Acme' },
  mallory: { email: 'mallory@acme.test', email_verified: false, name: 'Mallory' },
};

let idp: TestOidcProvider;
let idpIdTokenClaims: TestOidcProvider;
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

const startIdp = (conformIdTokenClaims: boolean) =>
  startTestOidcProvider({
    users: USERS,
    redirectUri: CALLBACK,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    conformIdTokenClaims,
  });

/** Signs in at the provider (the visitor's browser) and keeps the code it issued. */
async function signIn(authorizationUrl: string, user = 'alice'): Promise<string> {
  const callbackUrl = await signInAtProvider(authorizationUrl, user);
  const code = new URL(callbackUrl).searchParams.get('code');
  if (code) issuedCodes.add(code);
  return callbackUrl;
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
async function startedTwiceSignedInOnce(target: TestOidcProvider = idp) {
  const first = await client.start(target.settings, CALLBACK);
  const second = await client.start(target.settings, CALLBACK);
  const callbackUrl = await signIn(first.authorizationUrl);
  return { first: first.secrets, second: second.secrets, callbackUrl };
}

beforeAll(async () => {
  // true (oidc-provider's default): with an access token, scope claims go to userinfo only.
  idp = await startIdp(true);
  idpIdTokenClaims = await startIdp(false);
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
