import { RpcClient } from '@helpdesk/kit';
import { Controller, Get, Inject, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { assertCsrf } from '../auth/csrf.js';
import { LoginLimiter, LoginRateLimited } from '../auth/login-limiter.js';
import { endSession, logInSession } from '../auth/sessions.js';
import { viewerOf, type InternalViewer } from '../auth/viewer.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { errorCode, formField, safeNextPath } from '../http/form-fields.js';
import { PageViews } from '../http/page-views.js';
import { AdminErrorFilter } from './admin-error.filter.js';
import { adminLayoutData, adminNext, homeOf, requireAdmin } from './admin-page.js';

const internalUserOf = (req: Request): InternalViewer | undefined => {
  const viewer = viewerOf(req);
  return viewer?.kind === 'internal' ? viewer : undefined;
};

/** Minutes, rounded up, for "try again in …". */
const minutes = (seconds: number) => Math.max(1, Math.ceil(seconds / 60));

/**
 * The admin area's way in and out: internal users (admins, agents) log in with email and password,
 * limited like the API's login (the same LoginLimiter and counters), and land on the page they
 * asked for or their first section.
 */
@ApiExcludeController()
@UseFilters(AdminErrorFilter)
@Controller('admin')
export class AdminAuthController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly views: PageViews,
    private readonly loginLimiter: LoginLimiter,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get()
  home(@Req() req: Request, @Res() res: Response) {
    const user = internalUserOf(req);
    res.redirect(302, user ? homeOf(user) : '/admin/login');
  }

  @Get('login')
  loginPage(@Req() req: Request, @Res() res: Response) {
    const user = internalUserOf(req);
    if (user) return res.redirect(302, adminNext(req.query.next, user));
    const expired = req.query.expired === '1' || res.locals.sessionExpired === true;
    this.renderLogin(req, res, {
      notice: expired ? 'Your session ended after a time without activity. Log in again.' : null,
    });
  }

  @Post('login')
  async login(@Req() req: Request, @Res() res: Response) {
    assertCsrf(req);
    const email = formField(req.body, 'email').trim();
    const password = formField(req.body, 'password');
    const next = formField(req.body, 'next');
    if (!email || !password)
      return this.renderLogin(
        req,
        res,
        { error: 'Enter your email address and password.', email, next },
        400,
      );
    let user;
    try {
      user = await this.loginLimiter.attempt(req, 'users', email, () =>
        this.rpc.send('identity.users.authenticate', { email, password }),
      );
    } catch (error) {
      if (error instanceof LoginRateLimited) {
        res.setHeader('Retry-After', String(error.retryAfterSeconds));
        const wait = minutes(error.retryAfterSeconds);
        const error_ = `Too many failed attempts. Try again in ${wait} minute${wait === 1 ? '' : 's'}.`;
        return this.renderLogin(req, res, { error: error_, email, next }, 429);
      }
      const code = errorCode(error);
      if (code === 'INVALID_CREDENTIALS' || code === 'VALIDATION_FAILED')
        return this.renderLogin(
          req,
          res,
          { error: 'The email address or password is wrong.', email, next },
          401,
        );
      throw error;
    }
    const viewer: InternalViewer = { kind: 'internal', ...user };
    await logInSession(req, viewer, this.config.ADMIN_SESSION_IDLE_MINUTES);
    res.redirect(303, adminNext(next, viewer));
  }

  @Post('logout')
  async logout(@Req() req: Request, @Res() res: Response) {
    if (internalUserOf(req)) {
      assertCsrf(req);
      await endSession(req, res);
    }
    res.redirect(303, '/admin/login?loggedOut=1');
  }

  /** For a user none of whose permissions opens an admin page (yet): says so instead of a 403. */
  @Get('welcome')
  welcome(@Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req);
    this.views.render(res, 'admin/welcome.liquid', {
      ...adminLayoutData(req, user, { title: 'Welcome' }),
      permissions: user.permissions,
    });
  }

  private renderLogin(
    req: Request,
    res: Response,
    state: { notice?: string | null; error?: string; email?: string; next?: string },
    status = 200,
  ): void {
    this.views.render(
      res,
      'admin/login.liquid',
      {
        ...adminLayoutData(req, undefined, { title: 'Log in' }),
        notice: state.notice ?? (req.query.loggedOut === '1' ? 'You are logged out.' : null),
        error: state.error ?? null,
        email: state.email ?? '',
        next: safeNextPath(state.next ?? req.query.next, '/admin/', ''),
      },
      status,
    );
  }
}
