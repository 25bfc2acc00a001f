import type { Permission } from '@helpdesk/contracts';
import { AppError } from '@helpdesk/kit';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { REQUIRED_PERMISSION, viewerOf } from './viewer.js';

@Injectable()
export class InternalUserGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const user = viewerOf(context.switchToHttp().getRequest<Request>());
    if (user?.kind !== 'internal') throw new AppError('UNAUTHENTICATED', 'Log in as an internal user first');
    const needed = this.reflector.getAllAndOverride<Permission | undefined>(REQUIRED_PERMISSION, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (needed && !user.permissions.includes(needed))
      throw new AppError('FORBIDDEN', `This needs the "${needed}" permission`);
    return true;
  }
}
