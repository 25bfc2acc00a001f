import { Module } from '@nestjs/common';
import { QueueDashboard } from './queue-dashboard.js';

/** The queue dashboard; gateway.ts mounts its middleware, so it answers before any route. */
@Module({ providers: [QueueDashboard], exports: [QueueDashboard] })
export class QueuesModule {}
