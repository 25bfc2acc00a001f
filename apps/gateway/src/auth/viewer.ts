import type { InternalUserView, Permission } from '@helpdesk/contracts';
import { AppError } from '@helpdesk/kit';
import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** An internal user (admin, agent) logged in to the admin area or the JSON API. */
export type InternalViewer = { kind: 'internal' } & InternalUserView;

/**
 * A customer logged in to one portal. The session is valid only for that account's portal: the
 * portal pages compare `accountId` and `portalId` with the portal resolved from the request.
 */
export interface ContactViewer {
  kind: 'contact';
  accountId: string;
  portalId: string;
  contactId: string;
  email: string;
  firstName: string;
  lastName: string;
  primaryCompanyId: string | null;
  /** Set when an internal user views the portal as this contact (SPEC P7): read-only. */
  preview?: { userId: string; userName: string };
}

/** Who is making the request, as kept in the server-side session by passport. */
export type Viewer = InternalViewer | ContactViewer;

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // Passport's user is our viewer; an interface cannot be a union, so read it with viewerOf().
    interface User {
      kind: Viewer['kind'];
      accountId: string;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    /** When the login happened; no session outlives SESSION_ABSOLUTE_HOURS from here. */
    startedAt?: number;
    /** The last request seen, to the minute; a session idle longer than idleMs ends. */
    lastSeenAt?: number;
    idleMs?: number;
    /** The synchronizer token every portal form post must carry (see csrf.ts). */
    csrfToken?: string;
    /** An admin preview of a portal as one contact (see portal-preview.ts); beside any login. */
    portalPreview?: ContactViewer & { preview: { userId: string; userName: string } };
  }
}

/** The request's viewer (passport's user) as the union it is. */
export const viewerOf = (req: Request): Viewer | undefined => req.user as Viewer | undefined;

export const REQUIRED_PERMISSION = 'requiredPermission';
/** An internal user must be logged in and hold this permission (checked by InternalUserGuard). */
export const RequirePermission = (permission: Permission) => SetMetadata(REQUIRED_PERMISSION, permission);

/** The internal user of a route behind InternalUserGuard; a contact's session never gets here. */
export const CurrentViewer = createParamDecorator(
  (_data: unknown, context: ExecutionContext): InternalViewer => {
    const user = viewerOf(context.switchToHttp().getRequest<Request>());
    if (user?.kind !== 'internal') throw new AppError('UNAUTHENTICATED', 'Log in as an internal user first');
    return user;
  },
);
