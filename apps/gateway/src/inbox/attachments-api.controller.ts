import { ALLOWED_ATTACHMENT_TYPES } from '@helpdesk/contracts';
import { Controller, Get, Param, Res, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { InternalUserGuard } from '../auth/internal-user.guard.js';
import { CurrentViewer, RequirePermission, type InternalViewer } from '../auth/viewer.js';
import { AttachmentDownloads } from '../uploads/attachment-downloads.js';

/** Downloads of message attachments for agents (any attachment of the account, notes' included). */
@ApiTags('inbox')
@Controller('api/v1/attachments')
@UseGuards(InternalUserGuard)
@RequirePermission('inbox')
export class AttachmentsApiController {
  constructor(private readonly downloads: AttachmentDownloads) {}

  @Get(':id')
  @ApiProduces(...ALLOWED_ATTACHMENT_TYPES)
  @ApiOkResponse({
    description:
      'The file, as `Content-Disposition: attachment` with its name (RFC 5987), its stored type, `nosniff`, never cached',
    schema: { type: 'string', format: 'binary' },
  })
  async download(@CurrentViewer() viewer: InternalViewer, @Param('id') id: string, @Res() res: Response) {
    await this.downloads.send(res, { accountId: viewer.accountId, attachmentId: id });
  }
}
