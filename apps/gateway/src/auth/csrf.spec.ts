import { describe, expect, it } from '@jest/globals';
import type { Request } from 'express';
import { assertCsrf, csrfToken, csrfValid, CsrfRejectedError } from './csrf.js';

const request = (session: { csrfToken?: string }, body: Record<string, unknown>, header?: string) =>
  ({
    session,
    body,
    header: (name: string) => (name === 'x-csrf-token' ? header : undefined),
  }) as unknown as Request;

describe('csrf', () => {
  it('keeps one random token per session', () => {
    const session: { csrfToken?: string } = {};
    const token = csrfToken(session);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(csrfToken(session)).toBe(token);
    expect(csrfToken({})).not.toBe(token);
  });

  it("accepts only the session's own token", () => {
    const session: { csrfToken?: string } = {};
    const token = csrfToken(session);
    expect(csrfValid(session, token)).toBe(true);
    expect(csrfValid(session, csrfToken({}))).toBe(false);
    expect(csrfValid(session, token.slice(1))).toBe(false);
    expect(csrfValid(session, undefined)).toBe(false);
    expect(csrfValid(session, [token])).toBe(false);
  });

  it('refuses every post while the session has no token, even an empty one', () => {
    expect(csrfValid({}, '')).toBe(false);
    expect(csrfValid(undefined, 'anything')).toBe(false);
  });

  it('takes the token from the form field or the header and rejects posts without it', () => {
    const session: { csrfToken?: string } = {};
    const token = csrfToken(session);
    expect(() => assertCsrf(request(session, { _csrf: token }))).not.toThrow();
    expect(() => assertCsrf(request(session, {}, token))).not.toThrow();
    expect(() => assertCsrf(request(session, {}))).toThrow(CsrfRejectedError);
    expect(() => assertCsrf(request(session, { _csrf: 'forged' }))).toThrow(CsrfRejectedError);
  });
});
