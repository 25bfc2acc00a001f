import { describe, expect, it } from '@jest/globals';
import { escapeHtml, htmlFromText } from './html.js';

describe('escapeHtml', () => {
  it('escapes the five characters that end text or a quoted attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
  });
});

describe('htmlFromText', () => {
  it('makes paragraphs of blank-line blocks and breaks of single newlines, escaped', () => {
    expect(htmlFromText('Hello\r\nthere\n\n\n<b>bold</b> & "so"\n')).toBe(
      '<p>Hello<br>there</p><p>&lt;b&gt;bold&lt;/b&gt; &amp; &quot;so&quot;</p>',
    );
  });

  it('gives nothing for blank text', () => {
    expect(htmlFromText('  \n\n ')).toBe('');
  });
});
