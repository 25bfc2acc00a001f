import type { PipelineView } from '@helpdesk/contracts';
import { AppError } from '@helpdesk/kit';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DefinitionsCache } from './definitions-cache.js';
import { Pipeline } from './pipeline.entity.js';
import { Stage, type StageState } from './stage.entity.js';

/** SPEC demo data: the support pipeline every account starts with. */
const SUPPORT_STAGES: [string, StageState][] = [
  ['New', 'open'],
  ['Waiting on contact', 'open'],
  ['Waiting on us', 'open'],
  ['Closed', 'closed'],
];

/** Pipelines and stages in display order (the id breaks ties, so the order is stable). */
export const inOrder = { orderBy: { displayOrder: 'asc', id: 'asc' } } as const;

/**
 * Serialises changes to one account's pipelines and stages until the transaction ends, so the checks
 * no unique index can make (labels ignoring case, an open and a closed stage in every pipeline, one
 * support pipeline) hold under concurrent requests, across replicas.
 */
export async function lockPipelinesOf(em: EntityManager, accountId: string): Promise<void> {
  await em
    .getConnection()
    .execute(
      'select pg_advisory_xact_lock(hashtextextended(?, 0))',
      [`tickets.pipelines:${accountId}`],
      'all',
      em.getTransactionContext(),
    );
}

/** The account's pipelines (all, or the one asked for) with their stages, in display order. */
export async function pipelineViews(
  em: EntityManager,
  accountId: string,
  pipelineId?: string,
): Promise<PipelineView[]> {
  const pipelines = await em.find(
    Pipeline,
    pipelineId ? { accountId, id: pipelineId } : { accountId },
    inOrder,
  );
  const stages = await em.find(Stage, pipelineId ? { accountId, pipelineId } : { accountId }, inOrder);
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

/**
 * The account's pipelines in order. The one place the support pipeline is made: for an account with
 * none, on its first ticket, its first `tickets.pipelines.list` or its first own pipeline (tickets
 * keeps no account registry, so there is no "account created" moment to do it in). Under the
 * account's pipeline lock, so concurrent first requests make one; inside the caller's transaction
 * when `em` is in one. `created` says whether it made it: the change is then the caller's to announce
 * once committed.
 */
export async function ensurePipelinesOf(
  em: EntityManager,
  accountId: string,
): Promise<{ pipelines: Pipeline[]; created: boolean }> {
  const pipelines = await em.find(Pipeline, { accountId }, inOrder);
  if (pipelines.length > 0) return { pipelines, created: false };
  return em.transactional(async (tx) => {
    await lockPipelinesOf(tx, accountId);
    const made = await tx.find(Pipeline, { accountId }, inOrder);
    if (made.length > 0) return { pipelines: made, created: false };
    const pipeline = tx.create(Pipeline, { accountId, label: 'Support pipeline' });
    SUPPORT_STAGES.forEach(([label, state], displayOrder) =>
      tx.create(Stage, { accountId, pipelineId: pipeline.id, label, state, displayOrder }),
    );
    await tx.flush();
    return { pipelines: [pipeline], created: true };
  });
}

@Injectable()
export class PipelinesService {
  constructor(
    private readonly em: EntityManager,
    private readonly definitions: DefinitionsCache,
  ) {}

  /** What is there now, creating nothing (ticket properties, exports and the portal list read this). */
  list(accountId: string): Promise<PipelineView[]> {
    return pipelineViews(this.em, accountId);
  }

  /**
   * `tickets.pipelines.list`: what admins and other services see, so an account without pipelines
   * gets the support pipeline here too and an admin can shape it before the first ticket arrives.
   */
  async listEnsured(accountId: string): Promise<PipelineView[]> {
    await this.ensurePipelines(accountId);
    return this.list(accountId);
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
    const stages = await this.em.find(Stage, { accountId, pipelineId: pipeline.id }, inOrder);
    const stage = stageId ? stages.find((s) => s.id === stageId) : stages.find((s) => s.state === 'open');
    if (!stage)
      throw new AppError('STAGE_NOT_FOUND', `Stage ${stageId} is not a stage of that pipeline`, {
        stageId: ['is not a stage of the pipeline'],
      });
    return { pipeline, stage };
  }

  /** The account's pipelines in order, the support pipeline made and announced if it had none. */
  async ensurePipelines(accountId: string): Promise<Pipeline[]> {
    const { pipelines, created } = await ensurePipelinesOf(this.em, accountId);
    if (created)
      await this.definitions.announce('pipeline.changed', {
        accountId,
        pipelineId: pipelines[0].id,
        occurredAt: new Date().toISOString(),
      });
    return pipelines;
  }
}
