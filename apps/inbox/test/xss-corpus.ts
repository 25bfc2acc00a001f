import { Parser } from 'htmlparser2';

/**
 * Hostile bodies a customer or a compromised agent account could send. Each must come out of the
 * sanitiser with nothing executable left: only the allow-listed tags, only `href`/`rel`/`target` on
 * links, and only absolute http(s)/mailto link targets. `keeps` is readable text that must survive.
 */
export const XSS_CORPUS: { name: string; html: string; keeps?: string }[] = [
  { name: 'script tag', html: '<p>hi</p><script>alert(1)</script>', keeps: 'hi' },
  { name: 'script tag, upper case', html: '<SCRIPT SRC=//evil.test/x.js></SCRIPT><p>hi</p>', keeps: 'hi' },
  {
    name: 'script split by a null byte',
    html: '<scr\u0000ipt>alert(1)</scr\u0000ipt><p>ok</p>',
    keeps: 'ok',
  },
  { name: 'img onerror', html: '<img src=x onerror=alert(1)><p>picture</p>', keeps: 'picture' },
  { name: 'svg onload', html: '<svg onload=alert(1)><circle r=5></circle></svg><p>ok</p>', keeps: 'ok' },
  {
    name: 'svg with a script and a javascript: xlink',
    html: '<svg><script>alert(1)</script><a xlink:href="javascript:alert(2)"><text>click</text></a></svg>ok',
    keeps: 'ok',
  },
  {
    name: 'event handler on an allowed tag',
    html: '<p onclick="alert(1)" onmouseover=alert(2)>text</p>',
    keeps: 'text',
  },
  {
    name: 'style attribute',
    html: '<p style="background:url(javascript:alert(1))">styled</p>',
    keeps: 'styled',
  },
  {
    name: 'style tag',
    html: '<style>body{background:url("javascript:alert(1)")}</style><p>ok</p>',
    keeps: 'ok',
  },
  { name: 'javascript: link', html: '<a href="javascript:alert(1)">click me</a>', keeps: 'click me' },
  {
    name: 'JaVaScRiPt: link with mixed case',
    html: '<a href="JaVaScRiPt:alert(1)">click</a>',
    keeps: 'click',
  },
  {
    name: 'javascript: link with a tab inside',
    html: '<a href="java\tscript:alert(1)">tab</a>',
    keeps: 'tab',
  },
  {
    name: 'javascript: link with an encoded newline',
    html: '<a href="java&#x0A;script:alert(1)">newline</a>',
    keeps: 'newline',
  },
  {
    name: 'entity-encoded javascript: scheme',
    html: '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">decimal</a>',
    keeps: 'decimal',
  },
  {
    name: 'hex entity-encoded scheme without semicolons',
    html: '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)">hex</a>',
    keeps: 'hex',
  },
  {
    name: 'named-entity colon',
    html: '<a href="javascript&colon;alert(1)">colon</a>',
    keeps: 'colon',
  },
  {
    name: 'leading spaces before javascript:',
    html: '<a href="   javascript:alert(1)">spaces</a>',
    keeps: 'spaces',
  },
  {
    name: 'data: URL with HTML',
    html: '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    keeps: 'data',
  },
  { name: 'vbscript: link', html: '<a href="vbscript:msgbox(1)">vb</a>', keeps: 'vb' },
  { name: 'protocol-relative link', html: '<a href="//evil.test/phish">relative</a>', keeps: 'relative' },
  {
    name: 'iframe with srcdoc',
    html: '<iframe srcdoc="<script>alert(1)</script>"></iframe><p>ok</p>',
    keeps: 'ok',
  },
  {
    name: 'object and embed',
    html: '<object data="evil.swf"></object><embed src="evil.swf"><p>ok</p>',
    keeps: 'ok',
  },
  {
    name: 'form with a javascript: action',
    html: '<form action="javascript:alert(1)"><button>go</button></form><p>ok</p>',
    keeps: 'ok',
  },
  {
    name: 'meta refresh',
    html: '<meta http-equiv="refresh" content="0;url=javascript:alert(1)"><p>ok</p>',
    keeps: 'ok',
  },
  { name: 'base href', html: '<base href="javascript:alert(1)//"><a href="/x">x</a>', keeps: 'x' },
  {
    name: 'math with an href',
    html: '<math><mi xlink:href="javascript:alert(1)">m</mi></math><p>ok</p>',
    keeps: 'ok',
  },
  {
    name: 'unclosed attribute breaking out',
    html: '<p title="a"onmouseover=alert(1)//>text</p>',
    keeps: 'text',
  },
  { name: 'comment hiding a script', html: '<!--<script>alert(1)</script>--><p>ok</p>', keeps: 'ok' },
  {
    name: 'conditional comment',
    html: '<!--[if gte IE 4]><script>alert(1)</script><![endif]--><p>ok</p>',
    keeps: 'ok',
  },
  { name: 'CDATA section', html: '<![CDATA[<script>alert(1)</script>]]><p>ok</p>', keeps: 'ok' },
  { name: 'noscript mutation', html: '<noscript><p title="</noscript><img src=x onerror=alert(1)>">' },
  {
    name: 'template content',
    html: '<template><img src=x onerror=alert(1)></template><p>ok</p>',
    keeps: 'ok',
  },
  {
    name: 'textarea breakout',
    html: '<textarea></textarea><img src=x onerror=alert(1)><p>ok</p>',
    keeps: 'ok',
  },
  {
    name: 'link with extra attributes',
    html: '<a href="https://ok.test" onclick="alert(1)" style="x" id="y">ok</a>',
    keeps: 'ok',
  },
  {
    name: 'target=_self and rel override',
    html: '<a href="https://ok.test" target="_self" rel="opener">ok</a>',
    keeps: 'ok',
  },
  { name: 'input autofocus onfocus', html: '<input autofocus onfocus=alert(1)><p>ok</p>', keeps: 'ok' },
  {
    name: 'details ontoggle',
    html: '<details open ontoggle=alert(1)><summary>s</summary></details>',
    keeps: 's',
  },
  { name: 'video source onerror', html: '<video><source onerror="alert(1)"></video><p>ok</p>', keeps: 'ok' },
  { name: 'body onload', html: '<body onload=alert(1)><p>ok</p></body>', keeps: 'ok' },
  {
    name: 'escaped markup stays text',
    html: '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>',
    keeps: '<script>alert(1)</script>',
  },
];

const ALLOWED = new Set([
  'p',
  'br',
  'strong',
  'b',
  'em',
  'i',
  'u',
  'ul',
  'ol',
  'li',
  'a',
  'code',
  'pre',
  'blockquote',
]);

/** Every way the sanitised HTML could still run code; empty when there is none. */
export function unsafeParts(html: string): string[] {
  const problems: string[] = [];
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (!ALLOWED.has(name)) problems.push(`tag <${name}>`);
        for (const [attribute, value] of Object.entries(attribs)) {
          if (name !== 'a' || !['href', 'rel', 'target'].includes(attribute))
            problems.push(`attribute ${attribute} on <${name}>`);
          if (attribute === 'href' && !/^(https?:\/\/[^/\s]|mailto:)/i.test(value))
            problems.push(`href ${value}`);
          if (attribute === 'target' && value !== '_blank') problems.push(`target ${value}`);
          if (attribute === 'rel' && value !== 'noopener noreferrer') problems.push(`rel ${value}`);
        }
        if (name === 'a' && attribs.rel !== 'noopener noreferrer') problems.push('link without rel');
      },
      oncomment: () => problems.push('comment'),
      oncdatastart: () => problems.push('cdata'),
      onprocessinginstruction: (name) => problems.push(`processing instruction ${name}`),
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return problems;
}
