import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { PipelinesModule } from '../pipelines/pipelines.module.js';
import { Ticket } from './ticket.entity.js';
import { TicketsController } from './tickets.controller.js';
import { TicketsService } from './tickets.service.js';

@Module({
  imports: [MikroOrmModule.forFeature([Ticket]), PipelinesModule],
  controllers: [TicketsController],
  providers: [TicketsService],
})
export class TicketsModule {}
