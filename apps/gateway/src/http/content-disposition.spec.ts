import { describe, expect, it } from '@jest/globals';
import { attachmentDisposition, encodeRfc5987 } from './content-disposition.js';

describe('attachmentDisposition', () => {
  it('gives a plain name as it is, twice', () => {
    expect(attachmentDisposition('report.pdf')).toBe(
      `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`,
    );
  });

  it('percent-encodes UTF-8 in filename* and puts an ASCII fallback in filename', () => {
    expect(attachmentDisposition('Tarjous ÄÖ €.pdf')).toBe(
      `attachment; filename="Tarjous __ _.pdf"; filename*=UTF-8''Tarjous%20%C3%84%C3%96%20%E2%82%AC.pdf`,
    );
    expect(attachmentDisposition('🔥.txt')).toContain(`filename*=UTF-8''%F0%9F%94%A5.txt`);
  });

  it('cannot be broken out of: quotes, backslashes, semicolons and line breaks stay inside', () => {
    const header = attachmentDisposition('a"; filename="evil.html\\\r\n.txt');
    expect(header).toBe(
      `attachment; filename="a_; filename=_evil.html___.txt"; filename*=UTF-8''a%22%3B%20filename%3D%22evil.html%5C%0D%0A.txt`,
    );
    expect(header).not.toMatch(/[\r\n]/);
  });

  it("encodes the characters encodeURIComponent leaves but RFC 5987 does not allow: ' ( ) *", () => {
    expect(encodeRfc5987("it's (final)*.pdf")).toBe('it%27s%20%28final%29%2A.pdf');
    expect(encodeRfc5987('a-b_c.d!~')).toBe('a-b_c.d!~');
  });
});
