import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';

/** A person at the test provider, by subject; the claims it releases (scopes email and profile). */
export interface TestOidcUser {
  email: string;
  email_verified: boolean;
  name: string;
}

export interface TestOidcProviderOptions {
  /**
   * The provider's users by subject (the login name on its sign-in form). Read at every sign-in,
   * token and userinfo request, so a test may edit a user's claims between logins.
   */
  users: Record<string, TestOidcUser>;
  /** The one confidential client's redirect URI. */
  redirectUri: string;
  clientId?: string;
  clientSecret?: string;
  /**
   * oidc-provider's `conformIdTokenClaims`. true (its default): with an access token, scope claims
   * go to userinfo only, not the ID token. false: the ID token carries them too.
   */
  conformIdTokenClaims?: boolean;
}

export type TestOidcClaims = Record<string, unknown>;

export interface TestOidcProvider {
  /** `http://127.0.0.1:<port>`. */
  issuer: string;
  /** What a relying party needs (the shape of identity's OidcProviderSettings). */
  settings: { issuer: string; clientId: string; clientSecret: string; allowInsecureHttp: boolean };
  /** The users passed in (the same object). */
  users: Record<string, TestOidcUser>;
  /** Requests seen, by path (`/.well-known/openid-configuration`, `/token`, `/me`, …). */
  hits: Map<string, number>;
  /** When set, the token endpoint's ID token is re-signed (with the provider's real key) after this edit. */
  tamper: ((claims: TestOidcClaims) => TestOidcClaims) | null;
  /** Key for the re-signing; the provider's own by default. */
  tamperKey: KeyObject | null;
  close(): Promise<void>;
}

const DEFAULT_CLIENT_ID = 'helpdesk-portal';
const DEFAULT_CLIENT_SECRET = 'portal-client-secret-that-is-long-enough';
const HOUR = 60 * 60;
const DAY = 24 * HOUR;

/**
 * A real OpenID provider (oidc-provider) on 127.0.0.1 with its development login and consent forms,
 * one confidential client (authorization code flow) and the given users; any password signs in.
 * oidc-provider's start-up warnings (Node 20, development-only adapter, keys and forms) are muted.
 */
export async function startTestOidcProvider(options: TestOidcProviderOptions): Promise<TestOidcProvider> {
  const clientId = options.clientId ?? DEFAULT_CLIENT_ID;
  const clientSecret = options.clientSecret ?? DEFAULT_CLIENT_SECRET;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingJwk = {
    ...privateKey.export({ format: 'jwk' }),
    kid: 'test-signing-key',
    alg: 'RS256',
    use: 'sig',
  };

  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [signingJwk] },
    cookies: { keys: ['test-cookie-signing-key'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: options.conformIdTokenClaims ?? true,
    features: { devInteractions: { enabled: true } },
    // oidc-provider's own defaults, set explicitly so it does not print a notice for each.
    ttl: { AccessToken: HOUR, IdToken: HOUR, Interaction: HOUR, Grant: 14 * DAY, Session: 14 * DAY },
    findAccount: (_ctx, sub) => {
      const user = options.users[sub];
      return user ? { accountId: sub, claims: () => ({ sub, ...options.users[sub] }) } : undefined;
    },
  };
  const provider = await muteProviderWarnings(async () => {
    const { default: Provider } = await import('oidc-provider');
    return new Provider(issuer, configuration);
  });

  const state: TestOidcProvider = {
    issuer,
    settings: { issuer, clientId, clientSecret, allowInsecureHttp: true },
    users: options.users,
    hits: new Map(),
    tamper: null,
    tamperKey: null,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
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

/**
 * Plays the visitor's browser from the authorization URL to the redirect back to its `redirect_uri`:
 * follows redirects by hand, keeps cookies, submits the login form (as `user`, a subject of the
 * provider) and the consent form. Returns the callback URL (with `code` or `error`, `state`, `iss`);
 * nothing needs to listen there.
 */
export async function signInAtProvider(authorizationUrl: string, user: string): Promise<string> {
  const redirectUri = new URL(authorizationUrl).searchParams.get('redirect_uri');
  if (!redirectUri) throw new Error(`no redirect_uri in ${authorizationUrl}`);
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
      if (next.startsWith(redirectUri)) return next;
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
  throw new Error('too many steps before the redirect back to the redirect URI');
}

/** Re-signs a JWT: a genuine-looking token with edited claims (with the provider's key, or another). */
function resign(jwt: string, edit: (claims: TestOidcClaims) => TestOidcClaims, key: KeyObject): string {
  const [header, payload] = jwt.split('.');
  const claims = edit(JSON.parse(Buffer.from(payload, 'base64url').toString()) as TestOidcClaims);
  const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

/** oidc-provider warns on import (Node 20) and construction (development-only features), as expected here. */
async function muteProviderWarnings<T>(body: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING')) return;
    warn(...args);
  };
  try {
    return await body();
  } finally {
    console.warn = warn;
  }
}

const decodeHtml = (text: string) =>
  text
    .replace(/&#x2F;/gi, '/')
    .replace(/&#39;|&#x27;/gi, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
