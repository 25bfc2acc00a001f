import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { JobQueues } from '@helpdesk/contracts';
import { AppError, LOGGER, openJobQueue, type Logger } from '@helpdesk/kit';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Express, RequestHandler } from 'express';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { sendError } from '../http/error-response.js';
import { AdminErrorFilter } from '../admin/admin-error.filter.js';
import { dashboardAccess, QUEUE_DASHBOARD_PATH, withoutRemoteFonts } from './dashboard-access.js';

/**
 * The queue dashboard for ops (bull-board at /admin/queues): every service's BullMQ queue with its
 * jobs, failed ones included (the dead-letter list), to retry or clean. It opens the queues the way
 * the services do (same names, Redis and REDIS_PREFIX) and closes them when the gateway stops.
 */
@Injectable()
export class QueueDashboard implements OnApplicationShutdown {
  /** The middleware to mount at QUEUE_DASHBOARD_PATH, after the session (see gateway.ts). */
  readonly handlers: RequestHandler[];
  private readonly queues: ReturnType<typeof openJobQueue>[];

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    @Inject(LOGGER) logger: Logger,
    errorPages: AdminErrorFilter,
  ) {
    this.queues = Object.values(JobQueues).map((name) =>
      openJobQueue(name, { redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX, logger }),
    );
    const adapter = new ExpressAdapter().setBasePath(QUEUE_DASHBOARD_PATH);
    createBullBoard({
      queues: this.queues.map(({ queue }) => new BullMQAdapter(queue)),
      serverAdapter: adapter,
      options: { uiConfig: { boardTitle: 'Help desk queues' } },
    });
    const board = adapter.getRouter() as Express;
    board.disable('x-powered-by');
    const notFound: RequestHandler = (req, res) =>
      sendError(new AppError('ROUTE_NOT_FOUND', `No page ${req.originalUrl}`), res, logger);
    this.handlers = [dashboardAccess(logger, errorPages), withoutRemoteFonts, board, notFound];
  }

  async onApplicationShutdown() {
    await Promise.all(this.queues.map(({ close }) => close()));
  }
}
