import { AppError, LOGGER, type Logger } from '@helpdesk/kit';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';

/** What identity needs to talk to one OpenID provider (from the portal's S10 settings). */
export interface OidcProviderSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Allows an `http://` issuer. Only for a local test provider, never in production. */
  allowInsecureHttp?: boolean;
}

/** Kept in the visitor's server-side session between `start` and `complete`; never sent to the browser. */
export interface OidcLoginSecrets {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface OidcLoginStart {
  authorizationUrl: string;
  secrets: OidcLoginSecrets;
}

/** The verified identity: `(issuer, subject)` names the person; the email counts only when verified. */
export interface OidcIdentity {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
}

export interface OidcClientOptions {
  /** How long a provider's discovery document (and its signing keys) are reused. Default 5 minutes. */
  discoveryTtlMs?: number;
  /** Timeout of each request to the provider. Default 10 seconds. */
  timeoutSeconds?: number;
}

export const OIDC_CLIENT_OPTIONS = Symbol('OIDC_CLIENT_OPTIONS');

const SCOPE = 'openid email profile';
const WELL_KNOWN = '/.well-known/openid-configuration';
const MAX_SECRET_LENGTH = 512;

interface CachedConfiguration {
  expiresAt: number;
  configuration: Promise<oidc.Configuration>;
}

type Stage = 'discovery' | 'start' | 'complete';

/**
 * The OpenID Connect relying party behind the portal's single sign-on: authorization code flow with
 * PKCE (S256), state and nonce. openid-client checks state, nonce, PKCE (by sending the verifier),
 * issuer (discovery document, authorization response `iss`, ID token `iss`), audience and signature;
 * this class makes sure every check gets a real expected value, so none is silently skipped.
 * Every failure is an `AppError('SSO_FAILED')` whose message names the cause without any token.
 */
@Injectable()
export class OidcClient {
  private readonly cache = new Map<string, CachedConfiguration>();
  /** Failures already logged, so a discovery failure inside `complete` is logged once. */
  private readonly reported = new WeakSet<AppError>();
  private readonly discoveryTtlMs: number;
  private readonly timeoutSeconds: number;

  constructor(
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
    @Optional() @Inject(OIDC_CLIENT_OPTIONS) options?: OidcClientOptions,
  ) {
    this.discoveryTtlMs = options?.discoveryTtlMs ?? 5 * 60_000;
    this.timeoutSeconds = options?.timeoutSeconds ?? 10;
  }

  async start(provider: OidcProviderSettings, redirectUri: string): Promise<OidcLoginStart> {
    const configuration = await this.configuration(provider);
    try {
      const redirect = parseRedirectUri(redirectUri);
      const secrets: OidcLoginSecrets = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        codeVerifier: oidc.randomPKCECodeVerifier(),
      };
      const url = oidc.buildAuthorizationUrl(configuration, {
        redirect_uri: redirect,
        response_type: 'code',
        scope: SCOPE,
        state: secrets.state,
        nonce: secrets.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(secrets.codeVerifier),
        code_challenge_method: 'S256',
      });
      return { authorizationUrl: url.href, secrets };
    } catch (error) {
      throw this.failure('start', provider, error);
    }
  }

  async complete(
    provider: OidcProviderSettings,
    callbackUrl: string,
    secrets: OidcLoginSecrets,
  ): Promise<OidcIdentity> {
    try {
      // An empty expectation would make openid-client skip that check (no state expected, no
      // nonce expected, no PKCE): refuse before anything reaches the provider.
      assertSecrets(secrets);
      const current = parseCallbackUrl(callbackUrl);
      const configuration = await this.configuration(provider);
      const tokens = await oidc.authorizationCodeGrant(configuration, current, {
        expectedState: secrets.state,
        expectedNonce: secrets.nonce,
        pkceCodeVerifier: secrets.codeVerifier,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new AppError('SSO_FAILED', 'The identity provider did not return an ID token.');

      let email = nonEmptyString(claims.email);
      let emailVerified = email !== null && isTrue(claims.email_verified);
      let name = nonEmptyString(claims.name);
      // Many providers put profile claims only in userinfo when an access token is issued.
      if (email === null && configuration.serverMetadata().userinfo_endpoint) {
        const userinfo = await oidc.fetchUserInfo(configuration, tokens.access_token, claims.sub);
        email = nonEmptyString(userinfo.email);
        emailVerified = email !== null && isTrue(userinfo.email_verified);
        name ??= nonEmptyString(userinfo.name);
      }
      return { issuer: claims.iss, subject: claims.sub, email, emailVerified, name };
    } catch (error) {
      throw this.failure('complete', provider, error);
    }
  }

  /** Discovery (cached per issuer and client for a few minutes); failures are not cached. */
  private async configuration(provider: OidcProviderSettings): Promise<oidc.Configuration> {
    try {
      if (!provider) throw new AppError('SSO_FAILED', 'Single sign-on is not configured for this portal.');
      const issuer = parseIssuer(provider);
      if (!provider.clientId) throw new AppError('SSO_FAILED', 'Single sign-on has no client ID configured.');
      if (!provider.clientSecret) {
        throw new AppError('SSO_FAILED', 'Single sign-on has no client secret configured.');
      }
      const key = cacheKey(issuer, provider);
      const now = Date.now();
      const cached = this.cache.get(key);
      if (cached && cached.expiresAt > now) return await cached.configuration;

      for (const [k, entry] of this.cache) if (entry.expiresAt <= now) this.cache.delete(k);
      const configuration = oidc.discovery(
        issuer,
        provider.clientId,
        { client_secret: provider.clientSecret },
        clientAuthentication(provider.clientSecret),
        {
          timeout: this.timeoutSeconds,
          // openid-client skips the ID token's signature when it comes straight from the token
          // endpoint (TLS authenticates the issuer, as OpenID Connect Core 3.1.3.7 allows).
          // Verify it anyway against the provider's JWKS: defence in depth, and the only
          // authentication of the issuer when a test provider runs on plain http.
          execute: provider.allowInsecureHttp
            ? [oidc.allowInsecureRequests, oidc.enableNonRepudiationChecks]
            : [oidc.enableNonRepudiationChecks],
        },
      );
      this.cache.set(key, { expiresAt: now + this.discoveryTtlMs, configuration });
      configuration.catch(() => {
        if (this.cache.get(key)?.configuration === configuration) this.cache.delete(key);
      });
      return await configuration;
    } catch (error) {
      throw this.failure('discovery', provider, error);
    }
  }

  private failure(stage: Stage, provider: OidcProviderSettings, error: unknown): AppError {
    const appError =
      error instanceof AppError ? error : new AppError('SSO_FAILED', describe(stage, provider, error));
    if (this.reported.has(appError)) return appError;
    this.reported.add(appError);
    // Only our own message and the error's code: causes carry tokens, claims and response bodies.
    this.logger?.warn(
      { issuer: issuerOf(provider), stage, code: errorCode(error) },
      `single sign-on failed: ${appError.message}`,
    );
    return appError;
  }
}

/** Uses client_secret_basic (the OpenID default) unless the provider only offers client_secret_post. */
function clientAuthentication(clientSecret: string): oidc.ClientAuth {
  const basic = oidc.ClientSecretBasic(clientSecret);
  const post = oidc.ClientSecretPost(clientSecret);
  return (as, client, body, headers) => {
    const methods = as.token_endpoint_auth_methods_supported;
    const postOnly =
      Array.isArray(methods) &&
      !methods.includes('client_secret_basic') &&
      methods.includes('client_secret_post');
    (postOnly ? post : basic)(as, client, body, headers);
  };
}

/** Callers are typed, but a bad call must still end as SSO_FAILED, not as a TypeError. */
function issuerOf(provider: OidcProviderSettings | null | undefined): string {
  return typeof provider?.issuer === 'string' ? clip(provider.issuer) : '(no issuer configured)';
}

function cacheKey(issuer: URL, provider: OidcProviderSettings): string {
  const secret = createHash('sha256').update(provider.clientSecret).digest('base64url');
  return JSON.stringify([issuer.href, provider.clientId, secret, provider.allowInsecureHttp === true]);
}

function parseIssuer(provider: OidcProviderSettings): URL {
  let value = typeof provider.issuer === 'string' ? provider.issuer.trim() : '';
  if (!value) throw new AppError('SSO_FAILED', 'Single sign-on has no issuer URL configured.');
  // Admins often paste the discovery document's address; its issuer is what comes before it.
  if (value.endsWith(WELL_KNOWN)) value = value.slice(0, -WELL_KNOWN.length);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError('SSO_FAILED', `The single sign-on issuer "${clip(value)}" is not a valid URL.`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && provider.allowInsecureHttp)) {
    throw new AppError(
      'SSO_FAILED',
      `The single sign-on issuer ${clip(url.href)} must be an https:// URL (the identity provider's issuer identifier).`,
    );
  }
  if (url.search || url.hash || url.username || url.password || url.pathname.includes('/.well-known/')) {
    throw new AppError(
      'SSO_FAILED',
      `The single sign-on issuer ${clip(url.origin + url.pathname)} must be the provider's issuer identifier: no query, fragment, credentials or /.well-known/ path.`,
    );
  }
  return url;
}

function parseRedirectUri(redirectUri: string): string {
  let url: URL | undefined;
  try {
    url = new URL(redirectUri);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.hash) {
    throw new AppError('SSO_FAILED', 'The single sign-on callback address is not an absolute http(s) URL.');
  }
  return url.href;
}

function parseCallbackUrl(callbackUrl: string): URL {
  try {
    const url = new URL(callbackUrl);
    if (/^https?:$/.test(url.protocol)) return url;
  } catch {
    // fall through
  }
  throw new AppError(
    'SSO_FAILED',
    'The sign-in response is not a valid callback URL; start the login again.',
  );
}

function assertSecrets(secrets: OidcLoginSecrets | null | undefined): void {
  const usable = (value: unknown) =>
    typeof value === 'string' && value.length >= 16 && value.length <= MAX_SECRET_LENGTH;
  if (!secrets || !usable(secrets.state) || !usable(secrets.nonce) || !usable(secrets.codeVerifier)) {
    throw new AppError(
      'SSO_FAILED',
      'This sign-in has no login attempt in progress (the session expired or was lost); start the login again.',
    );
  }
}

function describe(stage: Stage, provider: OidcProviderSettings, error: unknown): string {
  const at = `the identity provider at ${issuerOf(provider)}`;

  if (error instanceof oidc.AuthorizationResponseError) {
    return `The identity provider refused the sign-in (${providerError(error.error, error.error_description)}).`;
  }
  if (error instanceof oidc.ResponseBodyError) {
    return tokenEndpointError(at, error.error, error.error_description, error.status);
  }
  if (error instanceof oidc.WWWAuthenticateChallengeError) {
    void error.response.body?.cancel().catch(() => undefined);
    const challenge = error.cause.find((c) => typeof c.parameters.error === 'string');
    const code = challenge?.parameters.error;
    if (code)
      return tokenEndpointError(at, code, challenge.parameters.error_description, error.response.status);
    return `${capitalize(at)} refused the request (HTTP ${error.response.status}); check the client ID and secret.`;
  }

  const network = networkProblem(error);
  if (network) {
    return stage === 'discovery'
      ? `Could not reach ${at} to read its OpenID configuration (${network}); check the issuer URL and that the provider is reachable from the server.`
      : `Could not reach ${at} (${network}); try again later.`;
  }

  const code = errorCode(error);
  const inner = innerMessage(error);
  if (stage === 'discovery') {
    switch (code ?? '') {
      case 'OAUTH_HTTP_REQUEST_FORBIDDEN':
        return `The single sign-on issuer must use https:// (${at} does not).`;
      case 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED': {
        const published = discoveredIssuer(error);
        return published
          ? `The issuer URL is set to ${issuerOf(provider)} but the provider publishes its issuer as ${published}; set the issuer to exactly that value.`
          : `The OpenID configuration of ${at} names a different issuer; set the issuer to exactly the provider's issuer identifier.`;
      }
      case 'OAUTH_RESPONSE_IS_NOT_CONFORM': {
        const status = responseStatus(error);
        return `${capitalize(at)} answered ${status ? `HTTP ${status}` : 'an unexpected status'} for ${WELL_KNOWN}; check the issuer URL.`;
      }
      case 'OAUTH_RESPONSE_IS_NOT_JSON':
      case 'OAUTH_PARSE_ERROR':
        return `${capitalize(at)} did not return an OpenID configuration (JSON) at ${WELL_KNOWN}; check the issuer URL.`;
      case 'OAUTH_INVALID_RESPONSE':
        return `${capitalize(at)} returned an invalid OpenID configuration${inner ? ` (${inner})` : ''}.`;
      default:
        return `Could not read the OpenID configuration of ${at}${inner ? ` (${inner})` : ''}; check the issuer URL.`;
    }
  }
  if (stage === 'start') {
    if (code === 'OAUTH_MISSING_SERVER_METADATA' || code === 'OAUTH_INVALID_SERVER_METADATA') {
      return `${capitalize(at)} does not publish a usable authorization endpoint in its OpenID configuration.`;
    }
    return `Could not start single sign-on with ${at}${inner ? ` (${inner})` : ''}.`;
  }

  // complete
  if (inner.includes('"state"')) {
    return 'The sign-in response does not belong to this login attempt (state mismatch); start the login again.';
  }
  if (inner.includes('"nonce"')) {
    return 'The ID token does not belong to this login attempt (nonce mismatch); start the login again.';
  }
  if (inner.includes('"aud"') || inner.includes('"azp"')) {
    return 'The ID token was issued for a different client (audience mismatch); check the client ID.';
  }
  if (inner.includes('"iss"')) {
    return `The sign-in response was not issued by ${at} (issuer mismatch); check the issuer URL.`;
  }
  if (inner.includes('"sub"')) {
    return 'The identity provider returned user information for a different subject than the ID token.';
  }
  if (code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED') {
    return "The ID token is expired or not yet valid; check the server's and the provider's clocks.";
  }
  if (inner.includes('"code"') || inner.includes('"error"')) {
    return 'The sign-in response has no authorization code; start the login again.';
  }
  if (
    code === 'OAUTH_KEY_SELECTION_FAILED' ||
    code === 'OAUTH_UNSUPPORTED_OPERATION' ||
    /signature|JWS/i.test(inner)
  ) {
    return `The ID token signature could not be verified with the published keys of ${at} (ID tokens must be signed with an asymmetric algorithm such as RS256 or ES256).`;
  }
  if (code === 'OAUTH_HTTP_REQUEST_FORBIDDEN') {
    return `${capitalize(at)} sent the sign-in to an http:// endpoint; single sign-on requires https://.`;
  }
  if (code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || code === 'OAUTH_RESPONSE_IS_NOT_JSON') {
    const status = responseStatus(error);
    return `${capitalize(at)} answered the sign-in with an unexpected response${status ? ` (HTTP ${status})` : ''}.`;
  }
  return `Single sign-on could not be completed${inner ? ` (${inner})` : ''}; start the login again.`;
}

function tokenEndpointError(
  at: string,
  code: string,
  description: string | undefined,
  status: number,
): string {
  const detail = providerError(code, description);
  switch (code) {
    case 'invalid_client':
    case 'unauthorized_client':
      return `${capitalize(at)} rejected the client credentials (${detail}); check the client ID and secret.`;
    case 'invalid_grant':
      return `${capitalize(at)} refused the sign-in code (${detail}): it expired, was already used, or does not match this login attempt; start the login again.`;
    default:
      return `${capitalize(at)} refused the sign-in (HTTP ${status}, ${detail}).`;
  }
}

/** The provider's own error code and description: useful to an admin, never token material. */
function providerError(code: string, description: string | undefined): string {
  return description ? `${clip(code, 60)}: ${clip(description, 200)}` : clip(code, 60);
}

/**
 * A connection problem anywhere in the cause chain (`fetch failed` → `connect ECONNREFUSED`).
 * Walks the chain rather than trusting `instanceof TypeError`: fetch's errors may come from another
 * realm (as under Jest's VM modules), and openid-client then wraps them in a generic ClientError.
 */
function networkProblem(error: unknown): string | null {
  let fetchFailed = false;
  for (let current: unknown = error, depth = 0; current && depth < 6; depth++) {
    const { code, name, message } = current as { code?: unknown; name?: unknown; message?: unknown };
    if (code === 'OAUTH_TIMEOUT' || name === 'TimeoutError') return 'no answer in time';
    if (message === 'fetch failed') fetchFailed = true;
    if (
      typeof code === 'string' &&
      /^(E[A-Z]+|UND_ERR_[A-Z_]+|[A-Z_]*CERT[A-Z_]*|[A-Z_]*SELF_SIGNED[A-Z_]*)$/.test(code)
    ) {
      if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code))
        return `its TLS certificate was not accepted: ${code}`;
      return describeSocketError(code);
    }
    current = (current as { cause?: unknown }).cause;
  }
  return fetchFailed ? 'connection failed' : null;
}

function describeSocketError(code: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connection timed out';
    default:
      return code;
  }
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** openid-client wraps oauth4webapi's specific (static, value-free) message in a generic one. */
function innerMessage(error: unknown): string {
  if (!(error instanceof Error)) return '';
  const cause = error.cause;
  const message = cause instanceof Error && errorCode(cause) ? cause.message : error.message;
  return clip(message, 200);
}

function discoveredIssuer(error: unknown): string | null {
  const body = (error as { cause?: { body?: { issuer?: unknown } | null } }).cause?.body;
  return typeof body?.issuer === 'string' ? clip(body.issuer) : null;
}

function responseStatus(error: unknown): number | null {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Response ? cause.status : null;
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

/** Some providers send `"true"` as a string; anything else is not a verified email. */
function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

function clip(value: string, max = 300): string {
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
