import type { PipelineView } from '@helpdesk/contracts';
import { AppError } from '@helpdesk/kit';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Pipeline } from './pipeline.entity.js';
import { Stage, type StageState } from './stage.entity.js';

/** SPEC demo data: the support pipeline every account starts with. */
const SUPPORT_STAGES: [string, StageState][] = [
  ['New', 'open'],
  ['Waiting on contact', 'open'],
  ['Waiting on us', 'open'],
  ['Closed', 'closed'],
];

@Injectable()
export class PipelinesService {
  constructor(private readonly em: EntityManager) {}

  async list(accountId: string): Promise<PipelineView[]> {
    const pipelines = await this.em.find(
      Pipeline,
      { accountId },
      { orderBy: { displayOrder: 'asc', id: 'asc' } },
    );
    const stages = await this.em.find(Stage, { accountId }, { orderBy: { displayOrder: 'asc', id: 'asc' } });
    return pipelines.map((pipeline) => ({
      id: pipeline.id,
      accountId,
      label: pipeline.label,
      displayOrder: pipeline.displayOrder,
      stages: stages
        .filter((stage) => stage.pipelineId === pipeline.id)
        .map(({ id, label, displayOrder, state }) => ({ id, label, displayOrder, state })),
    }));
  }

  /** The pipeline and stage a new ticket starts in: the ones asked for, or the first pipeline's first open stage. */
  async placement(
    accountId: string,
    pipelineId?: string,
    stageId?: string,
  ): Promise<{ pipeline: Pipeline; stage: Stage }> {
    const pipelines = await this.ensurePipelines(accountId);
    const pipeline = pipelineId ? pipelines.find((p) => p.id === pipelineId) : pipelines[0];
    if (!pipeline)
      throw new AppError('PIPELINE_NOT_FOUND', `Pipeline ${pipelineId} not found`, {
        pipelineId: ['is not a pipeline of this account'],
      });
    const stages = await this.em.find(
      Stage,
      { accountId, pipelineId: pipeline.id },
      { orderBy: { displayOrder: 'asc', id: 'asc' } },
    );
    const stage = stageId ? stages.find((s) => s.id === stageId) : stages.find((s) => s.state === 'open');
    if (!stage)
      throw new AppError('STAGE_NOT_FOUND', `Stage ${stageId} is not a stage of that pipeline`, {
        stageId: ['is not a stage of the pipeline'],
      });
    return { pipeline, stage };
  }

  /**
   * The account's pipelines in order; an account gets the support pipeline with its first ticket
   * (tickets has no account registry of its own, so a mere read creates nothing).
   */
  async ensurePipelines(accountId: string): Promise<Pipeline[]> {
    const pipelines = await this.em.find(
      Pipeline,
      { accountId },
      { orderBy: { displayOrder: 'asc', id: 'asc' } },
    );
    if (pipelines.length > 0) return pipelines;
    const pipeline = this.em.create(Pipeline, { accountId, label: 'Support pipeline' });
    SUPPORT_STAGES.forEach(([label, state], displayOrder) =>
      this.em.create(Stage, { accountId, pipelineId: pipeline.id, label, state, displayOrder }),
    );
    await this.em.flush();
    return [pipeline];
  }
}
