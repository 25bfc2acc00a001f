import type { RpcPayload } from '@helpdesk/contracts';
import { Serves } from '@helpdesk/kit';
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { PortalLoginsService } from './portal-logins.service.js';
import { SsoLoginsService } from './sso-logins.service.js';

@Controller()
export class PortalLoginsController {
  constructor(
    private readonly logins: PortalLoginsService,
    private readonly sso: SsoLoginsService,
  ) {}

  @Serves('identity.portal.login')
  login(@Payload() request: RpcPayload<'identity.portal.login'>) {
    return this.logins.login(request);
  }

  @Serves('identity.portal.register')
  register(@Payload() request: RpcPayload<'identity.portal.register'>) {
    return this.logins.register(request);
  }

  @Serves('identity.portal.verifyEmail')
  verifyEmail(@Payload() request: RpcPayload<'identity.portal.verifyEmail'>) {
    return this.logins.verifyEmail(request);
  }

  @Serves('identity.portal.acceptInvitation')
  acceptInvitation(@Payload() request: RpcPayload<'identity.portal.acceptInvitation'>) {
    return this.logins.acceptInvitation(request);
  }

  @Serves('identity.portal.requestPasswordReset')
  requestPasswordReset(@Payload() request: RpcPayload<'identity.portal.requestPasswordReset'>) {
    return this.logins.requestPasswordReset(request);
  }

  @Serves('identity.portal.resetPassword')
  resetPassword(@Payload() request: RpcPayload<'identity.portal.resetPassword'>) {
    return this.logins.resetPassword(request);
  }

  @Serves('identity.sso.start')
  startSso(@Payload() request: RpcPayload<'identity.sso.start'>) {
    return this.sso.start(request);
  }

  @Serves('identity.sso.complete')
  completeSso(@Payload() request: RpcPayload<'identity.sso.complete'>) {
    return this.sso.complete(request);
  }
}
