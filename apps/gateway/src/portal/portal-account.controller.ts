import type { ResolvedPortal, RpcResponse } from '@helpdesk/contracts';
import { AppError, RpcClient } from '@helpdesk/kit';
import { Controller, Get, Inject, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { assertCsrf } from '../auth/csrf.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { RateLimiter } from '../http/rate-limiter.js';
import {
  accountRefusalOf,
  emailProblem,
  newPasswordForm,
  passwordMinLength,
  registrationForm,
  tokenFrom,
  type FieldProblem,
  type RegistrationValues,
} from './account-forms.js';
import { logInContact } from './contact-login.js';
import { ContactSessions } from './contact-sessions.js';
import { linkedParagraphs, linkedText } from './consent-text.js';
import { translatorFor, type MessageKey, type Translator } from './i18n.js';
import { PortalContext } from './portal-context.js';
import { PortalErrorFilter } from './portal-error.filter.js';
import { contactOf, layoutData, safeNext } from './portal-page.js';
import { PageViews } from '../http/page-views.js';
import { SystemPages, type FormProblems } from './system-pages.js';
import { errorCode, formField } from '../http/form-fields.js';

declare module 'express-session' {
  interface SessionData {
    /** A single sign-on in progress: identity's secrets for it stay on the server, never in a URL. */
    portalSso?: {
      portalId: string;
      secrets: RpcResponse<'identity.sso.start'>['secrets'];
      next: string;
    };
  }
}

type Problems = Partial<Record<string, FieldProblem>>;

const notFound = () => new AppError('ROUTE_NOT_FOUND', 'This portal has no such page');

/** The address of a page of this portal as the visitor reached it (its domain, scheme and port). */
const pageUrl = (req: Request, path: string) => `${req.protocol}://${req.get('host')}${path}`;

/**
 * How a contact gets and keeps a login (SPEC S10, S11): self-registration with the domain's consent
 * notice, email verification, password reset, access-group invitations and single sign-on. Identity
 * decides and sends the emails; these pages never tell whether an email address is known, and the
 * requests that send mail are rate limited per client address and per email address.
 */
@ApiExcludeController()
@UseFilters(PortalErrorFilter)
@Controller(':slug')
export class PortalAccountController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly context: PortalContext,
    private readonly views: PageViews,
    private readonly systemPages: SystemPages,
    private readonly sessions: ContactSessions,
    private readonly limiter: RateLimiter,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get('register')
  async registerPage(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.registrationPortal(slug, req, res);
    if (contactOf(req, portal)) return res.redirect(302, `/${portal.general.slug}/tickets`);
    this.renderRegister(req, res, portal, {});
  }

  @Post('register')
  async register(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.registrationPortal(slug, req, res);
    assertCsrf(req);
    const notice = this.consentNotice(portal);
    const { values, problems } = registrationForm(req.body, notice !== undefined);
    if (Object.keys(problems).length) return this.renderRegister(req, res, portal, { values, problems }, 400);
    const wait = await this.mailLimit(req, portal, values.email);
    if (wait !== null) return this.renderRegister(req, res, portal, { values, wait }, 429);
    try {
      await this.rpc.send('identity.portal.register', {
        accountId: portal.accountId,
        domainId: portal.domain.id,
        email: values.email,
        firstName: values.firstName,
        lastName: values.lastName,
        password: values.password,
        consent: values.consent,
      });
    } catch (error) {
      if (accountRefusalOf(error) !== 'password-refused') throw error;
      const refused = { password: { key: 'passwordTooCommon' as const } };
      return this.renderRegister(req, res, portal, { values, problems: refused }, 400);
    }
    // The same answer whether the address was new or known: identity mailed a verification link,
    // or a password reset link to the one who owns the address.
    res.redirect(303, `/${portal.general.slug}/register/check-email`);
  }

  @Get('register/check-email')
  async registrationSent(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.registrationPortal(slug, req, res);
    this.renderCheckEmail(req, res, portal, 'checkEmailRegistered');
  }

  /**
   * The link of the verification email. It confirms the address but does not log in: whoever opens
   * the link (a mail scanner, a forwarded message) gets no session; the password login does that.
   */
  @Get('verify-email')
  async verifyEmail(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.context.portalOf(slug, req, res);
    const t = translatorFor(portal.domain.language);
    const token = tokenFrom(req.query.token);
    const render = (verified: boolean) =>
      this.views.render(
        res,
        'portal/verify-email.liquid',
        {
          ...layoutData(req, portal, { title: t.t(verified ? 'emailVerifiedTitle' : 'linkInvalidTitle') }),
          verified,
          registrationHref: this.registrationOpen(portal) ? `/${portal.general.slug}/register` : null,
        },
        verified ? 200 : 400,
      );
    // A link checker's HEAD request must not spend the single-use link.
    if (req.method === 'HEAD') return res.status(token ? 200 : 400).end();
    if (!token) return render(false);
    try {
      await this.rpc.send('identity.portal.verifyEmail', { accountId: portal.accountId, token });
    } catch (error) {
      const refusal = accountRefusalOf(error);
      if (refusal === 'link-invalid') return render(false);
      if (refusal === 'access-denied') return res.redirect(303, `/${portal.general.slug}/access-denied`);
      throw error;
    }
    render(true);
  }

  @Get('forgot-password')
  async forgotPasswordPage(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.passwordPortal(slug, req, res);
    this.renderForgotPassword(req, res, portal, {});
  }

  @Post('forgot-password')
  async forgotPassword(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.passwordPortal(slug, req, res);
    assertCsrf(req);
    const email = formField(req.body, 'email').trim();
    const problem = emailProblem(email);
    if (problem)
      return this.renderForgotPassword(req, res, portal, { email, problems: { email: problem } }, 400);
    const wait = await this.mailLimit(req, portal, email);
    if (wait !== null) return this.renderForgotPassword(req, res, portal, { email, wait }, 429);
    await this.rpc.send('identity.portal.requestPasswordReset', {
      accountId: portal.accountId,
      domainId: portal.domain.id,
      email,
    });
    res.redirect(303, `/${portal.general.slug}/forgot-password/check-email`);
  }

  @Get('forgot-password/check-email')
  async resetLinkSent(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.passwordPortal(slug, req, res);
    this.renderCheckEmail(req, res, portal, 'checkEmailReset');
  }

  @Get('reset-password')
  async resetPasswordPage(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.passwordPortal(slug, req, res);
    this.renderResetPassword(req, res, portal, { token: tokenFrom(req.query.token) });
  }

  /** Sets the new password; identity then ends every session of the contact (contact.sessions.revoked). */
  @Post('reset-password')
  async resetPassword(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.passwordPortal(slug, req, res);
    assertCsrf(req);
    const token = tokenFrom(formField(req.body, 'token'));
    const { password, problems } = newPasswordForm(req.body);
    const page = (state: PasswordPageState, status: number) =>
      this.renderResetPassword(req, res, portal, state, status);
    if (!token) return page({ token }, 400);
    if (Object.keys(problems).length) return page({ token, problems }, 400);
    try {
      await this.rpc.send('identity.portal.resetPassword', { accountId: portal.accountId, token, password });
    } catch (error) {
      switch (accountRefusalOf(error)) {
        case 'link-invalid':
          return page({ token: null }, 400);
        case 'password-refused':
          return page({ token, problems: { password: { key: 'passwordTooCommon' } } }, 400);
        case 'access-denied':
          break; // the password is changed all the same; logging in will tell them
        case null:
          throw error;
      }
    }
    // Not logged in here: the revocation that identity just sent would end this session too.
    page({ token, done: true }, 200);
  }

  @Get('accept-invitation')
  async invitationPage(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.context.portalOf(slug, req, res);
    // With single sign-on the invited contact has no password to set: the login page has the way in.
    if (portal.access.authentication !== 'password')
      return res.redirect(303, `/${portal.general.slug}/login`);
    this.renderInvitation(req, res, portal, { token: tokenFrom(req.query.token) });
  }

  /** An access group member sets a password (SPEC S10) and is logged in. */
  @Post('accept-invitation')
  async acceptInvitation(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.passwordPortal(slug, req, res);
    assertCsrf(req);
    const token = tokenFrom(formField(req.body, 'token'));
    const { password, problems } = newPasswordForm(req.body);
    const page = (state: PasswordPageState) => this.renderInvitation(req, res, portal, state, 400);
    if (!token) return page({ token });
    if (Object.keys(problems).length) return page({ token, problems });
    let contact;
    try {
      ({ contact } = await this.rpc.send('identity.portal.acceptInvitation', {
        accountId: portal.accountId,
        token,
        password,
      }));
    } catch (error) {
      switch (accountRefusalOf(error)) {
        case 'link-invalid':
          return page({ token: null });
        case 'password-refused':
          return page({ token, problems: { password: { key: 'passwordTooCommon' } } });
        case 'access-denied':
          return res.redirect(303, `/${portal.general.slug}/access-denied`);
        case null:
          throw error;
      }
    }
    await logInContact(req, portal, contact, this.sessions);
    res.redirect(303, `/${portal.general.slug}/tickets`);
  }

  /** Starts the OpenID Connect login: identity builds the provider's address and the secrets kept here. */
  @Get('sso')
  async startSso(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.ssoPortal(slug, req, res);
    const next = safeNext(portal.general.slug, req.query.next);
    if (contactOf(req, portal)) return res.redirect(302, next);
    let start;
    try {
      start = await this.rpc.send('identity.sso.start', {
        accountId: portal.accountId,
        redirectUri: pageUrl(req, `/${portal.general.slug}/sso/callback`),
      });
    } catch (error) {
      if (errorCode(error) !== 'SSO_FAILED') throw error;
      return this.renderSsoProblem(req, res, portal, 'ssoUnavailableText', 503);
    }
    req.session.portalSso = { portalId: portal.id, secrets: start.secrets, next };
    res.redirect(303, start.authorizationUrl);
  }

  /**
   * Where the provider sends the visitor back. Only the browser that started this login (its
   * session holds the state) can finish it; identity then checks the code, nonce and PKCE verifier.
   */
  @Get('sso/callback')
  async completeSso(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.ssoPortal(slug, req, res);
    const pending = req.session.portalSso;
    delete req.session.portalSso; // one use, whatever the outcome
    if (!pending || pending.portalId !== portal.id || req.query.state !== pending.secrets.state)
      return this.renderSsoProblem(req, res, portal, 'ssoFailedText', 400);
    let contact;
    try {
      ({ contact } = await this.rpc.send('identity.sso.complete', {
        accountId: portal.accountId,
        callbackUrl: pageUrl(req, req.originalUrl),
        secrets: pending.secrets,
      }));
    } catch (error) {
      const code = errorCode(error);
      if (code === 'PORTAL_ACCESS_DENIED') return res.redirect(303, `/${portal.general.slug}/access-denied`);
      if (code === 'SSO_FAILED') return this.renderSsoProblem(req, res, portal, 'ssoFailedText', 400);
      throw error;
    }
    await logInContact(req, portal, contact, this.sessions);
    res.redirect(303, pending.next);
  }

  private registrationOpen(portal: ResolvedPortal): boolean {
    return portal.access.mode === 'self_registration' && portal.access.authentication === 'password';
  }

  /** Registration pages exist only with self-registration and password login (S10). */
  private async registrationPortal(slug: string, req: Request, res: Response) {
    const portal = await this.context.portalOf(slug, req, res);
    if (!this.registrationOpen(portal)) throw notFound();
    return portal;
  }

  /** Password pages exist only where contacts log in with a password. */
  private async passwordPortal(slug: string, req: Request, res: Response) {
    const portal = await this.context.portalOf(slug, req, res);
    if (portal.access.authentication !== 'password') throw notFound();
    return portal;
  }

  private async ssoPortal(slug: string, req: Request, res: Response) {
    const portal = await this.context.portalOf(slug, req, res);
    if (portal.access.authentication !== 'oidc') throw notFound();
    return portal;
  }

  /** The consent notice of the domain this page is served on, if the portal has one (S11). */
  private consentNotice(portal: ResolvedPortal) {
    return portal.consent.notices.find((notice) => notice.domainId === portal.domain.id);
  }

  /**
   * Counts a request that sends mail, per client address and per email address (hashed: no
   * addresses in Redis keys), within this portal. Null when it may go ahead, else seconds to wait.
   */
  private mailLimit(req: Request, portal: ResolvedPortal, email: string): Promise<number | null> {
    const prefix = `rl:portal-mail:${portal.accountId}`;
    const address = createHash('sha256').update(email.toLowerCase()).digest('hex');
    return this.limiter.retryAfter(
      [
        {
          key: `${prefix}:ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`,
          limit: this.config.PORTAL_MAIL_LIMIT_PER_IP,
        },
        { key: `${prefix}:email:${address}`, limit: this.config.PORTAL_MAIL_LIMIT_PER_ADDRESS },
      ],
      this.config.PORTAL_MAIL_WINDOW_SECONDS * 1_000,
    );
  }

  private renderRegister(
    req: Request,
    res: Response,
    portal: ResolvedPortal,
    state: { values?: RegistrationValues; problems?: Problems; wait?: number },
    status = 200,
  ): void {
    const t = translatorFor(portal.domain.language);
    const base = `/${portal.general.slug}`;
    const notice = this.consentNotice(portal);
    const values = state.values;
    if (state.wait) res.setHeader('Retry-After', String(state.wait));
    this.systemPages.render(
      req,
      res,
      portal,
      'registration',
      {
        title: t.t('registerTitle'),
        error: rateLimitError(t, state.wait),
        data: {
          ...formProblems(t, state.problems),
          action: `${base}/register`,
          // Never the password: it is typed again.
          values: {
            firstName: values?.firstName ?? '',
            lastName: values?.lastName ?? '',
            email: values?.email ?? '',
            consent: values?.consent ?? false,
          },
          passwordHint: t.t('passwordHint', { min: passwordMinLength }),
          consent: notice
            ? {
                paragraphs: linkedParagraphs(notice.text),
                checkbox: linkedText(notice.checkboxText.replace(/\s+/g, ' ')),
              }
            : null,
          loginHref: `${base}/login`,
        },
      },
      status,
    );
  }

  private renderForgotPassword(
    req: Request,
    res: Response,
    portal: ResolvedPortal,
    state: { email?: string; problems?: Problems; wait?: number },
    status = 200,
  ): void {
    const t = translatorFor(portal.domain.language);
    const base = `/${portal.general.slug}`;
    if (state.wait) res.setHeader('Retry-After', String(state.wait));
    this.systemPages.render(
      req,
      res,
      portal,
      'password_reset_request',
      {
        title: t.t('forgotPasswordTitle'),
        error: rateLimitError(t, state.wait),
        data: {
          ...formProblems(t, state.problems),
          action: `${base}/forgot-password`,
          email: state.email ?? '',
          loginHref: `${base}/login`,
        },
      },
      status,
    );
  }

  private renderCheckEmail(req: Request, res: Response, portal: ResolvedPortal, text: MessageKey) {
    const t = translatorFor(portal.domain.language);
    this.views.render(res, 'portal/check-email.liquid', {
      ...layoutData(req, portal, { title: t.t('checkEmailTitle') }),
      text: t.t(text),
    });
  }

  /**
   * The reset page: the form for a link's token, "this link does not work" without a usable one
   * (400), or the reset's success.
   */
  private renderResetPassword(
    req: Request,
    res: Response,
    portal: ResolvedPortal,
    state: PasswordPageState,
    status = 200,
  ): void {
    const t = translatorFor(portal.domain.language);
    const base = `/${portal.general.slug}`;
    const title: MessageKey = !state.token
      ? 'linkInvalidTitle'
      : state.done
        ? 'passwordChangedTitle'
        : 'resetPasswordTitle';
    this.systemPages.render(
      req,
      res,
      portal,
      'password_reset',
      {
        title: t.t(title),
        data: {
          ...formProblems(t, state.problems),
          action: `${base}/reset-password`,
          token: state.token,
          done: state.done ?? false,
          passwordHint: t.t('passwordHint', { min: passwordMinLength }),
          loginHref: `${base}/login`,
          requestHref: `${base}/forgot-password`,
        },
      },
      state.token ? status : 400,
    );
  }

  /** The invitation page: the form for a link's token, or "this link does not work" without a usable one (400). */
  private renderInvitation(
    req: Request,
    res: Response,
    portal: ResolvedPortal,
    state: PasswordPageState,
    status = 200,
  ): void {
    const t = translatorFor(portal.domain.language);
    this.views.render(
      res,
      'portal/accept-invitation.liquid',
      {
        ...layoutData(req, portal, { title: t.t(state.token ? 'invitationTitle' : 'linkInvalidTitle') }),
        ...formProblems(t, state.problems),
        token: state.token,
        invitationIntro: t.t('invitationIntro', { portal: portal.general.name }),
        passwordHint: t.t('passwordHint', { min: passwordMinLength }),
      },
      state.token ? status : 400,
    );
  }

  /** The error page with single sign-on's own words; the button leads back to the login page. */
  private renderSsoProblem(
    req: Request,
    res: Response,
    portal: ResolvedPortal,
    text: 'ssoFailedText' | 'ssoUnavailableText',
    status: 400 | 503,
  ): void {
    if (status === 503) res.setHeader('Retry-After', '5');
    this.views.render(
      res,
      'portal/error.liquid',
      {
        ...layoutData(req, portal),
        error: {
          title: status === 503 ? 'unavailableTitle' : 'ssoFailedTitle',
          text,
          status,
          reference: null,
        },
      },
      status,
    );
  }
}

interface PasswordPageState {
  token: string | null;
  problems?: Problems;
  done?: boolean;
}

/**
 * A form's problems in the page's language: each field's message (shown beside it) and the list at
 * the top of the form, whose links lead to the fields.
 */
function formProblems(t: Translator, fields: Problems = {}): FormProblems {
  const problems: Record<string, string> = {};
  for (const [field, problem] of Object.entries(fields))
    if (problem) problems[field] = t.t(problem.key, problem.values);
  return {
    problems,
    problemList: Object.entries(problems).map(([field, text]) => ({ field, text })),
  };
}

/** The rate limit's message, or null when the request was not limited. */
const rateLimitError = (t: Translator, wait: number | undefined) =>
  wait ? t.t('tooManyRequests', { wait: t.formatWait(wait) }) : null;
