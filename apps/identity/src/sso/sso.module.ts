import { Module } from '@nestjs/common';
import { OidcClient } from './oidc-client.js';

/** The OpenID Connect client for portal single sign-on; import where the SSO handlers live. */
@Module({
  providers: [OidcClient],
  exports: [OidcClient],
})
export class SsoModule {}
