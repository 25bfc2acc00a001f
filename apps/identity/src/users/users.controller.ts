import type { RpcPayload } from '@helpdesk/contracts';
import { Serves } from '@helpdesk/kit';
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { UsersService } from './users.service.js';

@Controller()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Serves('identity.users.authenticate')
  authenticate(@Payload() request: RpcPayload<'identity.users.authenticate'>) {
    return this.users.authenticate(request);
  }

  @Serves('identity.users.get')
  get(@Payload() request: RpcPayload<'identity.users.get'>) {
    return this.users.get(request);
  }

  @Serves('identity.users.list')
  list(@Payload() request: RpcPayload<'identity.users.list'>) {
    return this.users.list(request);
  }
}
