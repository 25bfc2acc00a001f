import type { ResolvedPortal, SystemPageType } from '@helpdesk/contracts';
import { LOGGER, type Logger } from '@helpdesk/kit';
import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Liquid, LiquidError, type Template } from 'liquidjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { csrfToken } from '../auth/csrf.js';
import type { TextPart } from './consent-text.js';
import { translatorFor } from './i18n.js';
import { layoutData } from './portal-page.js';
import { PageViews, VIEWS_DIR } from '../http/page-views.js';

/** Values a template may print or test: plain data, never functions or class instances. */
export type TemplateValue =
  string | number | boolean | null | readonly TemplateValue[] | { readonly [key: string]: TemplateValue };
export type TemplateData = Record<string, TemplateValue>;

/** A form's problems: each field's message by the field's name, and the same as a list for the top of the form. */
export interface FormProblems {
  problems: Record<string, string>;
  problemList: { field: string; text: string }[];
}

/**
 * What each page type's template gets on top of what every system page gets (documented for admins
 * in the gateway README, "System page templates"). Each type's default template ships as
 * views/portal/system/<type>.liquid.
 */
export interface SystemPageData {
  login: {
    action: string;
    email: string;
    next: string;
    registrationHref: string | null;
    resetHref: string | null;
    ssoHref: string | null;
  };
  logout: { action: string; stillLoggedIn: boolean; loginHref: string };
  access_denied: { loginHref: string };
  registration: FormProblems & {
    action: string;
    /** What was entered before the form came back with problems; never the password. */
    values: { firstName: string; lastName: string; email: string; consent: boolean };
    passwordHint: string;
    /** The domain's consent notice as text runs and links (escaped by the template), or null when none. */
    consent: { paragraphs: TextPart[][]; checkbox: TextPart[] } | null;
    loginHref: string;
  };
  password_reset_request: FormProblems & { action: string; email: string; loginHref: string };
  password_reset: FormProblems & {
    action: string;
    /** The link's token, for the form's hidden field; null when the link does not work. */
    token: string | null;
    done: boolean;
    passwordHint: string;
    loginHref: string;
    requestHref: string;
  };
}

/** A page to render: its `<title>`, the message or error to show, and its type's data. */
export interface SystemPageContent<T extends SystemPageType> {
  title: string;
  notice?: string | null;
  error?: string | null;
  data: SystemPageData[T];
}

/** The longest template source accepted, as the contract's `SystemPage.source` allows. */
export const MAX_TEMPLATE_LENGTH = 100_000;
/** Render time of one page; a system page takes well under a millisecond. */
export const RENDER_LIMIT_MS = 100;
/** Characters and array items LiquidJS may allocate in one render; a system page needs a few thousand. */
export const MEMORY_LIMIT = 1_000_000;
/** Plain text repeated by a loop is not counted by the memory limit, so the result is capped too. */
export const MAX_BODY_LENGTH = 500_000;
/** How long a custom template that failed is set aside before it is tried again. */
const SET_ASIDE_MS = 60_000;

/**
 * Where admin-written templates run (and the shipped ones, so an admin starts from what customers
 * see): no file system (templates come from strings, and the tags that would read a file are gone),
 * every output escaped unless a template says `| raw`, only own properties of the data readable,
 * unknown filters refused, and limits on size, render time and allocations.
 */
const sandbox = new Liquid({
  templates: {},
  outputEscape: 'escape',
  strictFilters: true,
  ownPropertyOnly: true,
  parseLimit: MAX_TEMPLATE_LENGTH,
  renderLimit: RENDER_LIMIT_MS,
  memoryLimit: MEMORY_LIMIT,
});
for (const tag of ['include', 'render', 'layout']) delete sandbox.tags[tag];

const tooLong = `The template is longer than ${MAX_TEMPLATE_LENGTH} characters.`;

/** Parsed templates by source, the oldest dropped first: parsing a page costs twice its rendering. */
const parsed = new Map<string, Template[]>();
const PARSED_KEPT = 100;

function parse(source: string): Template[] {
  let templates = parsed.get(source);
  if (!templates) {
    templates = sandbox.parse(source);
    if (parsed.size >= PARSED_KEPT) parsed.delete(parsed.keys().next().value!);
    parsed.set(source, templates);
  }
  return templates;
}

/** Renders a template in the sandbox; throws when it does not parse, fails or runs into a limit. */
export function renderTemplate(source: string, data: TemplateData): string {
  if (source.length > MAX_TEMPLATE_LENGTH) throw new Error(tooLong);
  const body = String(sandbox.renderSync(parse(source), data));
  if (body.length > MAX_BODY_LENGTH)
    throw new Error(`The page is longer than ${MAX_BODY_LENGTH} characters.`);
  return body;
}

export interface TemplateProblem {
  message: string;
  /** Where the parser stopped, from 1; absent for a template that is too long. */
  line?: number;
  column?: number;
}

/**
 * Why a template cannot be saved, for the admin area: empty when it parses. The parser stops at the
 * first problem, so there is at most one.
 */
export function validateTemplate(source: string): TemplateProblem[] {
  if (source.length > MAX_TEMPLATE_LENGTH) return [{ message: tooLong }];
  try {
    sandbox.parse(source);
    return [];
  } catch (error) {
    if (!(error instanceof LiquidError)) throw error;
    const [line, column] = error.token.getPosition();
    // LiquidJS appends the position (and an excerpt on further lines) to its message.
    const message = error.message.split('\n')[0].replace(/, line:\d+, col:\d+$/, '');
    return [{ message, line, column }];
  }
}

const shipped = (type: SystemPageType) =>
  readFileSync(join(VIEWS_DIR, 'portal', 'system', `${type}.liquid`), 'utf8');
const defaultSources: Record<SystemPageType, string> = {
  login: shipped('login'),
  logout: shipped('logout'),
  access_denied: shipped('access_denied'),
  registration: shipped('registration'),
  password_reset_request: shipped('password_reset_request'),
  password_reset: shipped('password_reset'),
};

/** The shipped template of a page type: what "reset to default" restores and an admin starts editing from. */
export const defaultTemplateSource = (type: SystemPageType): string => defaultSources[type];

/**
 * The portal's system pages (SPEC S12): the page's body from the portal's custom template when one is
 * selected, else the shipped one, rendered in the sandbox with the page's own data only, then placed
 * in the portal layout. A custom template that fails is logged and the default served instead, so a
 * broken template never locks customers out; it is then set aside for a while, so one that runs into
 * the render limit does not hold up the gateway on every request.
 */
@Injectable()
export class SystemPages {
  /** A failed custom template's source → when it failed. */
  private readonly failedAt = new Map<string, number>();

  constructor(
    private readonly views: PageViews,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  render<T extends SystemPageType>(
    req: Request,
    res: Response,
    portal: ResolvedPortal,
    type: T,
    page: SystemPageContent<T>,
    status = 200,
    /** The admin's preview: a custom template that fails is an error to show, not a page to replace. */
    { preview = false } = {},
  ): void {
    const t = translatorFor(portal.domain.language);
    const data: TemplateData = {
      lang: t.language,
      m: t.messages,
      portal: { name: portal.general.name, base: `/${portal.general.slug}` },
      csrf: csrfToken(req.session),
      notice: page.notice ?? null,
      error: page.error ?? null,
      ...page.data,
    };
    const body = this.bodyOf(portal, type, data, preview);
    this.views.render(
      res,
      'portal/system-page.liquid',
      // The registration form has first and last name side by side: its card is wider.
      { ...layoutData(req, portal, { title: page.title }), wide: type === 'registration', body },
      status,
    );
  }

  private bodyOf(portal: ResolvedPortal, type: SystemPageType, data: TemplateData, preview: boolean): string {
    const page = portal.systemPages.pages[type];
    if (page?.template === 'custom' && page.source !== null) {
      if (preview) return renderTemplate(page.source, data);
      if (!this.setAside(page.source)) {
        try {
          return renderTemplate(page.source, data);
        } catch (error) {
          this.failedAt.set(page.source, Date.now());
          this.logger.warn(
            { err: error, portalId: portal.id, page: type },
            'custom system page template failed; serving the default one',
          );
        }
      }
    }
    return renderTemplate(defaultSources[type], data);
  }

  private setAside(source: string): boolean {
    const now = Date.now();
    for (const [failed, at] of this.failedAt) if (now - at > SET_ASIDE_MS) this.failedAt.delete(failed);
    return this.failedAt.has(source);
  }
}
