import type { RpcPayload } from '@helpdesk/contracts';
import { Serves } from '@helpdesk/kit';
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ConversationsService } from './conversations.service.js';

/**
 * The customer's side, called by the gateway for a logged-in contact. Nothing but the account and
 * the viewer is trusted: tickets says whether the viewer sees the ticket, and only public messages
 * of its oldest thread ever come back.
 */
@Controller()
export class PortalController {
  constructor(private readonly conversations: ConversationsService) {}

  @Serves('inbox.portal.conversation')
  conversation(@Payload() request: RpcPayload<'inbox.portal.conversation'>) {
    return this.conversations.portalConversation(request);
  }

  @Serves('inbox.messages.reply')
  reply(@Payload() request: RpcPayload<'inbox.messages.reply'>) {
    return this.conversations.portalReply(request);
  }
}
