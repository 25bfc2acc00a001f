import { AppError } from '@helpdesk/kit';
import { RedisStore } from 'connect-redis';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import type { Redis } from 'ioredis';
import passport from 'passport';
import type { GatewayConfig } from '../config.js';
import type { Viewer } from './viewer.js';

export const SESSION_COOKIE = 'hd.sid';
/** Where a session lives in Redis: this prefix and the session id (under the deployment's REDIS_PREFIX). */
export const SESSION_KEY_PREFIX = 'sess:';

/**
 * How often an active session's last-seen time is written back (and its idle clock restarted): once
 * a minute, or twice per idle timeout when that is shorter, so that activity keeps even a session
 * with a one-minute timeout alive.
 */
const SEEN_RESOLUTION_MS = 60_000;

/**
 * Server-side sessions in Redis: the cookie holds only a signed id, and lives as long as the
 * absolute lifetime. The idle timeout is enforced here from a last-seen time that is written at
 * most once a minute, so an ordinary request costs one Redis read and no write.
 */
export function sessionMiddleware(config: GatewayConfig, redis: Redis): RequestHandler[] {
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  const absoluteMs = config.SESSION_ABSOLUTE_HOURS * 3_600_000;
  const enforceLifetime = (req: Request, res: Response, next: NextFunction) => {
    const now = Date.now();
    switch (sessionClock(req.session, now, absoluteMs)) {
      case 'expired':
        // A fresh, empty session replaces the expired one (whose data is deleted from Redis); pages
        // may tell the visitor why they have to log in again.
        req.session.regenerate((error) => {
          res.locals.sessionExpired = true;
          next(error);
        });
        return;
      case 'note-activity':
        req.session.lastSeenAt = now;
        return next();
      case 'unchanged':
        return next();
    }
  };
  const sessions = session({
    name: SESSION_COOKIE,
    secret: config.SESSION_SECRET,
    // No TTL refresh per request: the store's TTL follows the cookie (the absolute lifetime).
    store: new RedisStore({ client: redis, prefix: SESSION_KEY_PREFIX, disableTouch: true }),
    resave: false,
    saveUninitialized: false,
    rolling: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', maxAge: absoluteMs },
  });
  // The only errors the session middleware passes on are its store's: Redis is away. That is an
  // unavailable dependency (503 with Retry-After, like a service that is down), not a 500.
  const sessionsOrUnavailable: RequestHandler = (req, res, next) =>
    sessions(req, res, (error?: unknown) =>
      error === undefined
        ? next()
        : next(new AppError('SERVICE_UNAVAILABLE', 'Sessions are not available right now; try again soon')),
    );
  return [
    sessionsOrUnavailable,
    enforceLifetime,
    passport.initialize() as RequestHandler,
    passport.session() as RequestHandler,
  ];
}

/** What a request does to its session's clock: end it, write the activity back, or nothing. */
export function sessionClock(
  session: { startedAt?: number; lastSeenAt?: number; idleMs?: number },
  now: number,
  absoluteMs: number,
): 'expired' | 'note-activity' | 'unchanged' {
  const { startedAt, lastSeenAt, idleMs } = session;
  if (startedAt === undefined) return 'unchanged'; // nobody logged in
  if (now - startedAt > absoluteMs) return 'expired';
  if (lastSeenAt !== undefined && idleMs !== undefined && now - lastSeenAt > idleMs) return 'expired';
  const resolution = Math.min(SEEN_RESOLUTION_MS, (idleMs ?? Infinity) / 2);
  return lastSeenAt === undefined || now - lastSeenAt >= resolution ? 'note-activity' : 'unchanged';
}

/** Marks a session as just logged in, with the idle timeout that applies to this kind of viewer. */
export function startSessionClock(req: Request, idleMinutes: number): void {
  const now = Date.now();
  req.session.startedAt = now;
  req.session.lastSeenAt = now;
  req.session.idleMs = idleMinutes * 60_000;
}

/** Passport's callback style as a promise. */
const settled = (call: (done: (error?: unknown) => void) => void) =>
  new Promise<void>((resolve, reject) =>
    call((error) =>
      error ? reject(error instanceof Error ? error : new Error('passport session error')) : resolve(),
    ),
  );

/**
 * Logs the viewer in and starts the session's clock. Passport regenerates the session id here, so
 * an id planted before login is worthless after it.
 */
export async function logInSession(req: Request, viewer: Viewer, idleMinutes: number): Promise<void> {
  await settled((done) => req.logIn(viewer, done));
  startSessionClock(req, idleMinutes);
}

/** A new session id and an empty session; the old one is deleted from the store. */
export function renewSession(req: Request): Promise<void> {
  return settled((done) => req.session.regenerate(done));
}

/** Logs out and deletes the session from the store, so the old cookie names nothing any more. */
export async function endSession(req: Request, res: Response): Promise<void> {
  await settled((done) => req.logOut(done));
  await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
  res.clearCookie(SESSION_COOKIE);
}
