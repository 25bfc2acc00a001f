import type { InternalUserView, Permission } from '@helpdesk/contracts';
import { AppError } from '@helpdesk/kit';
import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** Who is making the request, as kept in the server-side session by passport. */
export type Viewer = { kind: 'internal' } & InternalUserView;

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // Passport's user is our viewer.
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends Viewer {}
  }
}

declare module 'express-session' {
  interface SessionData {
    /** When the login happened; no session outlives SESSION_ABSOLUTE_HOURS from here. */
    startedAt?: number;
    /** The last request seen, to the minute; a session idle longer than idleMs ends. */
    lastSeenAt?: number;
    idleMs?: number;
  }
}

export const REQUIRED_PERMISSION = 'requiredPermission';
/** An internal user must be logged in and hold this permission (checked by InternalUserGuard). */
export const RequirePermission = (permission: Permission) => SetMetadata(REQUIRED_PERMISSION, permission);

export const CurrentViewer = createParamDecorator((_data: unknown, context: ExecutionContext): Viewer => {
  const user = context.switchToHttp().getRequest<Request>().user;
  if (!user) throw new AppError('UNAUTHENTICATED', 'Log in first');
  return user;
});
