import type { RpcPayload } from '@helpdesk/contracts';
import { Serves } from '@helpdesk/kit';
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { PortalsService } from './portals.service.js';

@Controller()
export class PortalsController {
  constructor(private readonly portals: PortalsService) {}

  @Serves('identity.portal.get')
  get(@Payload() request: RpcPayload<'identity.portal.get'>) {
    return this.portals.get(request);
  }

  @Serves('identity.portal.update')
  update(@Payload() request: RpcPayload<'identity.portal.update'>) {
    return this.portals.update(request);
  }

  @Serves('identity.portal.resolve')
  resolve(@Payload() request: RpcPayload<'identity.portal.resolve'>) {
    return this.portals.resolve(request);
  }

  @Serves('identity.portal.audit')
  audit(@Payload() request: RpcPayload<'identity.portal.audit'>) {
    return this.portals.audit(request);
  }

  @Serves('identity.domains.add')
  addDomain(@Payload() request: RpcPayload<'identity.domains.add'>) {
    return this.portals.addDomain(request);
  }

  @Serves('identity.domains.update')
  updateDomain(@Payload() request: RpcPayload<'identity.domains.update'>) {
    return this.portals.updateDomain(request);
  }

  @Serves('identity.domains.remove')
  removeDomain(@Payload() request: RpcPayload<'identity.domains.remove'>) {
    return this.portals.removeDomain(request);
  }

  @Serves('identity.viewer.scope')
  viewerScope(@Payload() request: RpcPayload<'identity.viewer.scope'>) {
    return this.portals.viewerScope(request);
  }
}
