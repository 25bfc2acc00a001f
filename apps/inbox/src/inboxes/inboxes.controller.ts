import type { RpcPayload } from '@helpdesk/contracts';
import { Serves } from '@helpdesk/kit';
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { InboxesService } from './inboxes.service.js';

@Controller()
export class InboxesController {
  constructor(private readonly inboxes: InboxesService) {}

  @Serves('inbox.inboxes.list')
  list(@Payload() request: RpcPayload<'inbox.inboxes.list'>) {
    return this.inboxes.list(request);
  }

  @Serves('inbox.inboxes.create')
  create(@Payload() request: RpcPayload<'inbox.inboxes.create'>) {
    return this.inboxes.create(request);
  }

  @Serves('inbox.inboxes.update')
  update(@Payload() request: RpcPayload<'inbox.inboxes.update'>) {
    return this.inboxes.update(request);
  }

  @Serves('inbox.inboxes.delete')
  delete(@Payload() request: RpcPayload<'inbox.inboxes.delete'>) {
    return this.inboxes.delete(request);
  }
}
