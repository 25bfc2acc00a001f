import { Module, type DynamicModule } from '@nestjs/common';
import { InboxesModule } from '../inboxes/inboxes.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { InboxRelay } from '../outbox/inbox-relay.js';
import { AttachmentsService } from './attachments.service.js';
import { CONVERSATIONS_OPTIONS, type ConversationsOptions } from './conversations.options.js';
import { ConversationsService } from './conversations.service.js';
import { PortalController } from './portal.controller.js';
import { ThreadsController } from './threads.controller.js';
import { TicketAccess } from './ticket-access.js';
import { TimelineService } from './timeline.service.js';

/**
 * Threads, messages, attachments and timelines, with what follows a stored message: the outbox relay
 * (tickets' record, the requester's email) and the notification emails it queues.
 */
@Module({})
export class ConversationsModule {
  static forRoot(
    options: ConversationsOptions,
    notifications: Parameters<typeof NotificationsModule.forRoot>[0],
  ): DynamicModule {
    return {
      module: ConversationsModule,
      imports: [InboxesModule, NotificationsModule.forRoot(notifications)],
      controllers: [ThreadsController, PortalController],
      providers: [
        { provide: CONVERSATIONS_OPTIONS, useValue: options },
        ConversationsService,
        AttachmentsService,
        TimelineService,
        TicketAccess,
        InboxRelay,
      ],
    };
  }
}
