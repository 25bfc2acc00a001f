import type { ResolvedPortal } from '@helpdesk/contracts';
import { RpcClient } from '@helpdesk/kit';
import { Controller, Get, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { assertCsrf } from '../auth/csrf.js';
import { LoginLimiter, LoginRateLimited } from '../auth/login-limiter.js';
import { endSession } from '../auth/sessions.js';
import { logInContact } from './contact-login.js';
import { ContactSessions } from './contact-sessions.js';
import { translatorFor, type MessageKey } from './i18n.js';
import { PortalContext } from './portal-context.js';
import { PortalErrorFilter } from './portal-error.filter.js';
import { contactOf, safeNext } from './portal-page.js';
import { SystemPages } from './system-pages.js';
import { errorCode, formField } from '../http/form-fields.js';

/**
 * The portal's way in and out (SPEC P6, S10, S14): login, logout, access denied. Sessions live in
 * Redis; the contact's sessions are indexed so that a revocation ends all of them.
 */
@ApiExcludeController()
@UseFilters(PortalErrorFilter)
@Controller(':slug')
export class PortalAuthController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly context: PortalContext,
    private readonly systemPages: SystemPages,
    private readonly sessions: ContactSessions,
    private readonly loginLimiter: LoginLimiter,
  ) {}

  @Get()
  async home(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.context.portalOf(slug, req, res);
    res.redirect(302, `/${portal.general.slug}/${contactOf(req, portal) ? 'tickets' : 'login'}`);
  }

  @Get('login')
  async loginPage(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.context.portalOf(slug, req, res);
    if (contactOf(req, portal)) return res.redirect(302, safeNext(portal.general.slug, req.query.next));
    const expired = req.query.expired === '1' || res.locals.sessionExpired === true;
    this.renderLogin(req, res, portal, { notice: expired ? 'sessionExpired' : null });
  }

  @Post('login')
  async login(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.context.portalOf(slug, req, res);
    assertCsrf(req);
    const email = formField(req.body, 'email').trim();
    const password = formField(req.body, 'password');
    const next = formField(req.body, 'next');
    if (!email || !password)
      return this.renderLogin(req, res, portal, { error: 'loginRequired', email, next }, 400);
    let contact;
    try {
      ({ contact } = await this.loginLimiter.attempt(req, `portal:${portal.accountId}`, email, () =>
        this.rpc.send('identity.portal.login', { accountId: portal.accountId, email, password }),
      ));
    } catch (error) {
      if (error instanceof LoginRateLimited) {
        res.setHeader('Retry-After', String(error.retryAfterSeconds));
        return this.renderLogin(
          req,
          res,
          portal,
          { error: 'loginTooMany', wait: error.retryAfterSeconds, email, next },
          429,
        );
      }
      const code = errorCode(error);
      if (code === 'INVALID_CREDENTIALS' || code === 'VALIDATION_FAILED')
        return this.renderLogin(req, res, portal, { error: 'loginFailed', email, next }, 401);
      if (code === 'PORTAL_ACCESS_DENIED') return res.redirect(303, `/${portal.general.slug}/access-denied`);
      throw error;
    }
    await logInContact(req, portal, contact, this.sessions);
    res.redirect(303, safeNext(portal.general.slug, next));
  }

  @Get('access-denied')
  async accessDenied(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.context.portalOf(slug, req, res);
    const t = translatorFor(portal.domain.language);
    this.systemPages.render(
      req,
      res,
      portal,
      'access_denied',
      { title: t.t('accessDeniedTitle'), data: { loginHref: `/${portal.general.slug}/login` } },
      403,
    );
  }

  @Post('logout')
  async logout(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.context.portalOf(slug, req, res);
    const contact = contactOf(req, portal);
    if (contact) {
      assertCsrf(req);
      await this.sessions.forget(contact.accountId, contact.contactId, req.sessionID);
      await endSession(req, res);
    }
    res.redirect(303, `/${portal.general.slug}/logout`);
  }

  @Get('logout')
  async loggedOut(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.context.portalOf(slug, req, res);
    const contact = contactOf(req, portal);
    const t = translatorFor(portal.domain.language);
    const base = `/${portal.general.slug}`;
    this.systemPages.render(req, res, portal, 'logout', {
      title: t.t(contact ? 'logOut' : 'loggedOutTitle'),
      data: { action: `${base}/logout`, stillLoggedIn: Boolean(contact), loginHref: `${base}/login` },
    });
  }

  private renderLogin(
    req: Request,
    res: Response,
    portal: ResolvedPortal,
    state: {
      notice?: MessageKey | null;
      error?: MessageKey;
      /** Seconds until a refused login may be tried again. */
      wait?: number;
      email?: string;
      next?: string;
    },
    status = 200,
  ): void {
    const t = translatorFor(portal.domain.language);
    const base = `/${portal.general.slug}`;
    // With single sign-on the provider checks passwords, so the page offers only the SSO button.
    const password = portal.access.authentication === 'password';
    this.systemPages.render(
      req,
      res,
      portal,
      'login',
      {
        title: t.t('loginTitle'),
        notice: state.notice ? t.t(state.notice) : null,
        error: state.error
          ? t.t(state.error, state.wait === undefined ? undefined : { wait: t.formatWait(state.wait) })
          : null,
        data: {
          action: `${base}/login`,
          email: state.email ?? '',
          next: safeNext(portal.general.slug, state.next ?? req.query.next),
          registrationHref:
            password && portal.access.mode === 'self_registration' ? `${base}/register` : null,
          resetHref: password ? `${base}/forgot-password` : null,
          ssoHref: password ? null : `${base}/sso`,
        },
      },
      status,
    );
  }
}
