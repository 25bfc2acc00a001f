import { Services, type Subject } from '@helpdesk/contracts';
import { Metrics, RpcClient } from '@helpdesk/kit';
import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Redis } from 'ioredis';
import { REDIS } from '../redis.js';

const CHECK_TIMEOUT_MS = 1_500;

const settle = async (check: () => Promise<unknown>): Promise<string> => {
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) =>
        setTimeout(
          () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        ).unref(),
      ),
    ]);
    return 'up';
  } catch (error) {
    return `down: ${error instanceof Error ? error.message : String(error)}`;
  }
};

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

  /** Ready only when NATS, Redis and every service (each checking its own PostgreSQL schema) answer. */
  @Get('health/ready')
  async ready(@Res({ passthrough: true }) res: Response) {
    const [nats, redis, ...services] = await Promise.all([
      settle(() => this.rpc.checkConnection()),
      settle(() => this.redis.ping()),
      ...Services.map((service) =>
        settle(() => this.rpc.send(`${service}.ping` as Subject, {}, { timeoutMs: CHECK_TIMEOUT_MS })),
      ),
    ]);
    const checks: Record<string, string> = { nats, redis };
    Services.forEach((service, index) => (checks[service] = services[index]));
    const ok = Object.values(checks).every((state) => state === 'up');
    res.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'unavailable', checks };
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async scrape(@Res() res: Response) {
    res.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
