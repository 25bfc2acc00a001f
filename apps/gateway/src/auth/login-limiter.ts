import { AppError, LOGGER, type Logger } from '@helpdesk/kit';
import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { RateLimiter, type RateLimit } from '../http/rate-limiter.js';
import { REDIS } from '../redis.js';

/** Takes one attempt back from each counter whose window is still open (an ended one is gone). */
const TAKE_BACK_SCRIPT = `
for _, key in ipairs(KEYS) do
  if redis.call('PTTL', key) > 0 then redis.call('DECR', key) end
end`;

type TakingBackRedis = Redis & {
  hdTakeBackAttempts(keyCount: number, ...keys: string[]): Promise<unknown>;
};

/** A login refused, before its password was checked, because of too many failures; with when to try again. */
export class LoginRateLimited extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('TOO_MANY_ATTEMPTS', `Too many failed logins; try again in ${retryAfterSeconds} s`);
  }
}

/**
 * Limits password guessing at both password logins, the portal's and the API's, before any password
 * is hashed: failed logins per client address (LOGIN_LIMIT_PER_IP, both logins together) and per
 * email address (LOGIN_LIMIT_PER_EMAIL; hashed, no addresses in Redis keys) in a fixed window of
 * LOGIN_WINDOW_SECONDS. Every attempt is counted before its password is checked, so parallel guesses
 * cannot slip past the count; a successful one is then taken back, so a customer who logs in often,
 * or an office behind one address, is not locked out by its own logins. Known and unknown email
 * addresses are counted alike.
 */
@Injectable()
export class LoginLimiter {
  private readonly redis: TakingBackRedis;

  constructor(
    private readonly limiter: RateLimiter,
    @Inject(REDIS) redis: Redis,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    if (!('hdTakeBackAttempts' in redis))
      redis.defineCommand('hdTakeBackAttempts', { lua: TAKE_BACK_SCRIPT });
    this.redis = redis as TakingBackRedis;
  }

  /**
   * Runs `logIn` (the password check) unless this client address or email address has failed too
   * often: then LoginRateLimited is thrown and the password is not checked. `realm` keeps apart the
   * email addresses of different logins (one portal's contacts, internal users).
   */
  async attempt<T>(req: Request, realm: string, email: string, logIn: () => Promise<T>): Promise<T> {
    const address = createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
    const limits: RateLimit[] = [
      {
        key: `rl:login:ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`,
        limit: this.config.LOGIN_LIMIT_PER_IP,
      },
      { key: `rl:login:${realm}:email:${address}`, limit: this.config.LOGIN_LIMIT_PER_EMAIL },
    ];
    const wait = await this.limiter.retryAfter(limits, this.config.LOGIN_WINDOW_SECONDS * 1_000);
    if (wait !== null) throw new LoginRateLimited(wait);
    const result = await logIn();
    await this.redis
      .hdTakeBackAttempts(limits.length, ...limits.map((limit) => limit.key))
      .catch((err: unknown) => {
        this.logger.warn({ err }, 'login limit unavailable; a successful login stays counted');
      });
    return result;
  }
}
