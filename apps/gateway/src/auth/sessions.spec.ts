import { describe, expect, it } from '@jest/globals';
import { sessionClock } from './sessions.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const start = 1_000_000_000_000;

describe('sessionClock', () => {
  it('leaves sessions without a login alone', () => {
    expect(sessionClock({}, start, 12 * HOUR)).toBe('unchanged');
  });

  it('ends a session idle longer than its idle timeout', () => {
    const session = { startedAt: start, lastSeenAt: start, idleMs: 30 * MINUTE };
    expect(sessionClock(session, start + 30 * MINUTE, 12 * HOUR)).not.toBe('expired');
    expect(sessionClock(session, start + 30 * MINUTE + 1, 12 * HOUR)).toBe('expired');
  });

  it('ends even an active session at its absolute lifetime', () => {
    const session = { startedAt: start, lastSeenAt: start + 12 * HOUR - MINUTE, idleMs: 30 * MINUTE };
    expect(sessionClock(session, start + 12 * HOUR + 1, 12 * HOUR)).toBe('expired');
  });

  it('writes activity back at most once a minute', () => {
    const session = { startedAt: start, lastSeenAt: start, idleMs: 30 * MINUTE };
    expect(sessionClock(session, start + 59_999, 12 * HOUR)).toBe('unchanged');
    expect(sessionClock(session, start + MINUTE, 12 * HOUR)).toBe('note-activity');
  });

  it('writes activity back twice per idle timeout when that is shorter than two minutes', () => {
    const session = { startedAt: start, lastSeenAt: start, idleMs: MINUTE };
    expect(sessionClock(session, start + 29_999, 12 * HOUR)).toBe('unchanged');
    expect(sessionClock(session, start + 30_000, 12 * HOUR)).toBe('note-activity');
    // A request every 40 s: each one is written back, so the session never idles out.
    let lastSeenAt = start;
    for (let now = start + 40_000; now < start + 10 * MINUTE; now += 40_000) {
      expect(sessionClock({ ...session, lastSeenAt }, now, 12 * HOUR)).toBe('note-activity');
      lastSeenAt = now;
    }
  });
});
