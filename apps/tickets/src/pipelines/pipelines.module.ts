import { Module } from '@nestjs/common';
import { DefinitionsCache } from './definitions-cache.js';
import { DefinitionsEventsController } from './definitions-events.controller.js';
import { PipelineAdminService } from './pipeline-admin.service.js';
import { PipelinesController } from './pipelines.controller.js';
import { PipelinesService } from './pipelines.service.js';
import { TicketPropertiesController } from './ticket-properties.controller.js';
import { TicketPropertiesService } from './ticket-properties.service.js';

/**
 * An account's pipelines, stages and ticket properties, and the one cache of the definitions made of
 * them that tickets and exports share (so one change event clears it for both).
 */
@Module({
  controllers: [PipelinesController, TicketPropertiesController, DefinitionsEventsController],
  providers: [PipelinesService, PipelineAdminService, TicketPropertiesService, DefinitionsCache],
  exports: [PipelinesService, TicketPropertiesService],
})
export class PipelinesModule {}
