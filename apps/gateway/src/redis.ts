import { Redis } from 'ioredis';

export const REDIS = Symbol('REDIS');

export function createRedis(url: string): Redis {
  // Fail commands fast while Redis is away instead of queueing them without bound.
  return new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: true, lazyConnect: false });
}
