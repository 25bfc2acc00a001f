import { LocalFileStorage, LOGGER, type FileStorage, type Logger } from '@helpdesk/kit';
import { Module } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { AttachmentDownloads } from './attachment-downloads.js';
import { AttachmentUploads } from './attachment-uploads.js';
import { FILE_STORAGE } from './uploads.tokens.js';

/** Text fields a multipart request may carry besides its files. */
const MAX_FORM_FIELDS = 20;

/** Streamed attachment uploads into the shared file storage, and downloads out of it. */
@Module({
  providers: [
    {
      provide: FILE_STORAGE,
      useFactory: (config: GatewayConfig) => new LocalFileStorage(config.FILE_STORAGE_DIR),
      inject: [GATEWAY_CONFIG],
    },
    {
      provide: AttachmentUploads,
      useFactory: (storage: FileStorage, config: GatewayConfig, logger: Logger) =>
        new AttachmentUploads(
          storage,
          {
            maxFileBytes: config.MAX_ATTACHMENT_BYTES,
            maxFiles: config.MAX_ATTACHMENTS_PER_MESSAGE,
            maxFieldBytes: config.BODY_LIMIT_BYTES,
            maxFields: MAX_FORM_FIELDS,
          },
          logger,
        ),
      inject: [FILE_STORAGE, GATEWAY_CONFIG, LOGGER],
    },
    AttachmentDownloads,
  ],
  exports: [FILE_STORAGE, AttachmentUploads, AttachmentDownloads],
})
export class UploadsModule {}
