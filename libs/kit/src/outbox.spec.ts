import { describe, expect, it } from '@jest/globals';
import { defineOutbox, OutboxRecord, outboxRetryDelayMs, outboxRow } from './outbox.js';

const backoff = { baseMs: 1_000, maxMs: 60_000 };

describe('outbox retry delays', () => {
  it('doubles from the base delay with each failed attempt (no jitter at the top of the range)', () => {
    const top = () => 1;
    expect([1, 2, 3, 4, 5, 6].map((attempts) => outboxRetryDelayMs(attempts, backoff, top))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000,
    ]);
  });

  it('never waits longer than the cap, however many attempts failed', () => {
    for (const attempts of [7, 8, 20, 64, 1_100, Number.MAX_SAFE_INTEGER])
      expect(outboxRetryDelayMs(attempts, backoff, () => 1)).toBe(60_000);
  });

  it('jitters between half and all of the delay', () => {
    expect(outboxRetryDelayMs(3, backoff, () => 0)).toBe(2_000);
    expect(outboxRetryDelayMs(3, backoff, () => 0.5)).toBe(3_000);
    expect(outboxRetryDelayMs(30, backoff, () => 0)).toBe(30_000);
    for (let i = 0; i < 200; i++) {
      const delay = outboxRetryDelayMs(4, backoff);
      expect(delay).toBeGreaterThanOrEqual(4_000);
      expect(delay).toBeLessThanOrEqual(8_000);
    }
  });

  it('treats a zero, negative or fractional attempt count as the first attempt', () => {
    for (const attempts of [0, -3, 0.5, 1.9])
      expect(outboxRetryDelayMs(attempts, backoff, () => 1)).toBe(1_000);
  });

  it('keeps a broken random source inside the range', () => {
    expect(outboxRetryDelayMs(2, backoff, () => 7)).toBe(2_000);
    expect(outboxRetryDelayMs(2, backoff, () => -7)).toBe(1_000);
  });
});

describe('outbox table', () => {
  it('names its table and indexes in the service schema', () => {
    class ThingOutbox extends OutboxRecord {}
    const outbox = defineOutbox(ThingOutbox, { schema: 'things' });
    expect(outbox).toEqual({ entity: ThingOutbox, table: '"things"."outbox"', name: 'things' });
  });

  it('makes rows with a fresh id, leaving times and attempts to the database', () => {
    const a = outboxRow('2b0b1f7e-8c1c-4b8f-9d6c-0d7d3c0b9a11', 'notify', { messageId: 'm' });
    const b = outboxRow('2b0b1f7e-8c1c-4b8f-9d6c-0d7d3c0b9a11', 'notify', { messageId: 'm' });
    expect(a).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      accountId: '2b0b1f7e-8c1c-4b8f-9d6c-0d7d3c0b9a11',
      kind: 'notify',
      payload: { messageId: 'm' },
    });
    expect(a.id).not.toBe(b.id);
  });
});
