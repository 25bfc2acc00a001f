import { ALLOWED_ATTACHMENT_TYPES, Id, type RpcRequest } from '@helpdesk/contracts';
import { AppError, LOGGER, RpcClient, type FileStorage, type Logger } from '@helpdesk/kit';
import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { sendStoredFile } from '../http/stored-file.js';
import { FILE_STORAGE } from './uploads.tokens.js';

const allowedTypes = new Set<string>(ALLOWED_ATTACHMENT_TYPES);

/**
 * Serves an attachment: inbox says whether the caller may have it (internal callers: any of the
 * account; with a viewer and the portal's visibility: only a public message's on a ticket the viewer
 * sees) and where it is stored; only that key is ever read.
 */
@Injectable()
export class AttachmentDownloads {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async send(res: Response, request: RpcRequest<'inbox.attachments.get'>): Promise<void> {
    const notFound = new AppError('ATTACHMENT_NOT_FOUND', `Attachment ${request.attachmentId} not found`);
    // A malformed id names no attachment: the same 404 as an unknown one.
    if (!Id.safeParse(request.attachmentId).success) throw notFound;
    const attachment = await this.rpc.send('inbox.attachments.get', request);
    // Defence in depth: whatever inbox answers, only this account's uploads are read.
    if (!attachment.storageKey.startsWith(`attachments/${request.accountId}/`)) throw notFound;
    // A type outside the allowed list (a row written before the list changed) is served as bytes.
    const contentType = allowedTypes.has(attachment.contentType)
      ? attachment.contentType
      : 'application/octet-stream';
    await sendStoredFile(res, this.storage, { ...attachment, contentType }, notFound, this.logger);
  }
}
