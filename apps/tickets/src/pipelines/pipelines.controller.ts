import type { RpcPayload } from '@helpdesk/contracts';
import { Serves } from '@helpdesk/kit';
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { PipelineAdminService } from './pipeline-admin.service.js';
import { PipelinesService } from './pipelines.service.js';

@Controller()
export class PipelinesController {
  constructor(
    private readonly pipelines: PipelinesService,
    private readonly admin: PipelineAdminService,
  ) {}

  @Serves('tickets.pipelines.list')
  list(@Payload() { accountId }: RpcPayload<'tickets.pipelines.list'>) {
    return this.pipelines.listEnsured(accountId);
  }

  @Serves('tickets.pipelines.create')
  create(@Payload() request: RpcPayload<'tickets.pipelines.create'>) {
    return this.admin.createPipeline(request);
  }

  @Serves('tickets.pipelines.update')
  update(@Payload() request: RpcPayload<'tickets.pipelines.update'>) {
    return this.admin.updatePipeline(request);
  }

  @Serves('tickets.pipelines.delete')
  delete(@Payload() request: RpcPayload<'tickets.pipelines.delete'>) {
    return this.admin.deletePipeline(request);
  }

  @Serves('tickets.stages.create')
  createStage(@Payload() request: RpcPayload<'tickets.stages.create'>) {
    return this.admin.createStage(request);
  }

  @Serves('tickets.stages.update')
  updateStage(@Payload() request: RpcPayload<'tickets.stages.update'>) {
    return this.admin.updateStage(request);
  }

  @Serves('tickets.stages.reorder')
  reorderStages(@Payload() request: RpcPayload<'tickets.stages.reorder'>) {
    return this.admin.reorderStages(request);
  }

  @Serves('tickets.stages.delete')
  deleteStage(@Payload() request: RpcPayload<'tickets.stages.delete'>) {
    return this.admin.deleteStage(request);
  }
}
