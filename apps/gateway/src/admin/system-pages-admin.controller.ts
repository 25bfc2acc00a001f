import {
  SystemPageType,
  type PortalView,
  type ResolvedPortal,
  type SystemPageType as PageType,
} from '@helpdesk/contracts';
import { AppError, RpcClient } from '@helpdesk/kit';
import { Controller, Get, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { assertCsrf } from '../auth/csrf.js';
import type { InternalViewer } from '../auth/viewer.js';
import { formField } from '../http/form-fields.js';
import { PageViews } from '../http/page-views.js';
import { passwordMinLength } from '../portal/account-forms.js';
import { linkedParagraphs, linkedText } from '../portal/consent-text.js';
import { translatorFor } from '../portal/i18n.js';
import {
  defaultTemplateSource,
  SystemPages,
  validateTemplate,
  type SystemPageContent,
  type TemplateProblem,
} from '../portal/system-pages.js';
import { AdminErrorFilter } from './admin-error.filter.js';
import { adminLayoutData, requireAdmin } from './admin-page.js';

/** Each page type's name and where the portal serves it. */
const PAGES: Record<PageType, { name: string; path: string }> = {
  login: { name: 'Login', path: 'login' },
  registration: { name: 'Registration', path: 'register' },
  logout: { name: 'Logout', path: 'logout' },
  access_denied: { name: 'Access denied', path: 'access-denied' },
  password_reset_request: { name: 'Password reset request', path: 'forgot-password' },
  password_reset: { name: 'Password reset', path: 'reset-password' },
};

const noProblems = { problems: {}, problemList: [] };

/**
 * What a preview shows each page with: the data the portal gives the page when a customer first
 * opens it, for this portal's settings and domain.
 */
const samples: { [T in PageType]: (portal: ResolvedPortal) => SystemPageContent<T> } = {
  login: (portal) => {
    const base = `/${portal.general.slug}`;
    const password = portal.access.authentication === 'password';
    return {
      title: translatorFor(portal.domain.language).t('loginTitle'),
      data: {
        action: `${base}/login`,
        email: '',
        next: `${base}/tickets`,
        registrationHref: password && portal.access.mode === 'self_registration' ? `${base}/register` : null,
        resetHref: password ? `${base}/forgot-password` : null,
        ssoHref: password ? null : `${base}/sso`,
      },
    };
  },
  registration: (portal) => {
    const base = `/${portal.general.slug}`;
    const t = translatorFor(portal.domain.language);
    const notice = portal.consent.notices.find((entry) => entry.domainId === portal.domain.id);
    return {
      title: t.t('registerTitle'),
      data: {
        ...noProblems,
        action: `${base}/register`,
        values: { firstName: '', lastName: '', email: '', consent: false },
        passwordHint: t.t('passwordHint', { min: passwordMinLength }),
        consent: notice
          ? {
              paragraphs: linkedParagraphs(notice.text),
              checkbox: linkedText(notice.checkboxText.replace(/\s+/g, ' ')),
            }
          : null,
        loginHref: `${base}/login`,
      },
    };
  },
  logout: (portal) => {
    const base = `/${portal.general.slug}`;
    return {
      title: translatorFor(portal.domain.language).t('loggedOutTitle'),
      data: { action: `${base}/logout`, stillLoggedIn: false, loginHref: `${base}/login` },
    };
  },
  access_denied: (portal) => ({
    title: translatorFor(portal.domain.language).t('accessDeniedTitle'),
    data: { loginHref: `/${portal.general.slug}/login` },
  }),
  password_reset_request: (portal) => {
    const base = `/${portal.general.slug}`;
    return {
      title: translatorFor(portal.domain.language).t('forgotPasswordTitle'),
      data: { ...noProblems, action: `${base}/forgot-password`, email: '', loginHref: `${base}/login` },
    };
  },
  password_reset: (portal) => {
    const base = `/${portal.general.slug}`;
    const t = translatorFor(portal.domain.language);
    return {
      title: t.t('resetPasswordTitle'),
      data: {
        ...noProblems,
        action: `${base}/reset-password`,
        token: 'preview',
        done: false,
        passwordHint: t.t('passwordHint', { min: passwordMinLength }),
        loginHref: `${base}/login`,
        requestHref: `${base}/forgot-password`,
      },
    };
  },
};

function pageTypeOf(type: string): PageType {
  const parsed = SystemPageType.safeParse(type);
  if (!parsed.success) throw new AppError('ROUTE_NOT_FOUND', `The portal has no system page "${type}"`);
  return parsed.data;
}

/** The textarea's source; browsers send its line breaks as CRLF. */
const sourceOf = (req: Request) => formField(req.body, 'source').replace(/\r\n?/g, '\n');

/** What the editor shows: the typed (or stored) choice and source, and why it was refused. */
interface EditorState {
  template: 'default' | 'custom';
  source: string;
  problem?: TemplateProblem;
  refused?: string;
}

/**
 * The portal's system pages (SPEC S12): which of the six pages use the shipped template and which a
 * custom one, and an editor per page with a preview that renders the typed source through the
 * portal's own SystemPages. Saving goes through identity (audited); a template that does not parse
 * is refused at the editor, and nothing is saved.
 */
@ApiExcludeController()
@UseFilters(AdminErrorFilter)
@Controller('admin/portal/system-pages')
export class SystemPagesAdminController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly views: PageViews,
    private readonly systemPages: SystemPages,
  ) {}

  @Get()
  async list(@Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'portal.settings');
    const portal = await this.rpc.send('identity.portal.get', { accountId: user.accountId });
    const saved = SystemPageType.safeParse(req.query.saved);
    const reset = SystemPageType.safeParse(req.query.reset);
    this.views.render(res, 'admin/system-pages.liquid', {
      ...adminLayoutData(req, user, { title: 'System pages', section: 'portal' }),
      notice: saved.success
        ? `${PAGES[saved.data].name} page saved.`
        : reset.success
          ? `${PAGES[reset.data].name} page reset to the default template.`
          : null,
      pages: SystemPageType.options.map((type) => ({
        type,
        name: PAGES[type].name,
        path: `/${portal.general.slug}/${PAGES[type].path}`,
        custom: portal.systemPages.pages[type]?.template === 'custom',
      })),
    });
  }

  @Get(':type')
  async editor(@Param('type') type: string, @Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'portal.settings');
    const pageType = pageTypeOf(type);
    const portal = await this.rpc.send('identity.portal.get', { accountId: user.accountId });
    const stored = portal.systemPages.pages[pageType];
    this.renderEditor(req, res, user, pageType, {
      template: stored?.template ?? 'default',
      source: stored?.source ?? defaultTemplateSource(pageType),
    });
  }

  @Post(':type')
  async save(@Param('type') type: string, @Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'portal.settings');
    assertCsrf(req);
    const pageType = pageTypeOf(type);
    const template = formField(req.body, 'template') === 'custom' ? 'custom' : 'default';
    const source = sourceOf(req);
    const state: EditorState = { template, source };
    if (template === 'custom' && !source.trim())
      return this.renderEditor(
        req,
        res,
        user,
        pageType,
        {
          ...state,
          problem: { message: 'Write the template, or choose the default one.' },
        },
        400,
      );
    const [problem] = validateTemplate(source);
    if (problem) return this.renderEditor(req, res, user, pageType, { ...state, problem }, 400);
    // The default template keeps a custom source that differs from it, to switch back to later.
    const kept = template === 'default' && source === defaultTemplateSource(pageType) ? null : source;
    try {
      await this.savePage(user, pageType, { template, source: kept });
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'VALIDATION_FAILED') throw error;
      return this.renderEditor(req, res, user, pageType, { ...state, refused: error.message }, 400);
    }
    res.redirect(303, `/admin/portal/system-pages?saved=${pageType}`);
  }

  @Post(':type/reset')
  async reset(@Param('type') type: string, @Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'portal.settings');
    assertCsrf(req);
    const pageType = pageTypeOf(type);
    await this.savePage(user, pageType, { template: 'default', source: null });
    res.redirect(303, `/admin/portal/system-pages?reset=${pageType}`);
  }

  /** The typed source as the portal renders it, with sample data; a source that does not parse goes back to the editor. */
  @Post(':type/preview')
  async preview(@Param('type') type: string, @Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'portal.settings');
    assertCsrf(req);
    const pageType = pageTypeOf(type);
    const source = sourceOf(req);
    const template = formField(req.body, 'template') === 'custom' ? 'custom' : 'default';
    const [problem] = validateTemplate(source);
    if (problem) return this.renderEditor(req, res, user, pageType, { template, source, problem }, 400);
    const portal = await this.rpc.send('identity.portal.get', { accountId: user.accountId });
    const domain = portal.domains.find((candidate) => candidate.primary) ?? portal.domains[0];
    if (!domain)
      throw new AppError(
        'VALIDATION_FAILED',
        'The portal has no domain yet, so there is no page language to preview in',
      );
    const previewed: ResolvedPortal = {
      ...portal,
      domain,
      systemPages: { pages: { ...portal.systemPages.pages, [pageType]: { template: 'custom', source } } },
    };
    try {
      this.systemPages.render(req, res, previewed, pageType, samples[pageType](previewed), 200, {
        preview: true,
      });
    } catch (error) {
      // It parses, but rendering it failed (an error in a filter, the render time or memory limit).
      const message = error instanceof Error ? error.message : String(error);
      const failed = { message: `The template failed while rendering: ${message}` };
      return this.renderEditor(req, res, user, pageType, { template, source, problem: failed }, 400);
    }
  }

  private async savePage(
    user: InternalViewer,
    type: PageType,
    page: PortalView['systemPages']['pages'][PageType],
  ): Promise<void> {
    const portal = await this.rpc.send('identity.portal.get', { accountId: user.accountId });
    await this.rpc.send('identity.portal.update', {
      accountId: user.accountId,
      actorUserId: user.id,
      section: 'systemPages',
      settings: { pages: { ...portal.systemPages.pages, [type]: page } },
    });
  }

  private renderEditor(
    req: Request,
    res: Response,
    user: InternalViewer,
    type: PageType,
    state: EditorState,
    status = 200,
  ): void {
    const lines = state.source.split('\n').length;
    this.views.render(
      res,
      'admin/system-page-editor.liquid',
      {
        ...adminLayoutData(req, user, { title: `${PAGES[type].name} page`, section: 'portal' }),
        type,
        name: PAGES[type].name,
        template: state.template,
        source: state.source,
        lineNumbers: Array.from({ length: lines }, (_, index) => index + 1).join('\n'),
        problem: state.problem
          ? {
              text:
                state.problem.line === undefined
                  ? state.problem.message
                  : `Line ${state.problem.line}, column ${state.problem.column}: ${state.problem.message}`,
              line: state.problem.line ?? null,
            }
          : null,
        refused: state.refused ?? null,
      },
      status,
    );
  }
}
