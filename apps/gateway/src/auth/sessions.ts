import { RedisStore } from 'connect-redis';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import type { Redis } from 'ioredis';
import passport from 'passport';
import type { GatewayConfig } from '../config.js';

export const SESSION_COOKIE = 'hd.sid';

/**
 * Server-side sessions in Redis: the cookie holds only a signed id. The idle timeout rolls with each
 * request; the absolute lifetime ends a session however active it is.
 */
export function sessionMiddleware(config: GatewayConfig, redis: Redis): RequestHandler[] {
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  const absoluteMs = config.SESSION_ABSOLUTE_HOURS * 3_600_000;
  const enforceAbsoluteLifetime = (req: Request, _res: Response, next: NextFunction) => {
    const startedAt = req.session?.startedAt;
    if (startedAt !== undefined && Date.now() - startedAt > absoluteMs) {
      req.session.destroy(() => next());
      return;
    }
    next();
  };
  return [
    session({
      name: SESSION_COOKIE,
      secret: config.SESSION_SECRET,
      store: new RedisStore({ client: redis, prefix: 'hd:sess:' }),
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure: 'auto',
        maxAge: config.ADMIN_SESSION_IDLE_MINUTES * 60_000,
      },
    }),
    enforceAbsoluteLifetime,
    passport.initialize() as RequestHandler,
    passport.session() as RequestHandler,
  ];
}
