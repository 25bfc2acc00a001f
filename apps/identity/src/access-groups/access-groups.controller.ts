import type { RpcPayload } from '@helpdesk/contracts';
import { Serves } from '@helpdesk/kit';
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { AccessGroupsService } from './access-groups.service.js';

@Controller()
export class AccessGroupsController {
  constructor(private readonly groups: AccessGroupsService) {}

  @Serves('identity.accessGroups.create')
  create(@Payload() request: RpcPayload<'identity.accessGroups.create'>) {
    return this.groups.create(request);
  }

  @Serves('identity.accessGroups.list')
  list(@Payload() request: RpcPayload<'identity.accessGroups.list'>) {
    return this.groups.list(request);
  }

  @Serves('identity.accessGroups.ofContact')
  ofContact(@Payload() request: RpcPayload<'identity.accessGroups.ofContact'>) {
    return this.groups.ofContact(request);
  }

  @Serves('identity.accessGroups.addMembers')
  addMembers(@Payload() request: RpcPayload<'identity.accessGroups.addMembers'>) {
    return this.groups.addMembers(request);
  }

  @Serves('identity.accessGroups.removeMembers')
  removeMembers(@Payload() request: RpcPayload<'identity.accessGroups.removeMembers'>) {
    return this.groups.removeMembers(request);
  }

  @Serves('identity.accessGroups.members')
  members(@Payload() request: RpcPayload<'identity.accessGroups.members'>) {
    return this.groups.members(request);
  }

  @Serves('identity.accessGroups.resendInvitation')
  resendInvitation(@Payload() request: RpcPayload<'identity.accessGroups.resendInvitation'>) {
    return this.groups.resendInvitation(request);
  }
}
