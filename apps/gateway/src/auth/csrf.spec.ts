import { describe, expect, it } from '@jest/globals';
import type { Request } from 'express';
import { AppError } from '@helpdesk/kit';
import { assertCsrf, csrfToken, csrfValid, CsrfRejectedError, refuseCrossOriginWrites } from './csrf.js';

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

describe('refuseCrossOriginWrites', () => {
  /** What the middleware passes on for a request to http://helpdesk.test with these headers. */
  const passed = (method: string, headers: Record<string, string>) => {
    const req = {
      method,
      protocol: 'http',
      host: 'helpdesk.test',
      header: (name: string) => headers[name],
    } as unknown as Request;
    let result: unknown = 'not called';
    refuseCrossOriginWrites(req, {} as never, (error?: unknown) => (result = error));
    return result;
  };

  it('lets scripts (no Origin, no Fetch Metadata) and same-origin pages through', () => {
    expect(passed('POST', {})).toBeUndefined();
    expect(
      passed('DELETE', { 'sec-fetch-site': 'same-origin', origin: 'http://helpdesk.test' }),
    ).toBeUndefined();
    expect(passed('PATCH', { origin: 'http://helpdesk.test' })).toBeUndefined();
  });

  it('refuses a change another site (a sibling subdomain too) asks for in a browser', () => {
    for (const headers of [
      { 'sec-fetch-site': 'cross-site', origin: 'https://evil.test' } as Record<string, string>,
      { 'sec-fetch-site': 'same-site', origin: 'http://support.helpdesk.test' },
      { origin: 'https://evil.test' },
      { origin: 'https://helpdesk.test' },
      { origin: 'null' },
    ]) {
      const error = passed('POST', headers);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('FORBIDDEN');
    }
  });

  it('lets reading requests through from anywhere', () => {
    expect(passed('GET', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.test' })).toBeUndefined();
    expect(passed('HEAD', { 'sec-fetch-site': 'cross-site' })).toBeUndefined();
  });
});
