import { describe, expect, it } from '@jest/globals';
import type { RpcClient } from '@helpdesk/kit';
import { randomUUID } from 'node:crypto';
import { DEFINITIONS_TTL_MS, DefinitionsCache, type AccountDefinitions } from './definitions-cache.js';

const accountId = randomUUID();
const other = randomUUID();

/** A cache whose announcements are recorded instead of published. */
function cacheWithEvents() {
  const emitted: [string, unknown][] = [];
  const rpc = {
    emit: (event: string, payload: unknown) => {
      emitted.push([event, payload]);
      return Promise.resolve();
    },
  };
  return { cache: new DefinitionsCache(rpc as unknown as RpcClient), emitted };
}

/** A loader that counts its reads and answers with the read's number as the only stage label. */
function counter() {
  let reads = 0;
  const load = (): Promise<AccountDefinitions> => {
    reads += 1;
    return Promise.resolve({ definitions: [], stageLabels: new Map([['stage', `read ${reads}`]]) });
  };
  return { load, reads: () => reads };
}

const label = async (definitions: Promise<AccountDefinitions>) =>
  (await definitions).stageLabels.get('stage');

describe('DefinitionsCache', () => {
  it('reads an account once while its entry is fresh, and again once it is older than the TTL', async () => {
    const { cache } = cacheWithEvents();
    const { load, reads } = counter();
    const now = 1_000_000;
    expect(await label(cache.get(accountId, load, now))).toBe('read 1');
    expect(await label(cache.get(accountId, load, now + DEFINITIONS_TTL_MS - 1))).toBe('read 1');
    expect(await label(cache.get(accountId, load, now + DEFINITIONS_TTL_MS))).toBe('read 2');
    expect(reads()).toBe(2);
  });

  it('shares one read among requests that arrive while it runs', async () => {
    const { cache } = cacheWithEvents();
    const { load, reads } = counter();
    const answers = await Promise.all([1, 2, 3].map(() => label(cache.get(accountId, load))));
    expect(answers).toEqual(['read 1', 'read 1', 'read 1']);
    expect(reads()).toBe(1);
  });

  it('reads again after a drop, also when the dropped read was still running', async () => {
    const { cache } = cacheWithEvents();
    const { load } = counter();
    await cache.get(accountId, load);
    cache.drop(accountId);
    expect(await label(cache.get(accountId, load))).toBe('read 2');
    cache.drop(accountId);
    const running = cache.get(accountId, load); // read 3 started before the change committed…
    cache.drop(accountId); // …and the change dropped it
    expect(await label(cache.get(accountId, load))).toBe('read 4');
    expect(await label(running)).toBe('read 3');
  });

  it('keeps other accounts when one is dropped, and none after clear', async () => {
    const { cache } = cacheWithEvents();
    const { load, reads } = counter();
    await cache.get(accountId, load);
    await cache.get(other, load);
    cache.drop(accountId);
    await cache.get(other, load);
    expect(reads()).toBe(2);
    cache.clear();
    await cache.get(other, load);
    expect(reads()).toBe(3);
  });

  it('does not remember a failed read', async () => {
    const { cache } = cacheWithEvents();
    const { load, reads } = counter();
    await expect(cache.get(accountId, () => Promise.reject(new Error('database away')))).rejects.toThrow(
      'database away',
    );
    expect(await label(cache.get(accountId, load))).toBe('read 1');
    expect(reads()).toBe(1);
  });

  it('announces a change after dropping the account here', async () => {
    const { cache, emitted } = cacheWithEvents();
    const { load } = counter();
    await cache.get(accountId, load);
    const payload = { accountId, name: 'plan', occurredAt: new Date().toISOString() };
    await cache.announce('ticket.property.changed', payload);
    expect(emitted).toEqual([['ticket.property.changed', payload]]);
    expect(await label(cache.get(accountId, load))).toBe('read 2');
  });
});
