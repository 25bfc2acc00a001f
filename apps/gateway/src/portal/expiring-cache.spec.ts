import { describe, expect, it, jest } from '@jest/globals';
import { ExpiringCache } from './expiring-cache.js';

describe('ExpiringCache', () => {
  it('shares one call per key until it expires', async () => {
    const cache = new ExpiringCache<number>(1_000);
    const load = jest.fn(() => Promise.resolve(7));
    expect(await cache.get('a', load, 0)).toBe(7);
    expect(await cache.get('a', load, 999)).toBe(7);
    expect(load).toHaveBeenCalledTimes(1);
    await cache.get('a', load, 1_000);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('keeps keys apart and forgets a key, or all, on demand', async () => {
    const cache = new ExpiringCache<string>(1_000);
    const load = jest.fn((key: string) => Promise.resolve(key));
    await cache.get('a', () => load('a'), 0);
    await cache.get('b', () => load('b'), 0);
    cache.delete('a');
    await cache.get('a', () => load('a'), 1);
    await cache.get('b', () => load('b'), 1);
    expect(load.mock.calls.map(([key]) => key)).toEqual(['a', 'b', 'a']);
    cache.clear();
    await cache.get('b', () => load('b'), 2);
    expect(load).toHaveBeenCalledTimes(4);
  });

  it('does not keep a failure', async () => {
    const cache = new ExpiringCache<number>(1_000);
    await expect(cache.get('a', () => Promise.reject(new Error('down')), 0)).rejects.toThrow('down');
    expect(await cache.get('a', () => Promise.resolve(1), 1)).toBe(1);
  });

  it('starts over past its size limit', async () => {
    const cache = new ExpiringCache<number>(1_000, 2);
    const load = jest.fn(() => Promise.resolve(1));
    await cache.get('a', load, 0);
    await cache.get('b', load, 0);
    await cache.get('c', load, 0); // clears a and b
    await cache.get('a', load, 0);
    expect(load).toHaveBeenCalledTimes(4);
  });
});
