import { Module, type DynamicModule } from '@nestjs/common';
import { PipelinesService } from '../pipelines/pipelines.service.js';
import { TicketPropertiesService } from '../pipelines/ticket-properties.service.js';
import { ExportJob } from './export.job.js';
import { ExportsController } from './exports.controller.js';
import { EXPORTS_OPTIONS, type ExportsModuleOptions } from './exports.options.js';
import { ExportsService } from './exports.service.js';

/**
 * CSV exports of the portal's list (SPEC P4): `tickets.exports.start` queues one on
 * `tickets.exports`, the worker here writes the file to the file storage, `tickets.exports.get`
 * tells its progress and where the file is.
 */
@Module({})
export class ExportsModule {
  static forRoot(options: ExportsModuleOptions): DynamicModule {
    return {
      module: ExportsModule,
      controllers: [ExportsController],
      providers: [
        { provide: EXPORTS_OPTIONS, useValue: options },
        ExportsService,
        ExportJob,
        PipelinesService,
        TicketPropertiesService,
      ],
      exports: [ExportsService],
    };
  }
}
