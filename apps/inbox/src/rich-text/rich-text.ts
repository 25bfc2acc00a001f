import { Parser } from 'htmlparser2';
import sanitizeHtml from 'sanitize-html';

/** The formatting a reply may keep (SPEC P3: bold, italic, lists, links), and nothing else. */
const ALLOWED_TAGS = [
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
];
const LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/**
 * A link target we keep: an absolute http(s) or mailto URL and nothing else (no relative paths, no
 * `javascript:`, `data:` or `vbscript:`, however encoded: the parser has already decoded entities,
 * and control characters or whitespace inside a scheme make it unparseable or a different scheme).
 */
export function safeHref(href: string | undefined): string | null {
  if (!href) return null;
  // Nothing invisible inside: "java\tscript:" style tricks and header-splitting characters.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(href)) return null;
  let url: URL;
  try {
    url = new URL(href.trim());
  } catch {
    return null;
  }
  if (!LINK_PROTOCOLS.has(url.protocol)) return null;
  // http(s) as written, with its slashes and a host: not `http:host` or `https:/x`, which parsers read differently.
  if (url.protocol !== 'mailto:' && (!url.hostname || !/^https?:\/\/[^/\\]/i.test(href.trim()))) return null;
  return url.href;
}

const options: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: { a: ['href', 'rel', 'target'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  allowedSchemesByTag: {},
  // Tags that are dropped together with everything inside them, not just unwrapped.
  nonTextTags: [
    'script',
    'style',
    'textarea',
    'option',
    'noscript',
    'template',
    'title',
    'iframe',
    'object',
    'embed',
    'svg',
    'math',
    'xmp',
    'noembed',
    'noframes',
    'head',
  ],
  disallowedTagsMode: 'discard',
  transformTags: {
    b: 'strong',
    i: 'em',
    // A link keeps only a safe target and always opens in a new tab without a handle on this page;
    // a link without a safe target becomes its text.
    a: (_tagName, attribs): sanitizeHtml.Tag => {
      const href = safeHref(attribs.href);
      return href
        ? { tagName: 'a', attribs: { href, rel: 'noopener noreferrer', target: '_blank' } }
        : { tagName: 'span', attribs: {} };
    },
  },
};

/** The body as stored: the allow-listed tags only, with safe links. */
export function sanitizeBody(html: string): string {
  return sanitizeHtml(html, options).trim();
}

const BLOCKS = new Set(['p', 'ul', 'ol', 'pre', 'blockquote']);

/**
 * Plain text of a (sanitised) body, for search and for the text part of emails: paragraphs and line
 * breaks kept, list items as "- ", links as "text (url)" when the text is not the address itself,
 * runs of blank lines collapsed.
 */
export function plainTextOf(html: string): string {
  let out = '';
  const links: string[] = [];
  let linkText = '';
  let inPre = 0;
  const newline = () => {
    if (!out.endsWith('\n')) out += '\n';
  };
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (name === 'br') out += '\n';
        else if (BLOCKS.has(name)) {
          newline();
          if (name === 'pre') inPre++;
        } else if (name === 'li') {
          newline();
          out += '- ';
        } else if (name === 'a') {
          links.push(attribs.href ?? '');
          linkText = '';
        }
      },
      ontext(text) {
        const value = inPre ? text : text.replace(/[ \t\r\n\f]+/g, ' ');
        out += value;
        if (links.length) linkText += value;
      },
      onclosetag(name) {
        if (name === 'a') {
          const href = links.pop() ?? '';
          const shown = linkText.trim();
          const address = href.replace(/^mailto:/, '');
          if (href && shown !== href && shown !== address && shown !== href.replace(/\/$/, ''))
            out += ` (${address})`;
        } else if (BLOCKS.has(name) || name === 'li') {
          if (name === 'pre') inPre--;
          newline();
        }
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return out
    .split('\n')
    .map((line) => line.replace(/[ \t]+$/, '').replace(/^ (?=\S)/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export interface RichText {
  html: string;
  text: string;
}

/** Sanitises a body and derives its text; `null` when nothing readable is left (the caller says "is required"). */
export function richText(html: string): RichText | null {
  const clean = sanitizeBody(html);
  const text = plainTextOf(clean);
  return text ? { html: clean, text } : null;
}
