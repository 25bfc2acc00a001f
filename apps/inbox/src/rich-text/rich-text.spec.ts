import { describe, expect, it } from '@jest/globals';
import { unsafeParts, XSS_CORPUS } from '../../test/xss-corpus.js';
import { htmlFromText } from '@helpdesk/kit';
import { plainTextOf, richText, safeHref, sanitizeBody } from './rich-text.js';

describe('sanitising a body', () => {
  it('has a corpus of at least 25 attacks', () => {
    expect(XSS_CORPUS.length).toBeGreaterThanOrEqual(25);
  });

  it.each(XSS_CORPUS)('neutralises $name', ({ html, keeps }) => {
    const clean = sanitizeBody(html);
    expect(unsafeParts(clean)).toEqual([]);
    expect(clean.toLowerCase()).not.toMatch(/<script|javascript:|vbscript:|data:text/);
    if (keeps) expect(plainTextOf(clean)).toContain(keeps);
  });

  it('keeps the formatting a reply may have', () => {
    const html =
      '<p>Hello <strong>bold</strong> <b>b</b> <em>it</em> <i>i</i> <u>under</u></p>' +
      '<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>' +
      '<blockquote>quoted</blockquote><pre><code>x = 1;\n  y = 2;</code></pre><p>line<br>break</p>';
    expect(sanitizeBody(html)).toBe(
      '<p>Hello <strong>bold</strong> <strong>b</strong> <em>it</em> <em>i</em> <u>under</u></p>' +
        '<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>' +
        '<blockquote>quoted</blockquote><pre><code>x = 1;\n  y = 2;</code></pre><p>line<br />break</p>',
    );
  });

  it('opens links in a new tab without a handle on the portal', () => {
    expect(
      sanitizeBody('<a href="https://example.com/a?b=1&amp;c=2" target="_self" rel="opener">docs</a>'),
    ).toBe('<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer" target="_blank">docs</a>');
    expect(sanitizeBody('<a href="mailto:help@example.com">mail us</a>')).toBe(
      '<a href="mailto:help@example.com" rel="noopener noreferrer" target="_blank">mail us</a>',
    );
  });

  it('turns a link without a safe absolute target into its text', () => {
    for (const href of [
      '/relative',
      '//evil.test',
      'ftp://files.test/x',
      '#top',
      '',
      'https://',
      'http:evil',
    ])
      expect(sanitizeBody(`<p><a href="${href}">text</a></p>`)).toBe('<p>text</p>');
    expect(sanitizeBody('<p><a>no target</a></p>')).toBe('<p>no target</p>');
  });

  it('drops attributes on every other tag', () => {
    expect(sanitizeBody('<p class="x" id="y" title="z" dir="rtl">t</p>')).toBe('<p>t</p>');
  });

  it('drops the content of script-like tags but keeps the text of unknown ones', () => {
    expect(sanitizeBody('<div><span>kept</span></div><script>gone()</script><style>p{}</style>')).toBe(
      'kept',
    );
    expect(sanitizeBody('<h1>Title</h1><table><tr><td>cell</td></tr></table>')).toBe('Titlecell');
  });
});

describe('safe link targets', () => {
  it('accepts absolute http, https and mailto URLs only', () => {
    expect(safeHref('https://example.com')).toBe('https://example.com/');
    expect(safeHref(' http://example.com/x ')).toBe('http://example.com/x');
    expect(safeHref('mailto:a@b.test')).toBe('mailto:a@b.test');
    for (const bad of [
      undefined,
      '',
      'javascript:alert(1)',
      'JAVASCRIPT:alert(1)',
      'data:text/html,x',
      'vbscript:x',
      'file:///etc/passwd',
      '/x',
      '//x.test',
      'java\tscript:alert(1)',
      'https://exa\u0000mple.com',
      'https://example.com/\r\nX: y',
    ])
      expect(safeHref(bad)).toBeNull();
  });
});

describe('plain text of a body', () => {
  it('keeps paragraphs, line breaks and list items', () => {
    expect(
      plainTextOf(
        '<p>Hello,</p><p>first line<br />second   line</p><ul><li>one</li><li>two</li></ul><p>Bye</p>',
      ),
    ).toBe('Hello,\nfirst line\nsecond line\n- one\n- two\nBye');
  });

  it('decodes entities and shows link targets that differ from the text', () => {
    expect(
      plainTextOf(
        '<p>5 &lt; 6 &amp; &quot;quotes&quot;: <a href="https://docs.test/guide">the guide</a>, <a href="https://x.test/">https://x.test</a>, <a href="mailto:a@b.test">a@b.test</a></p>',
      ),
    ).toBe('5 < 6 & "quotes": the guide (https://docs.test/guide), https://x.test, a@b.test');
  });

  it('keeps preformatted text as written', () => {
    expect(plainTextOf('<pre><code>a\n    b</code></pre>')).toBe('a\n    b');
  });

  it('is empty for a body with nothing readable', () => {
    expect(plainTextOf('<p><br /></p><p>   </p>')).toBe('');
  });
});

describe('a body as stored', () => {
  it('is sanitised HTML with its text', () => {
    expect(richText('<p onclick="x()">Hi <b>there</b></p>')).toEqual({
      html: '<p>Hi <strong>there</strong></p>',
      text: 'Hi there',
    });
  });

  it('is nothing when sanitising leaves nothing readable', () => {
    for (const empty of [
      '',
      '   ',
      '<p></p>',
      '<p><br></p>',
      '<img src=x onerror=alert(1)>',
      '<script>x</script>',
    ])
      expect(richText(empty)).toBeNull();
  });

  it('keeps the paragraphs and line breaks of plain text turned into HTML', () => {
    expect(richText(htmlFromText('Printer on fire.\nHelp!'))).toEqual({
      html: '<p>Printer on fire.<br />Help!</p>',
      text: 'Printer on fire.\nHelp!',
    });
  });
});
