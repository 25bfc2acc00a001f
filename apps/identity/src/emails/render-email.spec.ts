import { describe, expect, it } from '@jest/globals';
import { EmailLocale, OutgoingEmail, type QueuedEmail } from './email.js';
import { renderEmail } from './render-email.js';

const link = 'https://portal.example.test/set-password?token=abc&lang=fi';
const email = (overrides: Partial<QueuedEmail> = {}): QueuedEmail => ({
  kind: 'invitation',
  to: 'maija@example.test',
  locale: 'fi',
  params: { portalName: 'Acme', link, name: 'Maija', expiresInHours: 72 },
  ...overrides,
});

describe('renderEmail', () => {
  const kinds = ['invitation', 'verification', 'password-reset'] as const;

  it.each(kinds.flatMap((kind) => EmailLocale.options.map((locale) => [kind, locale] as const)))(
    'renders %s in %s with the link as a button and as text',
    (kind, locale) => {
      const rendered = renderEmail(email({ kind, locale }));
      expect(rendered.subject).toContain('Acme');
      expect(rendered.text).toContain(`\n${link}\n`);
      expect(rendered.html).toContain(`lang="${locale}"`);
      expect(rendered.html.match(/href="([^"]+)"/g)).toEqual([
        'href="https://portal.example.test/set-password?token=abc&amp;lang=fi"',
        'href="https://portal.example.test/set-password?token=abc&amp;lang=fi"',
      ]);
      expect(rendered.links).toEqual([link]);
    },
  );

  it('writes Finnish for Finnish recipients', () => {
    expect(renderEmail(email({ kind: 'invitation' })).text).toContain(
      'Sinut on kutsuttu asiakasportaaliin Acme',
    );
    expect(renderEmail(email({ kind: 'password-reset' })).subject).toBe('Salasanan vaihto – Acme');
    expect(renderEmail(email({ kind: 'verification' })).subject).toBe('Vahvista sähköpostiosoitteesi – Acme');
    expect(renderEmail(email()).text).toContain('Linkki on voimassa 72 tuntia');
  });

  it('escapes every parameter in the HTML part and leaves the text part as written', () => {
    const hostile = '<img src=x onerror="alert(1)"> & \'Co\'';
    const rendered = renderEmail(
      email({ params: { portalName: `<b>${hostile}</b>`, link, name: hostile }, locale: 'en' }),
    );
    expect(rendered.html).not.toContain('<img');
    expect(rendered.html).not.toContain('<b>');
    expect(rendered.html).toContain('Hi &lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#39;Co&#39;,');
    expect(rendered.text).toContain(`Hi ${hostile},`);
  });

  it('greets without a name and leaves out the expiry when none is given', () => {
    const rendered = renderEmail(email({ locale: 'en', params: { portalName: 'Acme', link } }));
    expect(rendered.text.startsWith('Hi,\n')).toBe(true);
    expect(rendered.text).not.toContain('valid for');
  });
});

describe('OutgoingEmail', () => {
  const valid = {
    kind: 'password-reset',
    to: ' Maija@Example.TEST ',
    locale: 'en',
    params: { portalName: 'Acme', link },
  };

  it('accepts an email and normalises the address', () => {
    expect(OutgoingEmail.parse(valid).to).toBe('maija@example.test');
  });

  it.each([
    ['a javascript: link', { params: { portalName: 'Acme', link: 'javascript:alert(1)' } }],
    ['a name over two lines', { params: { portalName: 'Acme', link, name: 'Eve\r\nBcc: x@evil.test' } }],
    ['an unknown kind', { kind: 'newsletter' }],
    ['an unknown locale', { locale: 'sv' }],
    ['a bad address', { to: 'not-an-address' }],
  ])('rejects %s', (_what, change) => {
    expect(OutgoingEmail.safeParse({ ...valid, ...change }).success).toBe(false);
  });
});
