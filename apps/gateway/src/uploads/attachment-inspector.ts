import type { AttachmentContentType } from '@helpdesk/contracts';
import { AppError } from '@helpdesk/kit';
import { Transform, type TransformCallback } from 'node:stream';
import { isTextType, SNIFF_BYTES, sniffAttachmentType, Utf8TextCheck } from './attachment-type.js';

/**
 * Sits between an uploaded file's stream and the storage: counts bytes and fails once there are more
 * than `maxBytes`, holds back the first SNIFF_BYTES until the type is decided (and fails when it is
 * not allowed), then passes everything through; text stays checked as UTF-8 to its last byte. A
 * failure destroys the stream, so the storage never keeps the file.
 */
export class AttachmentInspector extends Transform {
  /** Decided from the first bytes; set before the first byte passes through. */
  contentType?: AttachmentContentType;
  bytes = 0;
  private head: Buffer[] = [];
  private headBytes = 0;
  private text?: Utf8TextCheck;

  constructor(private readonly file: { fileName: string; field: string; maxBytes: number }) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.inspect(chunk).then(() => done(), done);
  }

  override _flush(done: TransformCallback): void {
    this.finish().then(() => done(), done);
  }

  private async inspect(chunk: Buffer): Promise<void> {
    this.bytes += chunk.length;
    if (this.bytes > this.file.maxBytes)
      throw new AppError(
        'ATTACHMENT_TOO_LARGE',
        `${this.file.fileName} is larger than the limit of ${describeBytes(this.file.maxBytes)}`,
        { [this.file.field]: [`must be at most ${this.file.maxBytes} bytes`] },
      );
    if (this.contentType) return this.pass(chunk);
    this.head.push(chunk);
    this.headBytes += chunk.length;
    if (this.headBytes >= SNIFF_BYTES) await this.decide(false);
  }

  private async finish(): Promise<void> {
    if (!this.contentType) await this.decide(true);
    if (this.text && !this.text.end()) throw this.notText();
  }

  private async decide(complete: boolean): Promise<void> {
    const head = Buffer.concat(this.head);
    this.head = [];
    const sniffed = await sniffAttachmentType(head, this.file.fileName, complete);
    if ('refusal' in sniffed)
      throw new AppError(
        'ATTACHMENT_TYPE_NOT_ALLOWED',
        `${this.file.fileName} is refused: ${sniffed.refusal}`,
        { [this.file.field]: [sniffed.refusal] },
      );
    this.contentType = sniffed.contentType;
    if (isTextType(sniffed.contentType)) this.text = new Utf8TextCheck();
    this.pass(head);
  }

  private pass(chunk: Buffer): void {
    if (this.text && !this.text.push(chunk)) throw this.notText();
    this.push(chunk);
  }

  private notText(): AppError {
    const reason = 'its content is not UTF-8 text without NUL bytes';
    return new AppError('ATTACHMENT_TYPE_NOT_ALLOWED', `${this.file.fileName} is refused: ${reason}`, {
      [this.file.field]: [reason],
    });
  }
}

/** 20971520 → "20 MB" (binary megabytes, as the limit is configured). */
export const describeBytes = (bytes: number) =>
  bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0
    ? `${bytes / (1024 * 1024)} MB`
    : bytes >= 1024 && bytes % 1024 === 0
      ? `${bytes / 1024} KB`
      : `${bytes} bytes`;
