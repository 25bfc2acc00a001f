import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomInt, randomUUID } from 'node:crypto';
import { addInternalUser } from '../src/accounts.js';
import { startSystem, type System } from '../src/system.js';
import { PortalClient } from './portal-client.js';

// Password guessing at both logins, the portal's and the API's, over HTTP: failed logins are limited
// per email address and per client address before any password is checked, alike for known and
// unknown addresses. The gateway trusts X-Forwarded-For here, so each caller gets a client address of
// its own.

const DATABASE = 'helpdesk_test_e2e_login_limits';
const PER_EMAIL = 3;
const PER_IP = 6;

let system: System;
/**
 * Internal users of this run only (copies of the demo admin, password and all): the API's counters
 * per email address are not per account, so each test guesses at a user of its own.
 */
const admins = [`admin-${randomUUID()}@demo.test`, `admin-${randomUUID()}@demo.test`];

const network = `10.${randomInt(256)}.${randomInt(256)}`;
let hosts = 0;
const newClientAddress = () => `${network}.${++hosts}`;

interface Answer {
  status: number;
  retryAfter: string | null;
  body: string;
}

/** Logs in through the portal's login form from a client address, as a browser without script does. */
async function portalLogin(ip: string, email: string, password: string): Promise<Answer> {
  const base = system.url.replace('127.0.0.1', 'localhost');
  const headers = { 'x-forwarded-for': ip, accept: 'text/html' };
  const page = await fetch(`${base}/support/login`, { headers });
  const cookie = page.headers
    .getSetCookie()
    .find((c) => c.startsWith('hd.sid='))!
    .split(';')[0];
  const answer = await fetch(`${base}/support/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...headers, cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: PortalClient.csrfOf(await page.text()), email, password }).toString(),
  });
  return { status: answer.status, retryAfter: answer.headers.get('retry-after'), body: await answer.text() };
}

async function apiLogin(ip: string, email: string, password: string): Promise<Answer> {
  const answer = await fetch(`${system.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'x-forwarded-for': ip, 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return { status: answer.status, retryAfter: answer.headers.get('retry-after'), body: await answer.text() };
}

/** A login page without what differs from one request to the next: the form token, the CSP nonce, the typed email. */
const samePage = (body: string, email: string) =>
  body
    .replace(/name="_csrf" value="[^"]+"/g, '')
    .replace(/nonce="[^"]+"/g, '')
    .replaceAll(email, 'EMAIL');

beforeAll(async () => {
  system = await startSystem({
    database: DATABASE,
    env: {
      TRUST_PROXY: 'true',
      LOGIN_LIMIT_PER_EMAIL: String(PER_EMAIL),
      LOGIN_LIMIT_PER_IP: String(PER_IP),
    },
  });
  for (const email of admins) await addInternalUser(system.databaseUrl, { like: 'admin@demo.test', email });
}, 180_000);

afterAll(async () => {
  await system?.close();
});

describe('the portal login under password guessing', () => {
  it('refuses an email address after its failures, even with the right password, from any client address', async () => {
    const guesser = newClientAddress();
    for (let i = 0; i < PER_EMAIL; i++)
      expect((await portalLogin(guesser, 'bob@acme.test', `guess ${i}`)).status).toBe(401);

    const refused = await portalLogin(newClientAddress(), 'bob@acme.test', 'demo-password');
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(900);
    // When to try again, as the Retry-After header says, in whole minutes rounded up: the window is
    // 15 minutes.
    const minutes = Math.ceil(Number(refused.retryAfter) / 60);
    expect(minutes).toBeGreaterThan(1);
    expect(refused.body).toContain(`Too many attempts. Try again in ${minutes} minutes.`);
    expect(refused.body).toContain('value="bob@acme.test"');

    // Another address from the guessing client still gets in: that client has failures to spare.
    expect((await portalLogin(guesser, 'alice@acme.test', 'demo-password')).status).toBe(303);
  });

  it('refuses a client address after its failures, whichever email it tries next', async () => {
    const sprayer = newClientAddress();
    for (let i = 0; i < PER_IP; i++)
      expect((await portalLogin(sprayer, `person-${i}@acme.test`, 'Summer2024!')).status).toBe(401);
    const refused = await portalLogin(sprayer, 'carol@globex.test', 'demo-password');
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect((await portalLogin(newClientAddress(), 'carol@globex.test', 'demo-password')).status).toBe(303);
  });

  it('does not count successful logins', async () => {
    const office = newClientAddress();
    for (let i = 0; i < PER_IP + 2; i++)
      expect((await portalLogin(office, 'alice@acme.test', 'demo-password')).status).toBe(303);
  });

  it('answers a known and an unknown email address alike, refusal included', async () => {
    const known = 'alice@acme.test';
    const unknown = `nobody-${randomUUID()}@globex.test`;
    const tries = async (email: string) => {
      const ip = newClientAddress();
      const answers = [];
      for (let i = 0; i <= PER_EMAIL; i++) answers.push(await portalLogin(ip, email, 'not the password'));
      return answers;
    };
    const forKnown = await tries(known);
    const forUnknown = await tries(unknown);
    expect(forKnown.map((a) => a.status)).toEqual([...Array<number>(PER_EMAIL).fill(401), 429]);
    expect(forUnknown.map((a) => [a.status, samePage(a.body, unknown), a.retryAfter !== null])).toEqual(
      forKnown.map((a) => [a.status, samePage(a.body, known), a.retryAfter !== null]),
    );
  });
});

describe('the API login under password guessing', () => {
  it('answers 429 JSON with Retry-After once an email address has failed too often, even with the right password', async () => {
    for (let i = 0; i < PER_EMAIL; i++) {
      const failed = await apiLogin(newClientAddress(), admins[0], `guess ${i}`);
      expect(failed.status).toBe(401);
    }
    const refused = await apiLogin(newClientAddress(), admins[0], 'demo-password');
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(900);
    expect(JSON.parse(refused.body)).toMatchObject({
      error: { code: 'TOO_MANY_ATTEMPTS', message: expect.stringContaining('Too many failed logins') },
    });
  });

  it('counts a client address’s failures at both logins together, and answers unknown emails alike', async () => {
    const sprayer = newClientAddress();
    const unknown = `ghost-${randomUUID()}@demo.test`;
    const answers = [];
    for (let i = 0; i < PER_IP / 2; i++) {
      answers.push(await apiLogin(sprayer, unknown, `guess ${i}`));
      expect((await portalLogin(sprayer, `person-${i}@acme.test`, `guess ${i}`)).status).toBe(401);
    }
    answers.push(await apiLogin(sprayer, admins[1], 'demo-password'));
    expect(answers.map((a) => a.status)).toEqual([...Array<number>(PER_IP / 2).fill(401), 429]);

    // The unknown address's refusals read as a known one's.
    const known = await apiLogin(newClientAddress(), admins[1], 'not the password');
    const stripped = (body: string) => ({
      ...(JSON.parse(body) as { error: object }).error,
      correlationId: null,
    });
    expect(stripped(answers[0].body)).toEqual(stripped(known.body));
    expect(known.status).toBe(401);
  });
});
