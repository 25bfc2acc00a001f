import { describe, expect, it } from '@jest/globals';
import { AppError } from '@helpdesk/kit';
import type { Request } from 'express';
import type { InternalViewer } from '../auth/viewer.js';
import { adminLayoutData, adminNext, AdminLoginRequired, homeOf, requireAdmin } from './admin-page.js';

const user = (permissions: InternalViewer['permissions']): InternalViewer => ({
  kind: 'internal',
  id: '00000000-0000-4000-8000-000000000001',
  accountId: '00000000-0000-4000-8000-000000000002',
  email: 'ann@example.test',
  name: 'Ann Admin',
  permissions,
});
const request = (viewer: unknown, url = '/admin/portal?x=1') =>
  ({ user: viewer, originalUrl: url, session: {} }) as unknown as Request;

describe('requireAdmin', () => {
  it('sends a visitor without an internal login to the login, remembering the page', () => {
    for (const viewer of [undefined, { kind: 'contact', accountId: 'a' }]) {
      const error = (() => {
        try {
          requireAdmin(request(viewer), 'portal.settings');
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(AdminLoginRequired);
      expect((error as AdminLoginRequired).next).toBe('/admin/portal?x=1');
    }
  });

  it('refuses a user without the permission with 403 and lets one with it in', () => {
    expect(() => requireAdmin(request(user(['tickets'])), 'portal.settings')).toThrow(AppError);
    expect(requireAdmin(request(user(['portal.settings'])), 'portal.settings').name).toBe('Ann Admin');
    expect(requireAdmin(request(user([]))).email).toBe('ann@example.test');
  });
});

describe('where a login leads', () => {
  it('to the asked admin page, never elsewhere', () => {
    const admin = user(['portal.settings']);
    expect(adminNext('/admin/queues', admin)).toBe('/admin/queues');
    for (const next of [
      '//evil.test/admin/',
      'https://evil.test/',
      '/support/tickets',
      '/admin/\\x',
      undefined,
    ])
      expect(adminNext(next, admin)).toBe('/admin/portal');
  });

  it('by default to the first section the user may open', () => {
    expect(homeOf(user(['portal.settings', 'ops']))).toBe('/admin/portal');
    expect(homeOf(user(['ops']))).toBe('/admin/queues');
    expect(homeOf(user(['tickets', 'inbox']))).toBe('/admin/inbox');
    expect(homeOf(user(['tickets']))).toBe('/admin/welcome');
  });
});

describe('adminLayoutData', () => {
  it('lists only the sections the user holds the permission of, marking the current one', () => {
    const data = adminLayoutData(request(undefined), user(['portal.settings']), {
      title: 'Customer portal',
      section: 'portal',
    });
    expect(data.nav).toEqual([{ href: '/admin/portal', text: 'Customer portal', current: true }]);
    expect(data.user).toEqual({ name: 'Ann Admin', email: 'ann@example.test', initials: 'AA' });
    expect(data.csrf).toMatch(/^[\w-]{40,}$/);
  });
});
