import type { RpcPayload } from '@helpdesk/contracts';
import { Serves } from '@helpdesk/kit';
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TicketsService } from './tickets.service.js';

@Controller()
export class TicketsController {
  constructor(private readonly tickets: TicketsService) {}

  @Serves('tickets.create')
  create(@Payload() request: RpcPayload<'tickets.create'>) {
    return this.tickets.create(request);
  }

  @Serves('tickets.list')
  list(@Payload() request: RpcPayload<'tickets.list'>) {
    return this.tickets.list(request);
  }

  @Serves('tickets.get')
  get(@Payload() request: RpcPayload<'tickets.get'>) {
    return this.tickets.get(request);
  }

  @Serves('tickets.getMany')
  getMany(@Payload() request: RpcPayload<'tickets.getMany'>) {
    return this.tickets.getMany(request);
  }

  @Serves('tickets.update')
  update(@Payload() request: RpcPayload<'tickets.update'>) {
    return this.tickets.update(request);
  }

  @Serves('tickets.close')
  close(@Payload() request: RpcPayload<'tickets.close'>) {
    return this.tickets.close(request);
  }

  @Serves('tickets.messages.record')
  recordMessage(@Payload() request: RpcPayload<'tickets.messages.record'>) {
    return this.tickets.recordMessage(request);
  }

  @Serves('tickets.portal.list')
  portalList(@Payload() request: RpcPayload<'tickets.portal.list'>) {
    return this.tickets.portalList(request);
  }

  @Serves('tickets.portal.get')
  portalGet(@Payload() request: RpcPayload<'tickets.portal.get'>) {
    return this.tickets.portalGet(request);
  }
}
