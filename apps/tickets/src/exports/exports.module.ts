import { Module, type DynamicModule } from '@nestjs/common';
import { PipelinesModule } from '../pipelines/pipelines.module.js';
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
      imports: [PipelinesModule],
      controllers: [ExportsController],
      providers: [{ provide: EXPORTS_OPTIONS, useValue: options }, ExportsService, ExportJob],
      exports: [ExportsService],
    };
  }
}
