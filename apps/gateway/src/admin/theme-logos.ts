import { Id } from '@helpdesk/contracts';
import { AppError, FileNotFoundError, LOGGER, type FileStorage, type Logger } from '@helpdesk/kit';
import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { AttachmentUploads, UploadRefusedError } from '../uploads/attachment-uploads.js';
import { FILE_STORAGE } from '../uploads/uploads.tokens.js';

/** Largest logo accepted: a header image, not a photo. */
export const LOGO_MAX_BYTES = 512 * 1024;
/** Where logos are served; a gateway path, so `safeLogoUrl` lets the portal show it. */
export const LOGO_PATH = '/admin/portal/logos';
/** The logo's form field (a file input). */
export const LOGO_FIELD = 'logo';

/** The image types a logo may be (decided from its bytes), by the extension its stored name gets. */
const LOGO_EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
};
const CONTENT_TYPES = Object.fromEntries(Object.entries(LOGO_EXTENSIONS).map(([type, ext]) => [ext, type]));
export const LOGO_TYPES_TEXT = 'a PNG, JPEG, WebP or GIF image';

const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const logoFile = new RegExp(`^(${uuid})\\.(png|jpg|webp|gif)$`);

/** Text fields the theme form posts besides the logo (CSRF token, colours, font, radius, remove). */
const MAX_THEME_FIELDS = 20;

/** The theme form as posted: its text fields, and the logo it uploaded (its served URL), if any. */
export interface ThemeUpload {
  fields: Record<string, string>;
  logoUrl: string | null;
}

/**
 * The portal's logo (SPEC S6): uploaded with the theme form, checked like an attachment (streamed,
 * size-limited, type decided from the bytes) and then only accepted as a raster image, so no script
 * can come with it (SVG is refused). Stored under `portal-logos/<accountId>/<uuid>.<ext>` and served
 * publicly (the portal's login page shows it) under a URL that never changes its content.
 */
@Injectable()
export class ThemeLogos {
  private readonly uploads: AttachmentUploads;

  constructor(
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.uploads = new AttachmentUploads(
      storage,
      {
        maxFileBytes: LOGO_MAX_BYTES,
        maxFiles: 1,
        maxFieldBytes: config.BODY_LIMIT_BYTES,
        maxFields: MAX_THEME_FIELDS,
      },
      logger,
    );
  }

  /**
   * Reads the multipart theme form and stores its logo. A refused logo (too large, not an image, a
   * broken upload) throws VALIDATION_FAILED naming the `logo` field (an UploadRefusedError with the
   * fields typed before it), with nothing stored.
   */
  async receive(req: Request, accountId: string): Promise<ThemeUpload> {
    let upload;
    try {
      upload = await this.uploads.receive(req, accountId, LOGO_FIELD);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      throw logoRefused(
        error.code === 'ATTACHMENT_TYPE_NOT_ALLOWED'
          ? `The logo must be ${LOGO_TYPES_TEXT}: ${error.message}.`
          : `The logo was not accepted: ${error.message}.`,
        error instanceof UploadRefusedError ? error.typedFields : {},
      );
    }
    const [file] = upload.attachments;
    if (!file) return { fields: upload.fields, logoUrl: null };
    const extension = LOGO_EXTENSIONS[file.contentType];
    if (!extension) {
      await this.uploads.discard(upload.attachments);
      throw logoRefused(`The logo must be ${LOGO_TYPES_TEXT}; ${file.fileName} is not.`, upload.fields);
    }
    // The upload checks stored it as an attachment; the logo lives apart from those.
    const name = `${randomUUID()}.${extension}`;
    await this.storage.write(logoKey(accountId, name), await this.storage.read(file.storageKey));
    await this.uploads.discard(upload.attachments);
    return { fields: upload.fields, logoUrl: `${LOGO_PATH}/${accountId}/${name}` };
  }

  /** Removes a logo stored by `receive` whose settings were then refused; never throws. */
  async discard(logoUrl: string): Promise<void> {
    const [accountId, name] = logoUrl.slice(LOGO_PATH.length + 1).split('/');
    await this.storage
      .remove(logoKey(accountId, name))
      .catch((error: unknown) => this.logger.warn({ err: error, logoUrl }, 'could not remove a logo'));
  }

  /** Sends a stored logo; its name is a fresh UUID per upload, so it may be cached for good. */
  async send(res: Response, accountId: string, name: string): Promise<void> {
    const notFound = new AppError('ROUTE_NOT_FOUND', 'No such logo');
    const match = logoFile.exec(name);
    if (!match || !Id.safeParse(accountId).success) throw notFound;
    let content;
    try {
      content = await this.storage.read(logoKey(accountId, name));
    } catch (error) {
      if (error instanceof FileNotFoundError) throw notFound;
      throw error;
    }
    res.status(200);
    res.setHeader('Content-Type', CONTENT_TYPES[match[2]]);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    // The portal may live on another host name than the admin area: the image is for any page.
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    try {
      await pipeline(content, res);
    } catch (error) {
      // The client went away mid-way: the headers are out, so all we can do is stop.
      this.logger.warn({ err: error, name }, 'logo download interrupted');
      res.destroy();
    }
  }
}

const logoKey = (accountId: string, name: string) => `portal-logos/${accountId}/${name}`;

/** A refused logo, with the theme form's fields as typed (the page shows them again). */
const logoRefused = (message: string, typedFields: Record<string, string>) =>
  new UploadRefusedError(
    new AppError('VALIDATION_FAILED', message, { [LOGO_FIELD]: [message] }),
    typedFields,
  );
