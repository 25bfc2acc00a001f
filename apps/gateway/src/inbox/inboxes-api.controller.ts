import {
  CreateInboxRequest,
  InboxView,
  PageOf,
  ThreadSummary,
  UpdateInboxRequest,
} from '@helpdesk/contracts';
import { parseOrThrow, RpcClient } from '@helpdesk/kit';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { InternalUserGuard } from '../auth/internal-user.guard.js';
import { CurrentViewer, RequirePermission, type InternalViewer } from '../auth/viewer.js';
import { openApi } from '../http/openapi.js';
import { pathId } from '../http/path-id.js';
import { ApiPageQuery, PageQuery } from './page-query.js';

// The account comes from the session, never from the caller.
const CreateInboxBody = CreateInboxRequest.omit({ accountId: true }).strict();
const UpdateInboxBody = UpdateInboxRequest.omit({ accountId: true, id: true }).strict();

const inboxId = pathId('INBOX_NOT_FOUND', 'Inbox');

/** The account's inboxes and help desks, and each one's threads (agents with the `inbox` permission). */
@ApiTags('inbox')
@Controller('api/v1/inboxes')
@UseGuards(InternalUserGuard)
@RequirePermission('inbox')
export class InboxesApiController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiOkResponse({ schema: openApi(z.array(InboxView)) })
  list(@CurrentViewer() viewer: InternalViewer) {
    return this.rpc.send('inbox.inboxes.list', { accountId: viewer.accountId });
  }

  @Post()
  @ApiBody({ schema: openApi(CreateInboxBody, 'input') })
  @ApiCreatedResponse({ schema: openApi(InboxView) })
  create(@CurrentViewer() viewer: InternalViewer, @Body() body: unknown) {
    const inbox = parseOrThrow(CreateInboxBody, body, 'inbox');
    return this.rpc.send('inbox.inboxes.create', { accountId: viewer.accountId, ...inbox });
  }

  @Patch(':id')
  @ApiBody({ schema: openApi(UpdateInboxBody, 'input') })
  @ApiOkResponse({ schema: openApi(InboxView) })
  update(@CurrentViewer() viewer: InternalViewer, @Param('id') id: string, @Body() body: unknown) {
    const changes = parseOrThrow(UpdateInboxBody, body, 'inbox');
    return this.rpc.send('inbox.inboxes.update', {
      accountId: viewer.accountId,
      id: inboxId(id),
      ...changes,
    });
  }

  /** Refused with 409 INBOX_NOT_EMPTY while the inbox has threads. */
  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'deleted' })
  async remove(@CurrentViewer() viewer: InternalViewer, @Param('id') id: string) {
    await this.rpc.send('inbox.inboxes.delete', { accountId: viewer.accountId, id: inboxId(id) });
  }

  /** The inbox's threads, most recent activity first. */
  @Get(':id/threads')
  @ApiPageQuery()
  @ApiOkResponse({ schema: openApi(PageOf(ThreadSummary)) })
  threads(@CurrentViewer() viewer: InternalViewer, @Param('id') id: string, @Query() query: unknown) {
    const page = parseOrThrow(PageQuery, query, 'query');
    return this.rpc.send('inbox.threads.list', {
      accountId: viewer.accountId,
      inboxId: inboxId(id),
      ...page,
    });
  }
}
