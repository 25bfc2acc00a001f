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
});
