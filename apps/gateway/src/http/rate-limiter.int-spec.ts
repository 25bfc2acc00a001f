import { afterAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@helpdesk/kit';
import { deleteRedisKeys, freePort, LogCapture } from '@helpdesk/testing';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { createRedis } from '../redis.js';
import { RateLimiter } from './rate-limiter.js';

// The gateway's rate limiter against the machine's Redis, through the gateway's own client under a
// REDIS_PREFIX of this run; `raw` (no prefix) looks at the keys as Redis stores them.
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test-rl-${randomUUID()}`;
const redis = createRedis(url, prefix);
const raw = new Redis(url, { maxRetriesPerRequest: 1 });
const logger = createLogger({ service: 'gateway-test', level: 'silent' });
const limiter = new RateLimiter(redis, logger);

afterAll(async () => {
  await deleteRedisKeys(`${prefix}:*`);
  redis.disconnect();
  raw.disconnect();
});

describe('RateLimiter', () => {
  it('lets attempts through up to each limit, then answers when to retry', async () => {
    const limits = [
      { key: `a:ip`, limit: 3 },
      { key: `a:email`, limit: 5 },
    ];
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await limiter.retryAfter(limits, 60_000));
    expect(answers.slice(0, 3)).toEqual([null, null, null]);
    expect(answers[3]).toBeGreaterThanOrEqual(59);
    expect(answers[3]).toBeLessThanOrEqual(60);
    expect(await raw.get(`${prefix}:a:email`)).toBe('4'); // refused attempts count too
  });

  it('refuses when any one limit is over, whatever the others say', async () => {
    const shared = { key: `b:email`, limit: 1 };
    expect(await limiter.retryAfter([{ key: `b:ip1`, limit: 100 }, shared], 30_000)).toBeNull();
    expect(await limiter.retryAfter([{ key: `b:ip2`, limit: 100 }, shared], 30_000)).toBe(30);
  });

  it('counts one key or several in one round trip, each in its own window', async () => {
    expect(await limiter.retryAfter([{ key: `c:one`, limit: 1 }], 2_000)).toBeNull();
    const three = ['x', 'y', 'z'].map((name) => ({ key: `c:${name}`, limit: 1 }));
    expect(await limiter.retryAfter(three, 10_000)).toBeNull();
    expect(await limiter.retryAfter([three[2]], 10_000)).toBe(10);
    expect(await raw.pttl(`${prefix}:c:one`)).toBeLessThanOrEqual(2_000);
    expect(await raw.pttl(`${prefix}:c:x`)).toBeGreaterThan(2_000);
  });

  it('lets the attempt through and warns when Redis does not answer', async () => {
    const logs = new LogCapture();
    const away = new Redis(`redis://127.0.0.1:${await freePort()}`, {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      lazyConnect: true,
    });
    away.on('error', () => undefined);
    const blind = new RateLimiter(
      away,
      createLogger({ service: 'gateway-test', level: 'warn', destination: logs }),
    );
    expect(await blind.retryAfter([{ key: `d`, limit: 1 }], 1_000)).toBeNull();
    expect(logs.lines.map((line) => line.msg)).toEqual([
      'rate limit unavailable; letting the request through',
    ]);
    away.disconnect();
  });
});
