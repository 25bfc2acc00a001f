import { describe, expect, it } from '@jest/globals';
import { portalPageUrl } from './portal-links.js';

describe('portalPageUrl', () => {
  it('builds the address of a portal page on a domain, with the port only when one is set', () => {
    expect(portalPageUrl({ PORTAL_LINK_SCHEME: 'https' }, 'help.acme.test', 'support', 'tickets/abc')).toBe(
      'https://help.acme.test/support/tickets/abc',
    );
    expect(
      portalPageUrl(
        { PORTAL_LINK_SCHEME: 'http', PORTAL_LINK_PORT: 3000 },
        'localhost',
        'support',
        'reset-password',
        {
          token: 'a b+c',
        },
      ),
    ).toBe('http://localhost:3000/support/reset-password?token=a+b%2Bc');
  });

  it('encodes what it puts in the path', () => {
    expect(portalPageUrl({ PORTAL_LINK_SCHEME: 'https' }, 'x.test', 'a/b', 'tickets/?x')).toBe(
      'https://x.test/a%2Fb/tickets/%3Fx',
    );
  });
});
