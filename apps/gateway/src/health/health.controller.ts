import { Services, type Subject } from '@helpdesk/contracts';
import { Metrics, readiness, RpcClient } from '@helpdesk/kit';
import { Controller, Get, Header, Inject, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Redis } from 'ioredis';
import { REDIS } from '../redis.js';

@ApiExcludeController()
@Controller()
export class HealthController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly metrics: Metrics,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** The process is running; says nothing about its dependencies. */
  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  /**
   * Ready only when NATS, Redis and every service (each checking its own PostgreSQL schema) answer.
   * `?scope=self` checks only the gateway's own connections (NATS, Redis): what an orchestrator's
   * readiness probe wants, since a service that is down affects every gateway replica alike, and the
   * gateway still serves what does not need it (form submissions are kept until delivered).
   */
  @Get('health/ready')
  async ready(@Query('scope') scope: string | undefined, @Res({ passthrough: true }) res: Response) {
    const services =
      scope === 'self'
        ? {}
        : Object.fromEntries(
            Services.map((service) => [
              service,
              () => this.rpc.send(`${service}.ping` as Subject, {}, { timeoutMs: 1_500 }),
            ]),
          );
    const { ready, body } = await readiness({
      nats: () => this.rpc.checkConnection(),
      redis: () => this.redis.ping(),
      ...services,
    });
    res.status(ready ? 200 : 503);
    return body;
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async scrape(@Res() res: Response) {
    res.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
