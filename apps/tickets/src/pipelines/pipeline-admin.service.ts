import { labelKey, PipelineLimits, type PipelineView, type RpcPayload } from '@helpdesk/contracts';
import { AppError } from '@helpdesk/kit';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Ticket } from '../tickets/ticket.entity.js';
import { DefinitionsCache } from './definitions-cache.js';
import { Pipeline } from './pipeline.entity.js';
import { ensurePipelinesOf, inOrder, lockPipelinesOf, pipelineViews } from './pipelines.service.js';
import { Stage, type StageState } from './stage.entity.js';

const DEFAULT_STAGES: { label: string; state: StageState }[] = [
  { label: 'New', state: 'open' },
  { label: 'Closed', state: 'closed' },
];

const tickets = (count: number) => (count === 1 ? '1 ticket' : `${count} tickets`);
const them = (count: number) => (count === 1 ? 'it' : 'them');

/**
 * What an account's admins do to its pipelines and stages. Each change runs in one transaction under
 * the account's pipeline lock, answers with the pipeline as it now is and announces
 * `pipeline.changed` after the commit. Display orders are kept as positions 0, 1, 2, ….
 *
 * A ticket's `closed` flag mirrors its stage's state, so a stage with tickets keeps its state and a
 * stage or pipeline with tickets stays: the admin moves the tickets first (each move then closes or
 * reopens its ticket with the usual events).
 */
@Injectable()
export class PipelineAdminService {
  constructor(
    private readonly em: EntityManager,
    private readonly definitions: DefinitionsCache,
  ) {}

  createPipeline({ accountId, label, stages }: RpcPayload<'tickets.pipelines.create'>) {
    return this.change(accountId, async (em) => {
      // An account's own pipelines come after the support pipeline it starts with.
      const { pipelines } = await ensurePipelinesOf(em, accountId);
      if (pipelines.length >= PipelineLimits.pipelines)
        throw new AppError(
          'VALIDATION_FAILED',
          `An account has at most ${PipelineLimits.pipelines} pipelines`,
        );
      assertUniqueLabel(pipelines, label, 'pipeline');
      const pipeline = em.create(Pipeline, {
        accountId,
        label,
        displayOrder: Math.max(...pipelines.map((p) => p.displayOrder)) + 1,
      });
      (stages ?? DEFAULT_STAGES).forEach((stage, displayOrder) =>
        em.create(Stage, { accountId, pipelineId: pipeline.id, ...stage, displayOrder }),
      );
      return pipeline.id;
    });
  }

  updatePipeline({ accountId, id, label, displayOrder }: RpcPayload<'tickets.pipelines.update'>) {
    return this.change(accountId, async (em) => {
      const pipelines = await em.find(Pipeline, { accountId }, inOrder);
      const pipeline = pipelineOf(pipelines, id);
      if (label !== undefined) {
        assertUniqueLabel(pipelines, label, 'pipeline', pipeline);
        pipeline.label = label;
      }
      renumber(pipelines, displayOrder === undefined ? undefined : { item: pipeline, to: displayOrder });
      return pipeline.id;
    });
  }

  /** Refused for the account's last pipeline and while any ticket is in it; answers with the rest. */
  deletePipeline({ accountId, id }: RpcPayload<'tickets.pipelines.delete'>): Promise<PipelineView[]> {
    return this.changeThen(
      accountId,
      async (em) => {
        const pipelines = await em.find(Pipeline, { accountId }, inOrder);
        const pipeline = pipelineOf(pipelines, id);
        if (pipelines.length === 1)
          throw new AppError('LAST_PIPELINE', `"${pipeline.label}" is the account’s only pipeline`);
        const count = await em.count(Ticket, { accountId, pipelineId: id });
        if (count > 0)
          throw new AppError(
            'PIPELINE_IN_USE',
            `Pipeline "${pipeline.label}" has ${tickets(count)}: move ${them(count)} to another pipeline first`,
            { id: [`has ${tickets(count)}`] },
          );
        await em.nativeDelete(Stage, { accountId, pipelineId: id });
        em.remove(pipeline);
        renumber(pipelines.filter((p) => p !== pipeline));
        return id;
      },
      (em) => pipelineViews(em, accountId),
    );
  }

  createStage({ accountId, pipelineId, label, state, displayOrder }: RpcPayload<'tickets.stages.create'>) {
    return this.change(accountId, async (em) => {
      const pipeline = await em.findOne(Pipeline, { accountId, id: pipelineId });
      if (!pipeline) throw pipelineNotFound(pipelineId);
      const stages = await em.find(Stage, { accountId, pipelineId }, inOrder);
      if (stages.length >= PipelineLimits.stages)
        throw new AppError('VALIDATION_FAILED', `A pipeline has at most ${PipelineLimits.stages} stages`);
      assertUniqueLabel(stages, label, 'stage');
      const stage = em.create(Stage, { accountId, pipelineId, label, state, displayOrder: stages.length });
      renumber(
        [...stages, stage],
        displayOrder === undefined ? undefined : { item: stage, to: displayOrder },
      );
      return pipelineId;
    });
  }

  updateStage({ accountId, id, label, state, displayOrder }: RpcPayload<'tickets.stages.update'>) {
    return this.change(accountId, async (em) => {
      const stage = await em.findOne(Stage, { accountId, id });
      if (!stage) throw stageNotFound(id);
      const stages = await em.find(Stage, { accountId, pipelineId: stage.pipelineId }, inOrder);
      if (label !== undefined) {
        assertUniqueLabel(stages, label, 'stage', stage);
        stage.label = label;
      }
      if (state !== undefined && state !== stage.state) {
        assertAnotherOfState(stages, stage, `make it ${state}`);
        const count = await em.count(Ticket, { accountId, stageId: id });
        if (count > 0)
          throw new AppError(
            'STAGE_IN_USE',
            `Stage "${stage.label}" has ${tickets(count)}: move ${them(count)} to another stage before making it ${state}`,
            { state: [`cannot change while the stage has ${tickets(count)}`] },
          );
        stage.state = state;
      }
      renumber(stages, displayOrder === undefined ? undefined : { item: stage, to: displayOrder });
      return stage.pipelineId;
    });
  }

  reorderStages({ accountId, pipelineId, stageIds }: RpcPayload<'tickets.stages.reorder'>) {
    return this.change(accountId, async (em) => {
      const pipeline = await em.findOne(Pipeline, { accountId, id: pipelineId });
      if (!pipeline) throw pipelineNotFound(pipelineId);
      const stages = new Map(
        (await em.find(Stage, { accountId, pipelineId }, inOrder)).map((stage) => [stage.id, stage]),
      );
      const unknown = stageIds.flatMap((stageId, index) => (stages.has(stageId) ? [] : [index]));
      if (unknown.length > 0)
        throw new AppError(
          'STAGE_NOT_FOUND',
          'Some stages are not stages of this pipeline',
          Object.fromEntries(
            unknown.map((index) => [`stageIds.${index}`, ['is not a stage of this pipeline']]),
          ),
        );
      if (stageIds.length !== stages.size)
        throw new AppError('VALIDATION_FAILED', 'List every stage of the pipeline once, in the new order', {
          stageIds: [`must list all ${stages.size} stages of the pipeline`],
        });
      renumber(stageIds.map((stageId) => stages.get(stageId)!));
      return pipelineId;
    });
  }

  /** Refused while tickets are in the stage, and for the pipeline's last open or last closed stage. */
  deleteStage({ accountId, id }: RpcPayload<'tickets.stages.delete'>) {
    return this.change(accountId, async (em) => {
      const stage = await em.findOne(Stage, { accountId, id });
      if (!stage) throw stageNotFound(id);
      const stages = await em.find(Stage, { accountId, pipelineId: stage.pipelineId }, inOrder);
      assertAnotherOfState(stages, stage, 'delete it');
      const count = await em.count(Ticket, { accountId, stageId: id });
      if (count > 0)
        throw new AppError(
          'STAGE_IN_USE',
          `Stage "${stage.label}" has ${tickets(count)}: move ${them(count)} to another stage before deleting it`,
          { id: [`has ${tickets(count)}`] },
        );
      em.remove(stage);
      renumber(stages.filter((s) => s !== stage));
      return stage.pipelineId;
    });
  }

  /** Runs one change under the account's lock; answers with the changed pipeline. */
  private change(accountId: string, work: (em: EntityManager) => Promise<string>): Promise<PipelineView> {
    return this.changeThen(accountId, work, async (em, pipelineId) => {
      const [view] = await pipelineViews(em, accountId, pipelineId);
      if (!view) throw pipelineNotFound(pipelineId);
      return view;
    });
  }

  /** Runs one change under the account's lock and reads the answer in the same transaction, then announces it. */
  private async changeThen<T>(
    accountId: string,
    work: (em: EntityManager) => Promise<string>,
    answer: (em: EntityManager, pipelineId: string) => Promise<T>,
  ): Promise<T> {
    const { pipelineId, result } = await this.em.transactional(async (em) => {
      await lockPipelinesOf(em, accountId);
      const changed = await work(em);
      await em.flush();
      return { pipelineId: changed, result: await answer(em, changed) };
    });
    await this.definitions.announce('pipeline.changed', {
      accountId,
      pipelineId,
      occurredAt: new Date().toISOString(),
    });
    return result;
  }
}

function pipelineOf(pipelines: Pipeline[], id: string): Pipeline {
  const pipeline = pipelines.find((p) => p.id === id);
  if (!pipeline) throw pipelineNotFound(id);
  return pipeline;
}

const pipelineNotFound = (id: string) =>
  new AppError('PIPELINE_NOT_FOUND', `Pipeline ${id} not found`, {
    id: ['is not a pipeline of this account'],
  });

const stageNotFound = (id: string) =>
  new AppError('STAGE_NOT_FOUND', `Stage ${id} not found`, { id: ['is not a stage of this account'] });

function assertUniqueLabel(
  siblings: { label: string }[],
  label: string,
  what: 'pipeline' | 'stage',
  self?: object,
): void {
  const taken = siblings.some((sibling) => sibling !== self && labelKey(sibling.label) === labelKey(label));
  if (taken)
    throw new AppError(
      'CONFLICT',
      what === 'pipeline'
        ? `A pipeline named "${label}" exists`
        : `This pipeline has a stage named "${label}"`,
      { label: [`is already used by another ${what}`] },
    );
}

/** A pipeline keeps an open and a closed stage: refuses to take away the last one of a state. */
function assertAnotherOfState(stages: Stage[], stage: Stage, doing: string): void {
  if (!stages.some((other) => other !== stage && other.state === stage.state))
    throw new AppError(
      'LAST_STAGE_OF_STATE',
      `"${stage.label}" is the pipeline’s only ${stage.state} stage: add another ${stage.state} stage before you ${doing}`,
    );
}

/** Gives items positions 0, 1, 2, … in their order, after moving one to a position (clamped) if asked. */
function renumber<T extends { displayOrder: number }>(items: T[], move?: { item: T; to: number }): void {
  const ordered = [...items];
  if (move) {
    ordered.splice(ordered.indexOf(move.item), 1);
    ordered.splice(Math.min(move.to, ordered.length), 0, move.item);
  }
  ordered.forEach((item, position) => {
    if (item.displayOrder !== position) item.displayOrder = position;
  });
}
