import { afterAll, describe, expect, it } from '@jest/globals';
import { AppError, createLogger } from '@helpdesk/kit';
import { deleteRedisKeys } from '@helpdesk/testing';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import type { GatewayConfig } from '../config.js';
import { RateLimiter } from '../http/rate-limiter.js';
import { createRedis } from '../redis.js';
import { LoginLimiter, LoginRateLimited } from './login-limiter.js';

// The login limits against the machine's Redis, under a REDIS_PREFIX of this run; each test with
// client addresses and a realm of its own.
const run = randomUUID();
const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', `test-login-${run}`);
const logger = createLogger({ service: 'gateway-test', level: 'silent' });
const config = { LOGIN_LIMIT_PER_IP: 6, LOGIN_LIMIT_PER_EMAIL: 3, LOGIN_WINDOW_SECONDS: 60 } as GatewayConfig;
const limiter = new LoginLimiter(new RateLimiter(redis, logger), redis, logger, config);

const from = (ip: string) => ({ ip: `${run}-${ip}`, socket: {} }) as Request;
const wrongPassword = () =>
  Promise.reject(new AppError('INVALID_CREDENTIALS', 'Email or password is incorrect'));
const rightPassword = () => Promise.resolve('logged in');

/** What an attempt ends in: the login's answer, its refusal or the limit's. */
const outcome = (attempt: Promise<string>) =>
  attempt.then(
    (answer) => answer,
    (error: unknown) => (error instanceof LoginRateLimited ? 'limited' : (error as AppError).code),
  );

afterAll(async () => {
  await deleteRedisKeys(`test-login-${run}:*`);
  redis.disconnect();
});

describe('LoginLimiter', () => {
  it('refuses an email address after its failures, without checking the password, and says when to retry', async () => {
    const realm = `${run}:a`;
    for (let i = 0; i < 3; i++)
      expect(await outcome(limiter.attempt(from(`a${i}`), realm, 'Ann@Acme.test', wrongPassword))).toBe(
        'INVALID_CREDENTIALS',
      );
    let checked = false;
    const refused = await limiter
      .attempt(from('a9'), realm, ' ann@acme.test', () => ((checked = true), rightPassword()))
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LoginRateLimited);
    expect((refused as LoginRateLimited).retryAfterSeconds).toBeGreaterThanOrEqual(59);
    expect(checked).toBe(false);
    // The same address in another realm (another portal, the API) is another account.
    expect(await outcome(limiter.attempt(from('a9'), `${run}:other`, 'ann@acme.test', rightPassword))).toBe(
      'logged in',
    );
  });

  it('counts failures per client address across email addresses', async () => {
    const realm = `${run}:b`;
    for (let i = 0; i < 6; i++)
      expect(await outcome(limiter.attempt(from('b'), realm, `person-${i}@acme.test`, wrongPassword))).toBe(
        'INVALID_CREDENTIALS',
      );
    expect(await outcome(limiter.attempt(from('b'), realm, 'fresh@acme.test', rightPassword))).toBe(
      'limited',
    );
    expect(await outcome(limiter.attempt(from('b2'), realm, 'fresh@acme.test', rightPassword))).toBe(
      'logged in',
    );
  });

  it('does not count successful logins, so frequent ones lock nobody out', async () => {
    const realm = `${run}:c`;
    for (let i = 0; i < 10; i++)
      expect(await outcome(limiter.attempt(from('c'), realm, 'cleo@acme.test', rightPassword))).toBe(
        'logged in',
      );
    // Failures in between still add up to the limit.
    for (let i = 0; i < 2; i++)
      await outcome(limiter.attempt(from('c'), realm, 'cleo@acme.test', wrongPassword));
    expect(await outcome(limiter.attempt(from('c'), realm, 'cleo@acme.test', rightPassword))).toBe(
      'logged in',
    );
    await outcome(limiter.attempt(from('c'), realm, 'cleo@acme.test', wrongPassword));
    expect(await outcome(limiter.attempt(from('c'), realm, 'cleo@acme.test', rightPassword))).toBe('limited');
  });
});
