/**
 * `Content-Disposition: attachment` with the file name twice: `filename*` in RFC 5987 encoding
 * (UTF-8, percent-encoded outside attr-char) for every current browser, and a plain-ASCII `filename`
 * fallback (anything else, quotes, backslashes and percent signs become `_`).
 */
export function attachmentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_') || 'download';
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeRfc5987(fileName)}`;
}

/** RFC 5987 `value-chars`: UTF-8 bytes percent-encoded, except ALPHA DIGIT and !#$&+-.^_`|~ . */
export function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
