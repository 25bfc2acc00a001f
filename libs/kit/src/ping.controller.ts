import type { ServiceName, Subject } from '@helpdesk/contracts';
import { Controller } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { Serves } from './rpc-server.js';

/** `<service>.ping`: answers only when the service's own database answers (used by the gateway's /health/ready). */
export function PingController(service: ServiceName) {
  @Controller()
  class ServicePingController {
    constructor(readonly orm: MikroORM) {}

    @Serves(`${service}.ping` as Subject)
    async ping() {
      await this.orm.em.getConnection().execute('select 1');
      return { service, database: 'up' as const };
    }
  }
  return ServicePingController;
}
