import type { RpcPayload } from '@helpdesk/contracts';
import { Serves } from '@helpdesk/kit';
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { AttachmentsService } from './attachments.service.js';
import { ConversationsService } from './conversations.service.js';
import { TimelineService } from './timeline.service.js';

/** The agents' side: threads, replies, notes, attachments and timelines (internal callers). */
@Controller()
export class ThreadsController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly attachments: AttachmentsService,
    private readonly timeline: TimelineService,
  ) {}

  @Serves('inbox.threads.open')
  open(@Payload() request: RpcPayload<'inbox.threads.open'>) {
    return this.conversations.open(request);
  }

  @Serves('inbox.threads.list')
  list(@Payload() request: RpcPayload<'inbox.threads.list'>) {
    return this.conversations.listThreads(request);
  }

  @Serves('inbox.threads.get')
  get(@Payload() request: RpcPayload<'inbox.threads.get'>) {
    return this.conversations.getThread(request);
  }

  @Serves('inbox.threads.ofTicket')
  ofTicket(@Payload() request: RpcPayload<'inbox.threads.ofTicket'>) {
    return this.conversations.threadsOfTicket(request);
  }

  @Serves('inbox.messages.agentReply')
  agentReply(@Payload() request: RpcPayload<'inbox.messages.agentReply'>) {
    return this.conversations.agentReply(request);
  }

  @Serves('inbox.messages.note')
  note(@Payload() request: RpcPayload<'inbox.messages.note'>) {
    return this.conversations.note(request);
  }

  @Serves('inbox.attachments.get')
  attachment(@Payload() request: RpcPayload<'inbox.attachments.get'>) {
    return this.attachments.get(request);
  }

  @Serves('inbox.timeline.get')
  timelineOf(@Payload() request: RpcPayload<'inbox.timeline.get'>) {
    return this.timeline.get(request);
  }
}
