import { ALLOWED_ATTACHMENT_TYPES, type AttachmentContentType } from '@helpdesk/contracts';
import { isUtf8 } from 'node:buffer';
import { fileTypeFromBuffer } from 'file-type';
import { fileExtension } from './file-name.js';

/** How much of the start of a file is read before its type is decided (zip entries need more than magic numbers). */
export const SNIFF_BYTES = 64 * 1024;

const allowed = new Set<string>(ALLOWED_ATTACHMENT_TYPES);

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';

/** What a name's extension says the content is; a file whose content is something else is refused. */
const typeOfExtension: Record<string, AttachmentContentType> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  jpe: 'image/jpeg',
  jfif: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  txt: 'text/plain',
  text: 'text/plain',
  log: 'text/plain',
  md: 'text/plain',
  csv: 'text/csv',
  docx: DOCX,
  xlsx: XLSX,
  pptx: PPTX,
  zip: 'application/zip',
  eml: 'message/rfc822',
};

/**
 * Names that a browser or a desktop would run or render as active content once the file is saved:
 * refused whatever the bytes are (an HTML page is valid UTF-8 text, a shell script too).
 */
const activeExtensions = new Set(
  (
    'htm html xhtml xht shtml mht mhtml svg svgz xml xsl xslt js mjs cjs jse vbs vbe wsf wsh hta ' +
    'bat cmd com exe dll msi msp scr pif cpl ps1 psm1 sh bash zsh jar apk app dmg iso lnk url reg ' +
    'php phtml asp aspx jsp swf'
  ).split(' '),
);

const labels: Record<AttachmentContentType, string> = {
  'application/pdf': 'a PDF document',
  'image/png': 'a PNG image',
  'image/jpeg': 'a JPEG image',
  'image/gif': 'a GIF image',
  'image/webp': 'a WebP image',
  'text/plain': 'text',
  'text/csv': 'text',
  [DOCX]: 'a Word document',
  [XLSX]: 'an Excel workbook',
  [PPTX]: 'a PowerPoint presentation',
  'application/zip': 'a ZIP archive',
  'message/rfc822': 'an email message',
};

/** What the gateway accepts, for messages. */
export const ALLOWED_TYPES_TEXT =
  'PDF, PNG, JPEG, GIF, WebP, plain text, CSV, Word, Excel, PowerPoint, ZIP and email (.eml) files';

export type SniffResult = { contentType: AttachmentContentType } | { refusal: string };

/**
 * Decides a file's type from its first bytes (`complete` when they are the whole file): magic numbers
 * and zip entries through file-type; otherwise UTF-8 text without NUL bytes is text. The declared
 * content type is never looked at, and the name only narrows: `.csv` and `.eml` pick those text types,
 * `.docx`/`.xlsx`/`.pptx` name a zip whose entries file-type cannot see within the sniffed bytes, and
 * a name whose extension says something else than the content (HTML renamed `.pdf`) is refused.
 */
export async function sniffAttachmentType(
  head: Uint8Array,
  fileName: string,
  complete: boolean,
): Promise<SniffResult> {
  const extension = fileExtension(fileName);
  if (activeExtensions.has(extension)) return { refusal: `.${extension} files are not allowed` };
  let detected: string | undefined;
  try {
    detected = (await fileTypeFromBuffer(head))?.mime;
  } catch {
    return { refusal: 'its content could not be read' };
  }
  let contentType: string;
  if (detected === 'application/zip' && [DOCX, XLSX, PPTX].includes(typeOfExtension[extension]))
    contentType = typeOfExtension[extension];
  else if (detected) contentType = detected;
  else if (isUtf8Start(head, complete)) {
    if (extension === 'csv') contentType = 'text/csv';
    else if (extension === 'eml') {
      if (!looksLikeMessage(head))
        return { refusal: 'the name says .eml but the content is not an email message' };
      contentType = 'message/rfc822';
    } else contentType = 'text/plain';
  } else return { refusal: `its content is not one of the allowed types (${ALLOWED_TYPES_TEXT})` };

  if (!allowed.has(contentType))
    return {
      refusal: `its content (${contentType}) is not one of the allowed types (${ALLOWED_TYPES_TEXT})`,
    };
  const accepted = contentType as AttachmentContentType;
  const named = typeOfExtension[extension];
  if (named && named !== accepted && !(named.startsWith('image/') && accepted.startsWith('image/')))
    return { refusal: `the name says .${extension} but the content is ${labels[accepted]}` };
  return { contentType: accepted };
}

/** Whether a sniffed type's whole content must be checked as UTF-8 text while it streams. */
export const isTextType = (contentType: AttachmentContentType) =>
  contentType === 'text/plain' || contentType === 'text/csv' || contentType === 'message/rfc822';

/**
 * Checks a stream of bytes as UTF-8 text without NUL bytes, chunk by chunk, without decoding it:
 * an incomplete character at the end of a chunk is carried over to the next one.
 */
export class Utf8TextCheck {
  private carry: Buffer = Buffer.alloc(0);
  private valid = true;

  push(chunk: Uint8Array): boolean {
    if (!this.valid) return false;
    if (chunk.includes(0)) return (this.valid = false);
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const data = this.carry.length ? Buffer.concat([this.carry, bytes]) : bytes;
    const cut = incompleteTail(data);
    this.carry = Buffer.from(data.subarray(cut));
    this.valid = isUtf8(data.subarray(0, cut));
    return this.valid;
  }

  /** True when everything pushed was valid and no character was left unfinished. */
  end(): boolean {
    return this.valid && this.carry.length === 0;
  }
}

/** Where an unfinished UTF-8 sequence starts at the end of the bytes (their length when there is none). */
function incompleteTail(data: Uint8Array): number {
  for (let i = data.length - 1; i >= Math.max(0, data.length - 3); i--) {
    const byte = data[i];
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back for the lead
    if (byte < 0xc0) return data.length; // ASCII: nothing unfinished
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
    return data.length - i < needed ? i : data.length;
  }
  return data.length;
}

function isUtf8Start(head: Uint8Array, complete: boolean): boolean {
  const check = new Utf8TextCheck();
  return check.push(head) && (!complete || check.end());
}

/** An RFC 822 message starts with a header line `Name: value` (or the mbox `From ` line). */
function looksLikeMessage(head: Uint8Array): boolean {
  const start = Buffer.from(head.subarray(0, 1_000))
    .toString('utf8')
    .replace(/^\ufeff/, '');
  return /^([!-9;-~]+:[ \t]?[^\r\n]*|From [^\r\n]+)\r?\n/.test(start);
}
