import type { RpcPayload } from '@helpdesk/contracts';
import { Serves } from '@helpdesk/kit';
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { SubmissionsService } from './submissions.service.js';

@Controller()
export class SubmissionsController {
  constructor(private readonly submissions: SubmissionsService) {}

  @Serves('forms.submit')
  submit(@Payload() request: RpcPayload<'forms.submit'>) {
    return this.submissions.submit(request);
  }

  @Serves('forms.submissions.get')
  get(@Payload() request: RpcPayload<'forms.submissions.get'>) {
    return this.submissions.get(request);
  }

  @Serves('forms.submissions.list')
  list(@Payload() request: RpcPayload<'forms.submissions.list'>) {
    return this.submissions.list(request);
  }
}
