import {
  AgentReplyRequest,
  MessageView,
  NoteRequest,
  PageOf,
  ThreadDetail,
  ThreadSummary,
  TimelineEntry,
  type AttachmentInput,
} from '@helpdesk/contracts';
import { parseOrThrow, RpcClient } from '@helpdesk/kit';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { InternalUserGuard } from '../auth/internal-user.guard.js';
import { CurrentViewer, RequirePermission, type InternalViewer } from '../auth/viewer.js';
import { openApi } from '../http/openapi.js';
import { pathId } from '../http/path-id.js';
import { AttachmentUploads } from '../uploads/attachment-uploads.js';
import { ApiPageQuery, PageQuery } from './page-query.js';

const ReplyBody = AgentReplyRequest.pick({ bodyHtml: true }).strict();
const NoteBody = NoteRequest.pick({ bodyHtml: true, kind: true }).strict();

/** Ids from the path: a malformed one names nothing, the same 404 as an unknown one. */
const pathIds = {
  thread: pathId('THREAD_NOT_FOUND', 'Thread'),
  ticket: pathId('TICKET_NOT_FOUND', 'Ticket'),
  contact: pathId('CONTACT_NOT_FOUND', 'Contact'),
};

/** Conversations for agents with the `inbox` permission: threads, replies with attachments, notes, timelines. */
@ApiTags('inbox')
@Controller('api/v1')
@UseGuards(InternalUserGuard)
@RequirePermission('inbox')
export class ThreadsApiController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly uploads: AttachmentUploads,
  ) {}

  /** A thread with every message, internal notes included. */
  @Get('threads/:id')
  @ApiOkResponse({ schema: openApi(ThreadDetail) })
  get(@CurrentViewer() viewer: InternalViewer, @Param('id') id: string) {
    return this.rpc.send('inbox.threads.get', {
      accountId: viewer.accountId,
      threadId: pathIds.thread(id),
    });
  }

  /**
   * A public reply, emailed to the requester. JSON `{ bodyHtml }`, or `multipart/form-data` with the
   * field `bodyHtml` and up to MAX_ATTACHMENTS_PER_MESSAGE files in `attachments` (each at most
   * MAX_ATTACHMENT_BYTES; the type is sniffed from the content, and must be PDF, an image, text, CSV,
   * an Office document, ZIP or an email).
   */
  @Post('threads/:id/replies')
  @HttpCode(201)
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['bodyHtml'],
      properties: {
        bodyHtml: {
          type: 'string',
          description: 'HTML; sanitised to p br strong em u ul ol li a code pre blockquote',
        },
        attachments: {
          type: 'array',
          items: { type: 'string', format: 'binary' },
          description: 'multipart only',
        },
      },
    },
  })
  @ApiCreatedResponse({ schema: openApi(MessageView) })
  async reply(
    @CurrentViewer() viewer: InternalViewer,
    @Param('id') id: string,
    @Req() req: Request,
    @Body() body: unknown,
  ) {
    // Checked before any file is stored: a request that cannot succeed stores nothing.
    const threadId = pathIds.thread(id);
    const reply = (bodyHtml: string, attachments: AttachmentInput[]) =>
      this.rpc.send('inbox.messages.agentReply', {
        accountId: viewer.accountId,
        threadId,
        author: { userId: viewer.id, name: viewer.name },
        bodyHtml,
        attachments,
      });
    if (!AttachmentUploads.isMultipart(req))
      return reply(parseOrThrow(ReplyBody, body, 'reply').bodyHtml, []);

    const upload = await this.uploads.receive(req, viewer.accountId, 'attachments');
    try {
      return await reply(parseOrThrow(ReplyBody, upload.fields, 'reply').bodyHtml, upload.attachments);
    } catch (error) {
      await this.uploads.discardUnlessStored(upload.attachments, error);
      throw error;
    }
  }

  /** An internal note or comment: never shown to customers, never emailed. */
  @Post('threads/:id/notes')
  @HttpCode(201)
  @ApiBody({ schema: openApi(NoteBody, 'input') })
  @ApiCreatedResponse({ schema: openApi(MessageView) })
  note(@CurrentViewer() viewer: InternalViewer, @Param('id') id: string, @Body() body: unknown) {
    const threadId = pathIds.thread(id);
    const note = parseOrThrow(NoteBody, body, 'note');
    return this.rpc.send('inbox.messages.note', {
      accountId: viewer.accountId,
      threadId,
      author: { userId: viewer.id, name: viewer.name },
      ...note,
    });
  }

  /** A ticket's threads, the oldest (the one its requester sees in the portal) first. */
  @Get('tickets/:id/threads')
  @ApiOkResponse({ schema: openApi(z.array(ThreadSummary)) })
  async ticketThreads(@CurrentViewer() viewer: InternalViewer, @Param('id') id: string) {
    const ticketId = pathIds.ticket(id);
    const [, threads] = await Promise.all([
      this.ticketExists(viewer, ticketId),
      this.rpc.send('inbox.threads.ofTicket', { accountId: viewer.accountId, ticketId }),
    ]);
    return threads;
  }

  /** A ticket's messages, newest first: public ones as `email`, notes and comments as such. */
  @Get('tickets/:id/timeline')
  @ApiPageQuery()
  @ApiOkResponse({ schema: openApi(PageOf(TimelineEntry)) })
  async ticketTimeline(
    @CurrentViewer() viewer: InternalViewer,
    @Param('id') id: string,
    @Query() query: unknown,
  ) {
    const ticketId = pathIds.ticket(id);
    const page = parseOrThrow(PageQuery, query, 'query');
    const [, timeline] = await Promise.all([
      this.ticketExists(viewer, ticketId),
      this.rpc.send('inbox.timeline.get', { accountId: viewer.accountId, ticketId, ...page }),
    ]);
    return timeline;
  }

  /** A contact's messages on every ticket, newest first. */
  @Get('contacts/:id/timeline')
  @ApiPageQuery()
  @ApiOkResponse({ schema: openApi(PageOf(TimelineEntry)) })
  async contactTimeline(
    @CurrentViewer() viewer: InternalViewer,
    @Param('id') id: string,
    @Query() query: unknown,
  ) {
    const contactId = pathIds.contact(id);
    const page = parseOrThrow(PageQuery, query, 'query');
    const [, timeline] = await Promise.all([
      this.rpc.send('identity.contacts.get', { accountId: viewer.accountId, id: contactId }),
      this.rpc.send('inbox.timeline.get', { accountId: viewer.accountId, contactId, ...page }),
    ]);
    return timeline;
  }

  /**
   * Inbox knows tickets and contacts only by the ids on its messages, so for one that is not the
   * account's it finds nothing rather than nothing of theirs: asked here, such an id is a 404 (the
   * owner's service answers), not an empty list.
   */
  private async ticketExists(viewer: InternalViewer, ticketId: string): Promise<void> {
    await this.rpc.send('tickets.get', { accountId: viewer.accountId, id: ticketId });
  }
}
