import {
  FontFamily,
  OwnerDisplay,
  PortalSectionName,
  PortalTheme,
  RECOMMENDED_COLUMNS,
  TicketPermissionMode,
  type PortalSection,
  type PortalView,
  ErrorKinds,
  type Language,
} from '@helpdesk/contracts';
import { AppError, RpcClient } from '@helpdesk/kit';
import { z } from 'zod';
import { Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { assertCsrf, csrfValid, CsrfRejectedError } from '../auth/csrf.js';
import type { InternalViewer } from '../auth/viewer.js';
import { formField } from '../http/form-fields.js';
import { PageViews } from '../http/page-views.js';
import { safeLogoUrl, themeCss, themeVariables } from '../portal/theme.js';
import { AttachmentUploads, typedBeforeRefusal } from '../uploads/attachment-uploads.js';
import { AdminErrorFilter } from './admin-error.filter.js';
import { initials } from '../portal/portal-page.js';
import { adminLayoutData, requireAdmin } from './admin-page.js';
import { SECTION_TITLES } from './portal-sections.js';
import { pathId } from '../http/path-id.js';
import { filterBuilderView } from './filter-form.js';
import {
  sectionErrors,
  sectionForms,
  type FormBody,
  type SettingsChoices,
  type SubmittedSettings,
} from './portal-settings-form.js';
import { LOGO_FIELD, LOGO_MAX_BYTES, ThemeLogos } from './theme-logos.js';

/** The sections this page edits, in the page's order, with the line under each heading. */
const SECTION_LEADS: { id: PortalSection; lead: string }[] = [
  {
    id: 'general',
    lead: 'Name, address, where new tickets go, and whether the portal is on.',
  },
  {
    id: 'permissions',
    lead: 'Which tickets a logged-in customer sees: their own, or their company’s too.',
  },
  {
    id: 'supportForm',
    lead: 'A form customers open tickets with, linked from the portal’s navigation.',
  },
  {
    id: 'theme',
    lead: 'The portal’s colours, font, corners and logo, on the ticket list, ticket and form pages.',
  },
  {
    id: 'ticketDisplay',
    lead: 'What tickets are called, which columns the list shows, and how owners and status appear.',
  },
  { id: 'ticketActions', lead: 'What customers may do with their tickets.' },
  { id: 'access', lead: 'Who may log in, how, and for how long a session lasts.' },
  {
    id: 'consent',
    lead: 'Shown on the registration page of each domain when self-registration is on.',
  },
];
const SECTIONS = SECTION_LEADS.map((section) => ({ ...section, title: SECTION_TITLES[section.id] }));

const FONT_NAMES: Record<z.infer<typeof FontFamily>, string> = {
  system: 'System font (the device’s own)',
  inter: 'Inter',
  roboto: 'Roboto',
  'open-sans': 'Open Sans',
  lato: 'Lato',
  georgia: 'Georgia (serif)',
  merriweather: 'Merriweather (serif)',
};

/** The theme's colours, as the form's fields name them. */
const THEME_COLOURS = [
  { name: 'primaryColor', label: 'Primary colour', hint: 'Buttons, links and the current menu item.' },
  { name: 'backgroundColor', label: 'Background colour', hint: 'Behind the page’s cards.' },
  { name: 'surfaceColor', label: 'Surface colour', hint: 'Cards, tables and fields.' },
  { name: 'textColor', label: 'Text colour', hint: 'Headings and text.' },
] as const;

/** The theme form offers no pickers of other data. */
const NO_CHOICES: SettingsChoices = { pipelines: [], contactProperties: [], ticketProperties: [] };

/** Where the settings page's preview takes the theme's CSS variables (the preview element's id). */
const PREVIEW_ID = 'theme-preview';

const OWNER_DISPLAY_TEXT: Record<z.infer<typeof OwnerDisplay>, string> = {
  first_name: 'First name',
  full_name: 'Full name',
  last_name: 'Last name',
  alias: 'A custom alias',
};

const PERMISSION_MODES: { value: z.infer<typeof TicketPermissionMode>; text: string }[] = [
  { value: 'own', text: 'Own tickets only: a contact sees the tickets of their own contact record' },
  { value: 'company', text: 'Company tickets: a contact sees every ticket of their primary company too' },
  {
    value: 'segment',
    text: 'Contacts in a segment see company tickets; everyone else sees their own',
  },
];

const BUILTIN_COLUMNS: Record<string, string> = {
  subject: 'Subject',
  content: 'Description',
  requester: 'Requester',
  requester_email: 'Requester email',
  created_at: 'Created date',
  last_activity_at: 'Last activity date',
  closed_at: 'Closed date',
  owner: 'Ticket owner',
  status: 'Status',
  stage: 'Stage',
  priority: 'Priority',
  source: 'Source',
};

/**
 * "Service > Customer portal" (SPEC S1–S14): one page, a form and a Save per section. Every save
 * goes to identity, which validates, audits and announces it (`portal.updated`), so the portal shows
 * it on its next page load. Refused settings come back inline, in the form as they were typed.
 */
const LANGUAGES: { value: Language; text: string }[] = [
  { value: 'en', text: 'English' },
  { value: 'fi', text: 'Finnish (suomi)' },
];

const DOMAIN_NOTICES: Record<string, string> = {
  added: 'Domain added.',
  updated: 'Domain saved.',
  removed: 'Domain removed.',
};

/** A malformed domain id names no domain: the same 404 as an unknown one. */
const domainId = pathId('DOMAIN_NOT_FOUND', 'Domain');

@ApiExcludeController()
@UseFilters(AdminErrorFilter)
@Controller('admin/portal')
export class AdminPortalController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly views: PageViews,
    private readonly logos: ThemeLogos,
  ) {}

  @Get()
  async page(@Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'portal.settings');
    const portal = await this.rpc.send('identity.portal.get', { accountId: user.accountId });
    const saved = PortalSectionName.safeParse(req.query.saved);
    const domain = typeof req.query.domain === 'string' ? DOMAIN_NOTICES[req.query.domain] : undefined;
    await this.render(req, res, user, portal, {
      notice: saved.success ? `${SECTION_TITLES[saved.data]} saved.` : (domain ?? null),
    });
  }

  /**
   * The theme preview's CSS variables for the values in the theme form (the page's script asks as
   * they change); a value not valid yet (a colour half typed) shows as saved.
   */
  @Get('theme/preview')
  async themePreview(@Query() query: Record<string, unknown>, @Req() req: Request) {
    const user = requireAdmin(req, 'portal.settings');
    const { theme } = await this.rpc.send('identity.portal.get', { accountId: user.accountId });
    const typed = sectionForms.theme!(query, { theme } as PortalView, NO_CHOICES) as Record<string, unknown>;
    const valid = Object.entries(typed).filter(
      ([key, value]) => PortalTheme.shape[key as keyof PortalView['theme']].safeParse(value).success,
    );
    return themeVariables({ ...theme, ...Object.fromEntries(valid) });
  }

  @Post('sections/:section')
  async save(@Param('section') section: string, @Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'portal.settings');
    const name = PortalSectionName.safeParse(section);
    const toSettings = name.success ? sectionForms[name.data] : undefined;
    if (!name.success || !toSettings)
      throw new AppError('ROUTE_NOT_FOUND', `The customer portal has no settings section "${section}"`);
    const accountId = user.accountId;
    let body = (req.body ?? {}) as FormBody;
    let uploadedLogoUrl: string | null = null;
    // The theme form posts its logo as multipart: its fields (the CSRF token too) arrive with the file.
    if (name.data === 'theme' && AttachmentUploads.isMultipart(req)) {
      try {
        ({ fields: body, logoUrl: uploadedLogoUrl } = await this.logos.receive(req, accountId));
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'VALIDATION_FAILED') throw error;
        const portal = await this.rpc.send('identity.portal.get', { accountId });
        // The colours, font and corners come back as typed, the logo as stored: only the logo needs
        // choosing again.
        const typed = typedBeforeRefusal(error, req.session);
        const settings = typed
          ? {
              ...(sectionForms.theme!(typed, portal, NO_CHOICES) as Record<string, unknown>),
              logoUrl: portal.theme.logoUrl,
            }
          : portal.theme;
        return this.refused(req, res, user, portal, 'theme', settings, error);
      }
      if (!csrfValid(req.session, body._csrf)) {
        if (uploadedLogoUrl) await this.logos.discard(uploadedLogoUrl);
        throw new CsrfRejectedError();
      }
    } else assertCsrf(req);
    const [portal, pipelines, contactProperties, ticketProperties] = await Promise.all([
      this.rpc.send('identity.portal.get', { accountId }),
      this.rpc.send('tickets.pipelines.list', { accountId }),
      this.rpc.send('identity.contactProperties.list', { accountId }),
      this.rpc.send('tickets.properties.list', { accountId }),
    ]);
    const settings = toSettings(body, portal, {
      pipelines,
      contactProperties,
      ticketProperties,
      uploadedLogoUrl,
    });
    try {
      await this.rpc.send('identity.portal.update', {
        accountId: user.accountId,
        actorUserId: user.id,
        section: name.data,
        settings,
      });
    } catch (error) {
      // The refused settings' new logo is of no use; with any other failure it may have been saved.
      if (uploadedLogoUrl && error instanceof AppError && error.code === 'VALIDATION_FAILED')
        await this.logos.discard(uploadedLogoUrl);
      if (!(error instanceof AppError) || error.code !== 'VALIDATION_FAILED') throw error;
      return this.refused(req, res, user, portal, name.data, settings, error);
    }
    // Column moves and filter removals stay where the admin was working.
    const action = formField(body, 'action');
    const removed = /^filter-remove:(\w+)\./.exec(action);
    const anchor = removed ? `filter-${removed[1]}` : action ? 'columns' : name.data;
    res.redirect(303, `/admin/portal?saved=${name.data}#${anchor}`);
  }

  /** The page again with the section's settings as submitted and identity's (or the upload's) messages at their fields. */
  /** S2: a domain the portal is also served on, with its language. */
  @Post('domains')
  async addDomain(@Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'portal.settings');
    assertCsrf(req);
    const hostname = formField(req.body, 'hostname').trim();
    const language = formField(req.body, 'language');
    await this.changeDomains(req, res, user, 'added', { hostname, language }, () =>
      this.rpc.send('identity.domains.add', {
        accountId: user.accountId,
        hostname,
        language: language as Language,
      }),
    );
  }

  /** A domain's language (the portal speaks it there), or making it the primary one. */
  @Post('domains/:id')
  async updateDomain(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'portal.settings');
    assertCsrf(req);
    const primary = formField(req.body, 'primary') === 'true';
    const language = formField(req.body, 'language');
    await this.changeDomains(req, res, user, 'updated', {}, () =>
      this.rpc.send('identity.domains.update', {
        accountId: user.accountId,
        id: domainId(id),
        ...(primary ? { primary: true as const } : { language: language as Language }),
      }),
    );
  }

  @Post('domains/:id/remove')
  async removeDomain(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'portal.settings');
    assertCsrf(req);
    await this.changeDomains(req, res, user, 'removed', {}, () =>
      this.rpc.send('identity.domains.remove', { accountId: user.accountId, id: domainId(id) }),
    );
  }

  /** Runs a domain change; a refusal (a hostname in use, the primary removed) comes back at the list. */
  private async changeDomains(
    req: Request,
    res: Response,
    user: InternalViewer,
    done: 'added' | 'updated' | 'removed',
    typed: { hostname?: string; language?: string },
    change: () => Promise<unknown>,
  ): Promise<void> {
    try {
      await change();
    } catch (error) {
      const kind = error instanceof AppError ? ErrorKinds[error.code] : undefined;
      if (kind !== 'invalid' && kind !== 'conflict') throw error;
      const portal = await this.rpc.send('identity.portal.get', { accountId: user.accountId });
      const problems = Object.values((error as AppError).fields ?? {}).flat();
      const message = problems.length ? problems.join('; ') : (error as AppError).message;
      return this.render(
        req,
        res,
        user,
        portal,
        { domains: { message, typed } },
        kind === 'conflict' ? 409 : 400,
      );
    }
    res.redirect(303, `/admin/portal?domain=${done}#domains`);
  }

  private refused(
    req: Request,
    res: Response,
    user: InternalViewer,
    portal: PortalView,
    section: PortalSection,
    settings: unknown,
    error: AppError,
  ): Promise<void> {
    const failed = { section, settings, errors: sectionErrors(error.fields), message: error.message };
    return this.render(req, res, user, portal, { failed }, 400);
  }

  private async render(
    req: Request,
    res: Response,
    user: InternalViewer,
    portal: PortalView,
    state: {
      notice?: string | null;
      failed?: { section: PortalSection; settings: unknown; errors: Record<string, string>; message: string };
      domains?: { message: string; typed: { hostname?: string; language?: string } };
    },
    status = 200,
  ): Promise<void> {
    const accountId = user.accountId;
    const [inboxes, forms, pipelines, accessGroups, properties, contactProperties] = await Promise.all([
      this.rpc.send('inbox.inboxes.list', { accountId }),
      this.rpc.send('forms.list', { accountId, limit: 100 }),
      this.rpc.send('tickets.pipelines.list', { accountId }),
      this.rpc.send('identity.accessGroups.list', { accountId }),
      this.rpc.send('tickets.properties.list', { accountId }),
      this.rpc.send('identity.contactProperties.list', { accountId }),
    ]);
    // The form shows what was typed for the refused section, the stored settings for the others.
    const submitted: SubmittedSettings = state.failed
      ? { [state.failed.section]: state.failed.settings }
      : {};
    const settingsOf = <S extends PortalSection>(section: S) =>
      (submitted[section] ?? portal[section]) as PortalView[S];
    const errorsOf = (section: PortalSection) =>
      state.failed?.section === section ? state.failed.errors : {};
    const general = settingsOf('general');
    const permissions = settingsOf('permissions');
    const display = settingsOf('ticketDisplay');
    const actions = settingsOf('ticketActions');
    const access = settingsOf('access');
    const consent = settingsOf('consent');
    const support = settingsOf('supportForm');
    const theme = settingsOf('theme');
    const primary = portal.domains.find((domain) => domain.primary) ?? portal.domains[0];
    const columnNames = new Map<string, string>([
      ...Object.entries(BUILTIN_COLUMNS),
      ...properties.map((property): [string, string] => [property.name, property.label]),
    ]);
    const destinationValue = general.destination
      ? `${general.destination.kind}:${general.destination.id}`
      : '';
    this.views.render(
      res,
      'admin/portal-settings.liquid',
      {
        ...adminLayoutData(req, user, { title: 'Customer portal', section: 'portal' }),
        notice: state.notice ?? null,
        failed: state.failed
          ? {
              section: state.failed.section,
              title: SECTION_TITLES[state.failed.section],
              message: state.failed.message,
            }
          : null,
        sections: SECTIONS,
        titles: SECTION_TITLES,
        leads: Object.fromEntries(SECTIONS.map((section) => [section.id, section.lead])),
        errors: Object.fromEntries(SECTIONS.map((section) => [section.id, errorsOf(section.id)])),
        viewHref: primary
          ? `${req.protocol}://${primary.hostname}${portOf(req)}/${portal.general.slug}`
          : null,
        general: {
          ...general,
          destinations: inboxes.map((inbox) => ({
            value: `${inbox.kind}:${inbox.id}`,
            text: `${inbox.name} (${inbox.kind === 'help_desk' ? 'help desk' : 'inbox'})`,
            selected: `${inbox.kind}:${inbox.id}` === destinationValue,
          })),
        },
        permissions: {
          modes: PERMISSION_MODES.map((mode) => ({ ...mode, checked: mode.value === permissions.mode })),
          segment: filterBuilderView({
            prefix: 'segment',
            legend: 'Segment: contacts who see their company’s tickets',
            hint: 'Used with “Contacts in a segment”: a contact matching these conditions on contact properties sees the company’s tickets too.',
            filter: permissions.segment,
            properties: contactProperties,
            errors: errorsOf('permissions'),
          }),
        },
        supportForm: {
          ...support,
          forms: forms.items
            .filter((form) => form.usableAsSupportForm || form.id === support.formId)
            .map((form) => ({ id: form.id, name: form.name, selected: form.id === support.formId })),
        },
        theme: {
          colours: THEME_COLOURS.map((colour) => ({ ...colour, value: theme[colour.name] })),
          fonts: FontFamily.options.map((value) => ({
            value,
            text: FONT_NAMES[value],
            selected: value === theme.fontFamily,
          })),
          cornerRadius: theme.cornerRadius,
          logoUrl: safeLogoUrl(theme.logoUrl),
          logoField: LOGO_FIELD,
          logoMaxKb: LOGO_MAX_BYTES / 1024,
          portalName: general.name,
          monogram: initials(general.name),
          previewId: PREVIEW_ID,
          previewCss: themeCss(theme, `#${PREVIEW_ID}`),
          ticketLabel: display.label,
          menuText: support.menuText || 'Submit a ticket',
        },
        ticketDisplay: {
          ...display,
          visibility: filterBuilderView({
            prefix: 'visibility',
            legend: 'Ticket visibility',
            hint: 'Only tickets matching these conditions on ticket properties show in the portal; with none, every ticket of the customer does.',
            filter: display.visibility,
            properties,
            errors: errorsOf('ticketDisplay'),
          }),
          columns: display.columns.map((column, index) => ({
            ...column,
            index,
            name: columnNames.get(column.property) ?? column.property,
          })),
          full: display.columns.length >= 10,
          addable: [...columnNames.entries()]
            .filter(([property]) => !display.columns.some((column) => column.property === property))
            .map(([property, label]) => ({ property, label })),
          ownerDisplays: OwnerDisplay.options.map((value) => ({
            value,
            text: OWNER_DISPLAY_TEXT[value],
            selected: value === display.ownerDisplay,
          })),
          recommended: RECOMMENDED_COLUMNS.map((column) => column.label).join(', '),
        },
        ticketActions: {
          ...actions,
          pipelines: pipelines.map((pipeline) => {
            const closed = pipeline.stages.filter((stage) => stage.state === 'closed');
            // A pipeline with one closed stage has it preselected (S9).
            const chosen = actions.closedStages[pipeline.id] ?? (closed.length === 1 ? closed[0].id : '');
            return {
              id: pipeline.id,
              label: pipeline.label,
              stages: closed.map((stage) => ({
                id: stage.id,
                label: stage.label,
                selected: stage.id === chosen,
              })),
            };
          }),
        },
        access: {
          ...access,
          oidcSecretSet: portal.access.oidcSecretSet,
          groups: accessGroups.map((group) => ({
            ...group,
            checked: access.accessGroupIds.includes(group.id),
          })),
        },
        domains: {
          items: portal.domains.map((domain) => ({
            ...domain,
            languages: LANGUAGES.map((language) => ({
              ...language,
              selected: language.value === domain.language,
            })),
          })),
          error: state.domains?.message ?? null,
          hostname: state.domains?.typed.hostname ?? '',
          languages: LANGUAGES.map((language) => ({
            ...language,
            selected: language.value === (state.domains?.typed.language ?? 'en'),
          })),
        },
        consent: {
          domains: portal.domains.map((domain) => {
            const notice = consent.notices.find((entry) => entry.domainId === domain.id);
            return {
              id: domain.id,
              hostname: domain.hostname,
              language: domain.language,
              text: notice?.text ?? '',
              checkboxText: notice?.checkboxText ?? '',
            };
          }),
        },
      },
      status,
    );
  }
}

/** `:3000` when the admin reached the gateway on a port other than the scheme's default. */
function portOf(req: Request): string {
  const match = /:(\d+)$/.exec(req.get('host') ?? '');
  return match ? `:${match[1]}` : '';
}
