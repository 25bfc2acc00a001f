import { AppError, FileNotFoundError, type FileStorage, type Logger } from '@helpdesk/kit';
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { attachmentDisposition } from './content-disposition.js';

/** A stored file as its owning service describes it; the key comes from that service, never from the request. */
export interface StoredFile {
  storageKey: string;
  fileName: string;
  contentType: string;
  /** Sent as Content-Length when known (a CSV export's size is not recorded). */
  size?: number;
}

/**
 * Streams a stored file as a download: the type from the metadata (never sniffed by the browser),
 * always `attachment` with the file name in RFC 5987 form, never cached. A missing file is `notFound`.
 */
export async function sendStoredFile(
  res: Response,
  storage: FileStorage,
  file: StoredFile,
  notFound: AppError,
  logger?: Logger,
): Promise<void> {
  let content;
  try {
    content = await storage.read(file.storageKey);
  } catch (error) {
    if (error instanceof FileNotFoundError) throw notFound;
    throw error;
  }
  const textual = file.contentType.startsWith('text/');
  res.status(200);
  res.setHeader('Content-Type', textual ? `${file.contentType}; charset=utf-8` : file.contentType);
  if (file.size !== undefined) res.setHeader('Content-Length', String(file.size));
  res.setHeader('Content-Disposition', attachmentDisposition(file.fileName));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'private, no-store');
  // Even if a browser were to render it, the file runs nothing and loads nothing.
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  try {
    await pipeline(content, res);
  } catch (error) {
    // The client went away or the disk failed mid-way: the headers are out, so all we can do is stop.
    logger?.warn({ err: error, storageKey: file.storageKey }, 'download interrupted');
    res.destroy();
  }
}
