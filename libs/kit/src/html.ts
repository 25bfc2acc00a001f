const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

const special = /[&<>"']/;

/** Text as HTML text or an attribute value (quoted with either quote). */
export const escapeHtml = (text: string): string =>
  // Most values need nothing; testing first spares the copy (a list page escapes ~1,000 of them).
  special.test(text) ? text.replace(/[&<>"']/g, (c) => entities[c]) : text;

/** Plain text as HTML: blank lines separate paragraphs, single newlines become line breaks. */
export function htmlFromText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>')}</p>`)
    .join('');
}
