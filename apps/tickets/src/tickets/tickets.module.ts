import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { PipelinesService } from '../pipelines/pipelines.service.js';
import { TicketPropertiesController } from '../pipelines/ticket-properties.controller.js';
import { TicketPropertiesService } from '../pipelines/ticket-properties.service.js';
import { Ticket } from './ticket.entity.js';
import { TicketsController } from './tickets.controller.js';
import { TicketsService } from './tickets.service.js';

@Module({
  imports: [MikroOrmModule.forFeature([Ticket])],
  controllers: [TicketsController, TicketPropertiesController],
  providers: [TicketsService, PipelinesService, TicketPropertiesService],
})
export class TicketsModule {}
