import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module.js';
import { QueueDashboard } from './queue-dashboard.js';

/** The queue dashboard; gateway.ts mounts its middleware, so it answers before any route. */
@Module({ imports: [AdminModule], providers: [QueueDashboard], exports: [QueueDashboard] })
export class QueuesModule {}
