import { attachmentStorageKey, type AttachmentInput } from '@helpdesk/contracts';
import { AppError, type FileStorage, type Logger } from '@helpdesk/kit';
import busboy from 'busboy';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { csrfValid } from '../auth/csrf.js';
import { AttachmentInspector, describeBytes } from './attachment-inspector.js';
import { sanitizeFileName } from './file-name.js';

export interface UploadLimits {
  /** Largest file accepted (MAX_ATTACHMENT_BYTES). */
  maxFileBytes: number;
  /** Most files in one request (MAX_ATTACHMENTS_PER_MESSAGE). */
  maxFiles: number;
  /** Largest text field (BODY_LIMIT_BYTES: the same bound as a JSON body). */
  maxFieldBytes: number;
  /** Most text fields in one request. */
  maxFields: number;
}

/** What a multipart request brought: its text fields, and its files as stored, ready to pass to inbox. */
export interface ReceivedUpload {
  fields: Record<string, string>;
  /** In the order the request sent them; `fileName` sanitised, `contentType` sniffed, never the client's. */
  attachments: AttachmentInput[];
}

/**
 * An upload refused (a file too large, of a type not allowed, a broken body), with the text fields
 * that had arrived before the refusal: a page can show its form again as it was typed. The files are
 * gone (removed before this is thrown); fields after the refused part were never read.
 */
export class UploadRefusedError extends AppError {
  constructor(
    refusal: AppError,
    readonly typedFields: Record<string, string>,
  ) {
    super(refusal.code, refusal.message, refusal.fields);
  }
}

/**
 * The fields typed before a refused upload, to show its form again as typed: only when they carry the
 * session's CSRF token (a form of this session, whose token comes first), else none.
 */
export function typedBeforeRefusal(
  error: unknown,
  session: { csrfToken?: string } | undefined,
): Record<string, string> | null {
  return error instanceof UploadRefusedError && csrfValid(session, error.typedFields._csrf)
    ? error.typedFields
    : null;
}

/** How long a refused request's remaining body is read (so the client gets the answer) before it is cut off. */
const DRAIN_TIMEOUT_MS = 15_000;

/**
 * Reads a `multipart/form-data` request as it arrives (busboy; a file is never held in memory) and
 * streams each file part to the shared storage under `attachments/<accountId>/<uuid>`, checking
 * size, count and the sniffed type on the way. On any refusal (a limit, a type, a malformed body, the
 * client going away) every file this request stored is removed before the error is thrown
 * (an UploadRefusedError, with the fields read until then).
 */
export class AttachmentUploads {
  constructor(
    private readonly storage: FileStorage,
    private readonly limits: UploadLimits,
    private readonly logger?: Logger,
  ) {}

  /** Whether the request is a multipart upload (else it is someone else's body: JSON, a form). */
  static isMultipart(req: IncomingMessage): boolean {
    return /^multipart\/form-data\b/i.test(req.headers['content-type'] ?? '');
  }

  /** Files arrive in parts named `fileField`; any other file part is refused. */
  receive(req: IncomingMessage, accountId: string, fileField = 'attachments'): Promise<ReceivedUpload> {
    return new Promise((resolve, reject) => {
      const { maxFileBytes, maxFiles, maxFieldBytes, maxFields } = this.limits;
      const fields = new Map<string, string>();
      const stored: (AttachmentInput | undefined)[] = [];
      const writes: Promise<void>[] = [];
      const inFlight = new Set<AttachmentInspector>();
      let fileCount = 0;
      let failure: Error | undefined;
      let finishing = false;

      const finish = async () => {
        if (finishing) return;
        finishing = true;
        await Promise.allSettled(writes);
        if (failure === undefined) {
          cleanup();
          resolve({ fields: Object.fromEntries(fields), attachments: stored as AttachmentInput[] });
          return;
        }
        await this.discard(stored.filter((file): file is AttachmentInput => file !== undefined));
        await drain(req, maxFileBytes + maxFieldBytes);
        cleanup();
        reject(
          failure instanceof AppError ? new UploadRefusedError(failure, Object.fromEntries(fields)) : failure,
        );
      };
      // The first failure wins; one that comes while finishing still turns the answer into a refusal.
      const fail = (error: unknown) => {
        if (failure !== undefined) return;
        failure = error instanceof Error ? error : new Error(String(error));
        req.unpipe(parser);
        for (const inspector of inFlight) inspector.destroy(failure);
        void finish();
      };
      const tooMany = () =>
        new AppError('TOO_MANY_ATTACHMENTS', `A message may have at most ${maxFiles} attachments`, {
          [fileField]: [`at most ${maxFiles} files`],
        });
      const interrupted = () => fail(new AppError('VALIDATION_FAILED', 'The upload was interrupted'));
      const onClose = () => {
        if (!req.complete) interrupted();
      };
      const cleanup = () => {
        req.off('aborted', interrupted);
        req.off('error', interrupted);
        req.off('close', onClose);
      };

      let parser: busboy.Busboy;
      try {
        parser = busboy({
          headers: req.headers,
          // Browsers send file names as raw UTF-8.
          defParamCharset: 'utf8',
          limits: {
            // One byte over the limit is enough to know; the inspector refuses it.
            fileSize: maxFileBytes + 1,
            // Room for empty file inputs (skipped); the real count is checked below.
            files: maxFiles + 10,
            fields: maxFields,
            fieldSize: maxFieldBytes,
            fieldNameSize: 200,
            parts: maxFiles + maxFields + 10,
            headerPairs: 20,
          },
        });
      } catch {
        const refusal = new AppError(
          'VALIDATION_FAILED',
          'Expected a multipart/form-data body with a boundary',
        );
        void drain(req, maxFieldBytes).then(() => reject(refusal));
        return;
      }

      parser.on('file', (name, stream, info) => {
        // An empty file input of an HTML form arrives as a part without a name: nothing was chosen.
        if (failure !== undefined || !info.filename) return void stream.resume();
        if (name !== fileField) {
          stream.resume();
          return fail(
            new AppError('VALIDATION_FAILED', `Files are expected in the field "${fileField}"`, {
              [name]: ['is not a file field'],
            }),
          );
        }
        const index = fileCount++;
        if (index >= maxFiles) {
          stream.resume();
          return fail(tooMany());
        }
        const fileName = sanitizeFileName(info.filename) || 'attachment';
        const storageKey = attachmentStorageKey(accountId, randomUUID());
        const inspector = new AttachmentInspector({
          fileName,
          field: `${fileField}.${index}`,
          maxBytes: maxFileBytes,
        });
        inFlight.add(inspector);
        inspector.once('error', fail);
        stream.once('error', (error) =>
          inspector.destroy(
            new AppError('VALIDATION_FAILED', `The multipart body is malformed: ${error.message}`),
          ),
        );
        stream.pipe(inspector);
        writes.push(
          this.storage
            .write(storageKey, inspector)
            .then(
              ({ bytes }) => {
                stored[index] = { storageKey, fileName, contentType: inspector.contentType!, size: bytes };
              },
              (error: unknown) => fail(error),
            )
            .finally(() => inFlight.delete(inspector)),
        );
      });
      parser.on('field', (name, value, info) => {
        if (failure !== undefined) return;
        if (info.nameTruncated || info.valueTruncated)
          return fail(
            new AppError(
              'PAYLOAD_TOO_LARGE',
              `The field "${name}" is larger than ${describeBytes(maxFieldBytes)}`,
              {
                [name]: [`must be at most ${maxFieldBytes} bytes`],
              },
            ),
          );
        if (fields.has(name))
          return fail(
            new AppError('VALIDATION_FAILED', `The field "${name}" is given more than once`, {
              [name]: ['is given more than once'],
            }),
          );
        fields.set(name, value);
      });
      parser.on('filesLimit', () => fail(tooMany()));
      parser.on('fieldsLimit', () =>
        fail(new AppError('VALIDATION_FAILED', `A request may have at most ${maxFields} fields`)),
      );
      parser.on('partsLimit', () =>
        fail(new AppError('VALIDATION_FAILED', 'The request has too many parts')),
      );
      parser.on('error', (error: Error) =>
        fail(new AppError('VALIDATION_FAILED', `The multipart body is malformed: ${error.message}`)),
      );
      parser.on('close', () => void finish());
      req.once('aborted', interrupted);
      req.once('error', interrupted);
      req.once('close', onClose);
      req.pipe(parser);
    });
  }

  /**
   * After the service the uploads were for failed: removes them when it certainly stored nothing (it
   * refused). A timeout or an internal error may come after its commit, so then they stay, and
   * their keys are logged, rather than risk emptying a stored message.
   */
  async discardUnlessStored(attachments: AttachmentInput[], error: unknown): Promise<void> {
    if (attachments.length === 0) return;
    const code = error instanceof AppError ? error.code : undefined;
    if (code !== undefined && code !== 'SERVICE_UNAVAILABLE' && code !== 'INTERNAL')
      return this.discard(attachments);
    this.logger?.warn(
      { storageKeys: attachments.map((file) => file.storageKey) },
      'outcome unknown: the uploaded files are kept',
    );
  }

  /** Removes stored uploads (after a refusal here or by the service they were for); never throws. */
  async discard(attachments: AttachmentInput[]): Promise<void> {
    await Promise.all(
      attachments.map((file) =>
        this.storage
          .remove(file.storageKey)
          .catch((error: unknown) =>
            this.logger?.warn({ err: error, storageKey: file.storageKey }, 'could not remove an upload'),
          ),
      ),
    );
  }
}

/**
 * Reads and drops what is left of a refused request's body, so the client (which may still be
 * sending) gets the answer; a body with more than `limitBytes` left, or one that takes too long, is
 * cut off instead.
 */
function drain(req: IncomingMessage, limitBytes: number): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let left = limitBytes;
    const timer = setTimeout(() => req.destroy(), DRAIN_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      req.off('data', count);
      resolve();
    };
    const count = (chunk: Buffer) => {
      left -= chunk.length;
      if (left < 0) req.destroy();
    };
    req.on('data', count);
    req.once('end', done);
    req.once('close', done);
    req.resume();
  });
}
