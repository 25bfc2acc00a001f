import { Redis } from 'ioredis';

export const REDIS = Symbol('REDIS');

/**
 * The gateway's Redis client. Every key it names (sessions, rate-limit counters, preview links) is
 * relative: the client puts the deployment's REDIS_PREFIX and a colon in front, so systems sharing
 * one Redis never count or see each other's keys.
 */
export function createRedis(url: string, prefix: string): Redis {
  // Fail commands fast while Redis is away instead of queueing them without bound.
  return new Redis(url, {
    keyPrefix: `${prefix}:`,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    lazyConnect: false,
  });
}
