import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { PipelineAdminService } from '../pipelines/pipeline-admin.service.js';
import { PipelinesController } from '../pipelines/pipelines.controller.js';
import { PipelinesService } from '../pipelines/pipelines.service.js';
import { TicketPropertiesController } from '../pipelines/ticket-properties.controller.js';
import { TicketPropertiesService } from '../pipelines/ticket-properties.service.js';
import { Ticket } from './ticket.entity.js';
import { TicketsController } from './tickets.controller.js';
import { TicketsService } from './tickets.service.js';

@Module({
  imports: [MikroOrmModule.forFeature([Ticket])],
  controllers: [TicketsController, PipelinesController, TicketPropertiesController],
  providers: [TicketsService, PipelinesService, PipelineAdminService, TicketPropertiesService],
})
export class TicketsModule {}
