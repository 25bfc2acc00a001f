import type { Permission } from '@helpdesk/contracts';
import { AppError } from '@helpdesk/kit';
import type { Request } from 'express';
import { csrfToken } from '../auth/csrf.js';
import { viewerOf, type InternalViewer } from '../auth/viewer.js';
import { safeNextPath } from '../http/form-fields.js';
import { initials } from '../portal/portal-page.js';

/** Thrown where an admin page needs a logged-in internal user; answered with a redirect to the login. */
export class AdminLoginRequired extends Error {
  constructor(readonly next: string) {
    super('Log in to the admin area first');
    this.name = 'AdminLoginRequired';
  }
}

/** The admin area's sections: a link shows only to those holding its permission (SPEC S1–S14). */
export const ADMIN_SECTIONS = [
  { id: 'inbox', href: '/admin/inbox', text: 'Inbox', permission: 'inbox' },
  { id: 'portal', href: '/admin/portal', text: 'Customer portal', permission: 'portal.settings' },
  { id: 'forms', href: '/admin/forms', text: 'Forms', permission: 'forms' },
  // Companies and access groups are reached from the contacts pages.
  { id: 'contacts', href: '/admin/contacts', text: 'Contacts', permission: 'contacts' },
  // bull-board's own page (src/queues), linked from every admin page's header.
  { id: 'queues', href: '/admin/queues', text: 'Queues', permission: 'ops' },
] as const satisfies readonly { id: string; href: string; text: string; permission: Permission }[];
export type AdminSection = (typeof ADMIN_SECTIONS)[number]['id'];

/**
 * The internal user of this request, holding `permission` when one is named. No login: the login
 * page, then back here. Logged in without the permission: 403, exactly as the JSON API answers.
 */
export function requireAdmin(req: Request, permission?: Permission): InternalViewer {
  const viewer = viewerOf(req);
  if (viewer?.kind !== 'internal') throw new AdminLoginRequired(req.originalUrl);
  if (permission && !viewer.permissions.includes(permission))
    throw new AppError('FORBIDDEN', `This page needs the "${permission}" permission`);
  return viewer;
}

/** Where the login sends an internal user: the page they asked for, or their first section. */
export const adminNext = (next: unknown, user: InternalViewer): string =>
  safeNextPath(next, '/admin/', homeOf(user));

/** The first section the user may open; a user with none gets the page that says so. */
export const homeOf = (user: InternalViewer): string =>
  ADMIN_SECTIONS.find((section) => user.permissions.includes(section.permission))?.href ?? '/admin/welcome';

/** What the admin layout needs: title, the user, the sections they may open, the CSRF token. */
export function adminLayoutData(
  req: Request,
  user: InternalViewer | undefined,
  page: { title: string; section?: AdminSection },
) {
  return {
    title: page.title,
    csrf: csrfToken(req.session),
    user: user ? { name: user.name, email: user.email, initials: initials(user.name || user.email) } : null,
    nav: user
      ? ADMIN_SECTIONS.filter((section) => user.permissions.includes(section.permission)).map((section) => ({
          href: section.href,
          text: section.text,
          current: section.id === page.section,
        }))
      : [],
  };
}
