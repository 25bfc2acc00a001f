/** Longest file name kept, in UTF-16 units (inbox stores at most 255). */
export const MAX_FILE_NAME_LENGTH = 255;

// C0 and C1 controls, DEL, and the invisible direction marks and overrides that can make
// "invoice\u202Efdp.exe" look like "invoiceexe.pdf".
// eslint-disable-next-line no-control-regex
const unwanted = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * A client's file name as metadata: the last path segment only (a browser may send `C:\x\y.pdf`),
 * without control or direction characters (line breaks and tabs become spaces), without leading dots (no `..`, no hidden names),
 * without trailing dots and spaces (Windows drops them when it saves a file, so `page.html.` would be
 * saved as `page.html`: the extension checked must be the one the file ends up with),
 * whitespace collapsed, at most 255 characters with the extension kept. Empty when nothing is left.
 */
export function sanitizeFileName(name: string): string {
  const cleaned = name
    .normalize('NFC')
    .replace(/[\t\n\v\f\r]/g, ' ')
    .replace(unwanted, '')
    .replace(/^.*[\\/]/, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (cleaned.length <= MAX_FILE_NAME_LENGTH) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 && cleaned.length - dot <= 16 ? cleaned.slice(dot) : '';
  return truncate(
    cleaned.slice(0, cleaned.length - extension.length),
    MAX_FILE_NAME_LENGTH - extension.length,
  )
    .replace(/[.\s]+$/, '')
    .concat(extension);
}

/** The lower-cased extension without its dot (`report.PDF` → `pdf`); empty when the name has none. */
export function fileExtension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** Cuts to at most `length` UTF-16 units without splitting a surrogate pair. */
function truncate(text: string, length: number): string {
  let cut = Math.max(0, length);
  const last = text.charCodeAt(cut - 1);
  if (cut < text.length && last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return text.slice(0, cut);
}
