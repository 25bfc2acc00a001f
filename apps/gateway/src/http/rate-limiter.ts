import { LOGGER, type Logger } from '@helpdesk/kit';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '../redis.js';

/**
 * Counts one attempt under every key and answers each count with its window's remaining time: one
 * round trip (EVALSHA) however many limits apply, a fraction of what a MULTI of the same commands costs.
 */
const COUNT_SCRIPT = `
local result = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('PEXPIRE', key, ARGV[1]) end
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then redis.call('PEXPIRE', key, ARGV[1]); ttl = tonumber(ARGV[1]) end
  result[#result + 1] = count
  result[#result + 1] = ttl
end
return result`;

type CountingRedis = Redis & {
  // Without a fixed numberOfKeys, ioredis takes the key count as the first argument.
  hdCountAttempts(keyCount: number, ...keysThenWindowMs: (string | number)[]): Promise<number[]>;
};

/** One counter: its Redis key and how many attempts a window allows under it. */
export interface RateLimit {
  key: string;
  limit: number;
}

/**
 * Fixed-window rate limits in Redis, shared by every gateway replica: a window starts at its key's
 * first attempt. Every attempt counts, refused ones too. When Redis does not answer, the attempt is
 * let through (and a warning logged): losing a customer's request is worse than a burst of spam.
 */
@Injectable()
export class RateLimiter {
  private readonly redis: CountingRedis;

  constructor(
    @Inject(REDIS) redis: Redis,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    if (!('hdCountAttempts' in redis)) redis.defineCommand('hdCountAttempts', { lua: COUNT_SCRIPT });
    this.redis = redis as CountingRedis;
  }

  /**
   * Counts this attempt under every limit's key; answers null when it is within all of them, else
   * the seconds until the longest-blocked window ends (when to try again).
   */
  async retryAfter(limits: RateLimit[], windowMs: number): Promise<number | null> {
    let counts: number[];
    try {
      counts = (
        await this.redis.hdCountAttempts(limits.length, ...limits.map((limit) => limit.key), windowMs)
      ).map(Number);
    } catch (err) {
      this.logger.warn({ err }, 'rate limit unavailable; letting the request through');
      return null;
    }
    const waits = limits
      .map((limit, index) => (counts[index * 2] > limit.limit ? counts[index * 2 + 1] : null))
      .filter((wait) => wait !== null);
    return waits.length ? Math.max(1, Math.ceil(Math.max(...waits) / 1_000)) : null;
  }
}
