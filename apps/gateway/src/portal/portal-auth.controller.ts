import type { ResolvedPortal } from '@helpdesk/contracts';
import { RpcClient } from '@helpdesk/kit';
import { Controller, Get, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { assertCsrf, csrfToken } from '../auth/csrf.js';
import { endSession, logInSession } from '../auth/sessions.js';
import type { ContactViewer } from '../auth/viewer.js';
import { ContactSessions } from './contact-sessions.js';
import { translatorFor, type MessageKey } from './i18n.js';
import { errorCode, formField, PortalContext } from './portal-context.js';
import { PortalErrorFilter } from './portal-error.filter.js';
import { contactOf, layoutData, safeNext } from './portal-page.js';
import { PortalViews } from './portal-views.js';

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
    private readonly views: PortalViews,
    private readonly sessions: ContactSessions,
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
    await this.renderLogin(req, res, portal, { notice: expired ? 'sessionExpired' : null });
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
      ({ contact } = await this.rpc.send('identity.portal.login', {
        accountId: portal.accountId,
        email,
        password,
      }));
    } catch (error) {
      const code = errorCode(error);
      if (code === 'INVALID_CREDENTIALS' || code === 'VALIDATION_FAILED')
        return this.renderLogin(req, res, portal, { error: 'loginFailed', email, next }, 401);
      if (code === 'TOO_MANY_ATTEMPTS') {
        res.setHeader('Retry-After', '5');
        return this.renderLogin(req, res, portal, { error: 'loginTooMany', email, next }, 429);
      }
      if (code === 'PORTAL_ACCESS_DENIED') return res.redirect(303, `/${portal.general.slug}/access-denied`);
      throw error;
    }
    const viewer: ContactViewer = {
      kind: 'contact',
      accountId: portal.accountId,
      portalId: portal.id,
      contactId: contact.id,
      email: contact.email,
      firstName: contact.firstName,
      lastName: contact.lastName,
      primaryCompanyId: contact.primaryCompanyId,
    };
    await logInSession(req, viewer, portal.access.sessionIdleMinutes);
    csrfToken(req.session);
    await this.sessions.remember(portal.accountId, contact.id, req.sessionID);
    res.redirect(303, safeNext(portal.general.slug, next));
  }

  @Get('access-denied')
  async accessDenied(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.context.portalOf(slug, req, res);
    const t = translatorFor(portal.domain.language);
    await this.views.render(
      res,
      'access-denied.liquid',
      { ...layoutData(req, portal, { title: t.t('accessDeniedTitle') }) },
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
    await this.views.render(res, 'logout.liquid', {
      ...layoutData(req, portal, { title: t.t(contact ? 'logOut' : 'loggedOutTitle') }),
      stillLoggedIn: Boolean(contact),
    });
  }

  private async renderLogin(
    req: Request,
    res: Response,
    portal: ResolvedPortal,
    state: { notice?: MessageKey | null; error?: MessageKey; email?: string; next?: string },
    status = 200,
  ): Promise<void> {
    const t = translatorFor(portal.domain.language);
    await this.views.render(
      res,
      'login.liquid',
      {
        ...layoutData(req, portal, { title: t.t('loginTitle') }),
        notice: state.notice ? t.t(state.notice) : null,
        error: state.error ? t.t(state.error) : null,
        email: state.email ?? '',
        next: safeNext(portal.general.slug, state.next ?? req.query.next),
        // Registration and password reset pages come with the next part of the portal; until they
        // exist the login page links to neither (S10's "Register here" appears with them).
        registrationHref: null,
        resetHref: null,
        ssoNote: portal.access.authentication === 'oidc' ? t.t('ssoNotAvailable') : null,
      },
      status,
    );
  }
}
