import type { ResolvedPortal } from '@helpdesk/contracts';
import type { Request } from 'express';
import { csrfToken } from '../auth/csrf.js';
import { viewerOf, type ContactViewer } from '../auth/viewer.js';
import { translatorFor, type Translator } from './i18n.js';
import { columnLabel } from './ticket-view.js';
import { DEFAULT_THEME, safeLogoUrl, themeCss } from './theme.js';
import { safeNextPath } from '../http/form-fields.js';

/** Thrown where a page needs a logged-in contact of this portal; answered with a redirect to login. */
export class LoginRequired extends Error {
  constructor(
    readonly slug: string,
    readonly next: string,
  ) {
    super('Log in to this portal first');
    this.name = 'LoginRequired';
  }
}

export type PreviewViewer = NonNullable<Request['session']['portalPreview']>;

/** Thrown by any state-changing portal request during an admin preview: a preview only looks. */
export class PreviewReadOnlyError extends Error {
  constructor() {
    super('This is a read-only preview of the portal');
    this.name = 'PreviewReadOnlyError';
  }
}

/** The admin preview (SPEC P7) this request's session holds for this portal, if any. */
export function previewOf(req: Request, portal: ResolvedPortal): PreviewViewer | undefined {
  const preview = req.session?.portalPreview;
  return preview && preview.accountId === portal.accountId && preview.portalId === portal.id
    ? preview
    : undefined;
}

/**
 * The contact logged in to THIS portal, if any: the one an admin previews the portal as, else the
 * session's own login. A session of an internal user, or of a contact of another portal or
 * account, is no login here.
 */
export function contactOf(req: Request, portal: ResolvedPortal): ContactViewer | undefined {
  const preview = previewOf(req, portal);
  if (preview) return preview;
  const viewer = viewerOf(req);
  return viewer?.kind === 'contact' && viewer.accountId === portal.accountId && viewer.portalId === portal.id
    ? viewer
    : undefined;
}

export function requireContact(req: Request, portal: ResolvedPortal): ContactViewer {
  const contact = contactOf(req, portal);
  if (!contact) throw new LoginRequired(portal.general.slug, req.originalUrl);
  return contact;
}

/** Where a login may send the visitor back to: a page of this portal, nothing else. */
export const safeNext = (slug: string, next: unknown): string =>
  safeNextPath(next, `/${slug}/`, `/${slug}/tickets`);

/** "Alice Andersson" → "AA": the avatar of the portal's and the admin area's headers. */
export const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word[0].toUpperCase())
    .join('') || '?';

/**
 * Texts an admin can change but usually leaves as shipped: while the ticket label is still "Tickets"
 * and the menu text "Submit a ticket", they follow the page's language like every other word.
 */
export const ticketLabelOf = (portal: ResolvedPortal, t: Translator) =>
  portal.ticketDisplay.label === 'Tickets' ? t.t('defaultTicketLabel') : portal.ticketDisplay.label;
export const menuTextOf = (portal: ResolvedPortal, t: Translator) =>
  portal.supportForm.menuText === 'Submit a ticket' ? t.t('submitTicket') : portal.supportForm.menuText;

/** What the layout needs on every page: language, messages, theme, header and the form token. */
export function layoutData(
  req: Request,
  portal: ResolvedPortal | undefined,
  options: { title?: string; contact?: ContactViewer; section?: 'tickets' | 'submit' } = {},
) {
  const t: Translator = translatorFor(portal?.domain.language ?? 'en');
  const name = portal?.general.name ?? '';
  const slug = portal?.general.slug ?? '';
  const contact = options.contact;
  return {
    lang: t.language,
    m: t.messages,
    title: options.title ? (name ? `${options.title} · ${name}` : options.title) : name,
    themeCss: themeCss(portal?.theme ?? DEFAULT_THEME),
    portal: portal
      ? {
          name,
          slug,
          base: `/${slug}`,
          logoUrl: safeLogoUrl(portal.theme.logoUrl),
          monogram: initials(name),
          ticketLabel: ticketLabelOf(portal, t),
          supportForm:
            portal.supportForm.connected && portal.supportForm.menuText
              ? { href: `/${slug}/submit`, text: menuTextOf(portal, t) }
              : null,
          idleNote: t.t('footerPrivacy', { minutes: portal.access.sessionIdleMinutes }),
        }
      : null,
    viewer: contact
      ? {
          name: `${contact.firstName} ${contact.lastName}`.trim() || contact.email,
          email: contact.email,
          initials: initials(`${contact.firstName} ${contact.lastName}`.trim() || contact.email),
        }
      : null,
    // The admin preview's banner (SPEC P7): whose portal this is, and the way out.
    preview: contact?.preview
      ? {
          text: t.t('previewBanner', {
            name: `${contact.firstName} ${contact.lastName}`.trim() || contact.email,
            user: contact.preview.userName,
          }),
          endAction: `/${slug}/preview/end`,
        }
      : null,
    section: options.section ?? null,
    csrf: csrfToken(req.session),
    year: new Date().getFullYear(),
  };
}

/** The configured columns with their headings in the page's language. */
export const columnsOf = (portal: ResolvedPortal, t: Translator) =>
  portal.ticketDisplay.columns.map((column) => ({
    property: column.property,
    label: columnLabel(column, t),
  }));
