/** A run of an admin-written text: plain text, a link (http or https only) or a line break. */
export type TextPart = { text: string; href?: string } | { lineBreak: true };

/** `[text](address)`: the only markup a consent text has (SPEC S11: links to the legal pages). */
const LINK = /\[([^[\]\n]+)\]\(([^()\s]+)\)/g;

const webAddress = (address: string): string | null => {
  try {
    const url = new URL(address);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
};

/**
 * One line of a consent text as parts, `[text](https://…)` as links. Parts are data, rendered by the
 * template with its HTML escaping: no markup in the text ever reaches the page. A link to anything
 * but a web address (`javascript:`, `data:`, a relative path) stays as the text that was written.
 */
export function linkedText(line: string): TextPart[] {
  const parts: TextPart[] = [];
  let at = 0;
  for (const match of line.matchAll(LINK)) {
    const href = webAddress(match[2]);
    if (!href) continue;
    if (match.index > at) parts.push({ text: line.slice(at, match.index) });
    parts.push({ text: match[1], href });
    at = match.index + match[0].length;
  }
  if (at < line.length) parts.push({ text: line.slice(at) });
  return parts;
}

/** A consent text as paragraphs (split at blank lines) of parts, single line breaks kept. */
export function linkedParagraphs(text: string): TextPart[][] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) =>
      paragraph
        .split('\n')
        .flatMap((line, index): TextPart[] =>
          index === 0 ? linkedText(line) : [{ lineBreak: true }, ...linkedText(line)],
        ),
    );
}
