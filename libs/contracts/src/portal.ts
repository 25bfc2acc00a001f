import { z } from 'zod';
import { Id, IsoDateTime } from './common.js';
import { Filter } from './filters.js';

/** UI languages the portal ships; a portal is shown in the language of the domain it is served on. */
export const Language = z.enum(['en', 'fi']);
export type Language = z.infer<typeof Language>;

const text = (max: number) => z.string().trim().max(max);
const required = (max: number) => z.string().trim().min(1, 'is required').max(max);
const hexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1a73e8');

export const Hostname = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/,
    'must be a host name like support.example.com',
  );

/** The gateway's own first path segments: a portal there would be unreachable or hide them. */
export const RESERVED_SLUGS: readonly string[] = [
  'admin',
  'api',
  'forms',
  'health',
  'metrics',
  'portal-assets',
];

export const Slug = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, 'is required')
  .max(60)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'may contain only letters a-z, digits and single hyphens')
  .refine((slug) => !RESERVED_SLUGS.includes(slug), 'is an address of the help desk itself');

export const PortalGeneral = z.object({
  /** S1: the browser tab title on portal pages. */
  name: required(100),
  /** S2: the portal lives at https://{domain}/{slug}. */
  slug: Slug,
  /** S13: served only while switched on. */
  enabled: z.boolean(),
  /** S3: where tickets created from the portal go (an inbox or a help desk of the inbox service). */
  destination: z.object({ kind: z.enum(['inbox', 'help_desk']), id: Id }).nullable(),
});

export const TicketPermissionMode = z.enum(['own', 'company', 'segment']);
export const PortalPermissions = z.object({
  /** S4: own tickets only, the primary company's too, or the company's only for contacts in the segment. */
  mode: TicketPermissionMode,
  segment: Filter,
});

export const PortalSupportForm = z
  .object({
    connected: z.boolean(),
    menuText: text(60),
    headerText: text(200),
    formId: Id.nullable(),
  })
  .superRefine((value, ctx) => {
    if (!value.connected) return;
    if (!value.formId) ctx.addIssue({ code: 'custom', path: ['formId'], message: 'pick a form to connect' });
    if (!value.menuText)
      ctx.addIssue({ code: 'custom', path: ['menuText'], message: 'is required when a form is connected' });
  });

export const FontFamily = z.enum([
  'system',
  'inter',
  'roboto',
  'open-sans',
  'lato',
  'georgia',
  'merriweather',
]);
export const PortalTheme = z.object({
  primaryColor: hexColor,
  backgroundColor: hexColor,
  surfaceColor: hexColor,
  textColor: hexColor,
  fontFamily: FontFamily,
  /** A logo uploaded to the portal (served by the gateway), or none. */
  logoUrl: z.string().max(500).nullable(),
  cornerRadius: z.number().int().min(0).max(24),
});

export const OwnerDisplay = z.enum(['first_name', 'full_name', 'last_name', 'alias']);
export const PortalColumn = z.object({ property: required(100), label: required(60) });
export const PortalTicketDisplay = z
  .object({
    /** S7: what tickets are called on the portal ("Tickets", "Cases", "Requests"). */
    label: required(40),
    /** Only tickets matching this filter on ticket properties show in the portal. */
    visibility: Filter,
    columns: z.array(PortalColumn).min(1, 'keep at least one column').max(10, 'at most 10 columns'),
    ownerDisplay: OwnerDisplay,
    ownerAlias: text(60).nullable(),
    /** Off: status shows as Open / Closed; on: the pipeline stage's name. */
    showStages: z.boolean(),
  })
  .superRefine((value, ctx) => {
    if (value.ownerDisplay === 'alias' && !value.ownerAlias) {
      ctx.addIssue({
        code: 'custom',
        path: ['ownerAlias'],
        message: 'is required when owners show as an alias',
      });
    }
    const seen = new Set<string>();
    value.columns.forEach((column, index) => {
      if (seen.has(column.property))
        ctx.addIssue({
          code: 'custom',
          path: ['columns', index, 'property'],
          message: 'is already a column',
        });
      seen.add(column.property);
    });
  });

/** S7 "Reset to recommended defaults". */
export const RECOMMENDED_COLUMNS: z.infer<typeof PortalColumn>[] = [
  { property: 'subject', label: 'Subject' },
  { property: 'requester', label: 'Requester' },
  { property: 'created_at', label: 'Created date' },
  { property: 'owner', label: 'Ticket owner' },
  { property: 'last_activity_at', label: 'Last activity date' },
  { property: 'status', label: 'Status' },
];

export const PortalTicketActions = z.object({
  /** S9: customers may reply to closed tickets (into the existing thread; the ticket reopens). */
  replyToClosed: z.boolean(),
  allowClose: z.boolean(),
  /** For each pipeline id, the closed stage a customer's close moves the ticket to. */
  closedStages: z.record(Id, Id),
});

export const AccessMode = z.enum(['access_groups', 'self_registration']);
export const OidcSettings = z.object({
  issuer: z.url({ protocol: /^https?$/, message: 'must be the provider’s issuer URL' }).max(500),
  clientId: required(200),
  /** Write-only: views show whether one is set, never the value. Omit to keep the stored one. */
  clientSecret: z.string().min(1).max(500).optional(),
});
export const PortalAccess = z
  .object({
    /** S10: members of the chosen access groups only, or anyone who registers. */
    mode: AccessMode,
    accessGroupIds: z.array(Id).max(50),
    authentication: z.enum(['password', 'oidc']),
    oidc: OidcSettings.nullable(),
    /** S14: customers are logged out after this long without a request. */
    sessionIdleMinutes: z
      .number()
      .int()
      .min(5, 'at least 5 minutes')
      .max(7 * 24 * 60, 'at most a week'),
  })
  .superRefine((value, ctx) => {
    if (value.mode === 'access_groups' && value.accessGroupIds.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['accessGroupIds'], message: 'pick at least one access group' });
    }
    if (value.authentication === 'oidc' && !value.oidc) {
      ctx.addIssue({ code: 'custom', path: ['oidc'], message: 'is required for single sign-on' });
    }
  });

export const ConsentNotice = z.object({
  domainId: Id,
  /** May contain links to the company's legal pages (Markdown-style [text](https://…) links). */
  text: required(5000),
  checkboxText: required(500),
});
export const PortalConsent = z.object({ notices: z.array(ConsentNotice).max(50) });

export const SystemPageType = z.enum([
  'login',
  'registration',
  'logout',
  'access_denied',
  'password_reset_request',
  'password_reset',
]);
export type SystemPageType = z.infer<typeof SystemPageType>;
export const SystemPage = z.object({
  /** `default` ships with the product; `custom` renders `source` (a Liquid template edited by an admin). */
  template: z.enum(['default', 'custom']),
  source: z.string().max(100_000).nullable(),
});
export const PortalSystemPages = z.object({ pages: z.record(SystemPageType, SystemPage) });

/** The portal's settings, one entry a section of the admin page ("Service > Customer portal"). */
export const PortalSections = {
  general: PortalGeneral,
  permissions: PortalPermissions,
  supportForm: PortalSupportForm,
  theme: PortalTheme,
  ticketDisplay: PortalTicketDisplay,
  ticketActions: PortalTicketActions,
  access: PortalAccess,
  consent: PortalConsent,
  systemPages: PortalSystemPages,
};
export type PortalSection = keyof typeof PortalSections;
export const PortalSectionName = z.enum(Object.keys(PortalSections) as [PortalSection, ...PortalSection[]]);
export type PortalSettings = { [S in PortalSection]: z.output<(typeof PortalSections)[S]> };

export const DomainView = z.object({
  id: Id,
  hostname: z.string(),
  language: Language,
  primary: z.boolean(),
});

export const PortalView = z.object({
  id: Id,
  accountId: Id,
  general: PortalGeneral,
  permissions: PortalPermissions,
  supportForm: PortalSupportForm,
  theme: PortalTheme,
  ticketDisplay: PortalTicketDisplay,
  ticketActions: PortalTicketActions,
  access: PortalAccess.and(z.object({ oidcSecretSet: z.boolean() })),
  consent: PortalConsent,
  systemPages: PortalSystemPages,
  domains: z.array(DomainView),
  updatedAt: IsoDateTime,
});
export type PortalView = z.infer<typeof PortalView>;

/** A portal as found for an incoming request: the settings plus the domain it is served on. */
export const ResolvedPortal = PortalView.extend({ domain: DomainView });
export type ResolvedPortal = z.infer<typeof ResolvedPortal>;
