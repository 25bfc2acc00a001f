import type { ContactView, ResolvedPortal } from '@helpdesk/contracts';
import type { Request } from 'express';
import { csrfToken } from '../auth/csrf.js';
import { logInSession } from '../auth/sessions.js';
import type { ContactViewer } from '../auth/viewer.js';
import type { ContactSessions } from './contact-sessions.js';

/** The session's record of a contact on one portal (a login, or an admin's preview as them). */
export const contactViewerOf = (
  portal: { id: string; accountId: string },
  contact: ContactView,
): ContactViewer => ({
  kind: 'contact',
  accountId: portal.accountId,
  portalId: portal.id,
  contactId: contact.id,
  email: contact.email,
  firstName: contact.firstName,
  lastName: contact.lastName,
  primaryCompanyId: contact.primaryCompanyId,
});

/**
 * Logs a contact that identity let in (password, SSO, accepted invitation) in to this portal: a new
 * session id with the portal's idle timeout (S14), a new CSRF token, and the session indexed under
 * the contact so that a revocation ends it.
 */
export async function logInContact(
  req: Request,
  portal: ResolvedPortal,
  contact: ContactView,
  sessions: ContactSessions,
): Promise<void> {
  await logInSession(req, contactViewerOf(portal, contact), portal.access.sessionIdleMinutes);
  csrfToken(req.session);
  await sessions.remember(portal.accountId, contact.id, req.sessionID);
}
