import type { RpcPayload } from '@helpdesk/contracts';
import { Serves } from '@helpdesk/kit';
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TicketPropertiesService } from './ticket-properties.service.js';

@Controller()
export class TicketPropertiesController {
  constructor(private readonly properties: TicketPropertiesService) {}

  @Serves('tickets.properties.list')
  list(@Payload() request: RpcPayload<'tickets.properties.list'>) {
    return this.properties.list(request);
  }

  @Serves('tickets.properties.create')
  create(@Payload() request: RpcPayload<'tickets.properties.create'>) {
    return this.properties.create(request);
  }

  @Serves('tickets.properties.update')
  update(@Payload() request: RpcPayload<'tickets.properties.update'>) {
    return this.properties.update(request);
  }

  @Serves('tickets.properties.delete')
  delete(@Payload() request: RpcPayload<'tickets.properties.delete'>) {
    return this.properties.delete(request);
  }
}
