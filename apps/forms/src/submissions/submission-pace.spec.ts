import { describe, expect, it } from '@jest/globals';
import type { FormsConfig } from '../config.js';
import { SubmissionPace } from './submission-pace.js';

const pace = (limit = 5, maxMs = 300) =>
  new SubmissionPace({ OUTBOX_YIELD_ABOVE_PER_SECOND: limit, OUTBOX_YIELD_MAX_MS: maxMs } as FormsConfig);

describe('deliveries yielding to accepted submissions', () => {
  it('counts the submissions of the last second only', () => {
    const p = pace();
    const t = 1_000_000;
    for (let i = 0; i < 7; i++) p.accepted(t + i * 50);
    expect(p.perSecond(t + 400)).toBe(7);
    expect(p.perSecond(t + 1_050)).toBe(5); // the first 100 ms slot (two) has left the window
    expect(p.perSecond(t + 1_500)).toBe(0);
    p.accepted(t + 60_000);
    expect(p.perSecond(t + 60_000)).toBe(1);
  });

  it('waits while accepting is busy, but never longer than the longest wait', async () => {
    const busy = pace(5, 300);
    for (let i = 0; i < 20; i++) busy.accepted();
    const started = Date.now();
    await busy.yieldToSubmissions();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(1_000);

    const calm = pace(5, 300);
    const quick = Date.now();
    await calm.yieldToSubmissions();
    expect(Date.now() - quick).toBeLessThan(50);

    const never = pace(0, 300);
    for (let i = 0; i < 20; i++) never.accepted();
    const free = Date.now();
    await never.yieldToSubmissions();
    expect(Date.now() - free).toBeLessThan(50);
  });
});
