import type { RpcPayload } from '@helpdesk/contracts';
import { Serves } from '@helpdesk/kit';
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { FormsService } from './forms.service.js';

@Controller()
export class FormsController {
  constructor(private readonly forms: FormsService) {}

  @Serves('forms.list')
  list(@Payload() request: RpcPayload<'forms.list'>) {
    return this.forms.list(request);
  }

  @Serves('forms.get')
  get(@Payload() request: RpcPayload<'forms.get'>) {
    return this.forms.get(request);
  }

  @Serves('forms.create')
  create(@Payload() request: RpcPayload<'forms.create'>) {
    return this.forms.create(request);
  }

  @Serves('forms.createFromTemplate')
  createFromTemplate(@Payload() request: RpcPayload<'forms.createFromTemplate'>) {
    return this.forms.createFromTemplate(request);
  }

  @Serves('forms.update')
  update(@Payload() request: RpcPayload<'forms.update'>) {
    return this.forms.update(request);
  }

  @Serves('forms.delete')
  delete(@Payload() request: RpcPayload<'forms.delete'>) {
    return this.forms.delete(request);
  }
}
