import { describe, expect, it } from '@jest/globals';
import { AppError } from '@helpdesk/kit';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InternalUserGuard } from './internal-user.guard.js';
import type { Viewer } from './viewer.js';

const accountId = '6f1c8a52-1d9b-4a57-9f0e-2b8c3d4e5f60';
const internal: Viewer = {
  kind: 'internal',
  id: '0b7e2a1c-3d4f-4a5b-8c6d-7e8f9a0b1c2d',
  accountId,
  email: 'admin@demo.test',
  name: 'Admin',
  permissions: ['tickets'],
};
const contact: Viewer = {
  kind: 'contact',
  accountId,
  portalId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
  contactId: '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
  email: 'alice@acme.test',
  firstName: 'Alice',
  lastName: 'Anders',
  primaryCompanyId: null,
};

const contextFor = (user: Viewer | undefined, permission?: string): ExecutionContext =>
  ({
    switchToHttp: () => ({ getRequest: () => ({ user }) }),
    getHandler: () => (permission ? { permission } : {}),
    getClass: () => ({}),
  }) as unknown as ExecutionContext;

const reflector = {
  getAllAndOverride: (_key: string, [handler]: [{ permission?: string }]) => handler.permission,
} as unknown as Reflector;

const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as AppError).code;
  }
  return 'passed';
};

describe('InternalUserGuard', () => {
  const guard = new InternalUserGuard(reflector);

  it('lets an internal user with the permission in', () => {
    expect(guard.canActivate(contextFor(internal, 'tickets'))).toBe(true);
  });

  it('never lets a logged-in contact in, even of the same account', () => {
    expect(codeOf(() => guard.canActivate(contextFor(contact)))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => guard.canActivate(contextFor(contact, 'tickets')))).toBe('UNAUTHENTICATED');
  });

  it('refuses anonymous requests and internal users without the permission', () => {
    expect(codeOf(() => guard.canActivate(contextFor(undefined)))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => guard.canActivate(contextFor(internal, 'portal.settings')))).toBe('FORBIDDEN');
  });
});
