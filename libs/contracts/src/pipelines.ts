import { z } from 'zod';
import { AccountScoped, Id, IsoDateTime } from './common.js';
import { rpc } from './rpc.js';

/**
 * Pipelines and their stages (tickets owns them). A ticket is in one stage of one pipeline; the
 * stage's state says whether the ticket counts as open or closed, so every pipeline keeps at least
 * one open and one closed stage. Labels are unique (ignoring case) among an account's pipelines and
 * among one pipeline's stages. Every change answers with the pipeline as it now is (a deleted
 * pipeline: the account's remaining ones) and announces `pipeline.changed`.
 */

export const PipelineLimits = {
  /** Pipelines of one account. */
  pipelines: 100,
  /** Stages of one pipeline. */
  stages: 100,
  labelLength: 100,
} as const;

export const StageState = z.enum(['open', 'closed'], {
  error: (issue) => (issue.input === undefined ? 'is required' : 'must be open or closed'),
});
export type StageState = z.infer<typeof StageState>;

export const StageView = z.object({
  id: Id,
  label: z.string(),
  displayOrder: z.number().int(),
  state: StageState,
});
export type StageView = z.infer<typeof StageView>;

export const PipelineView = z.object({
  id: Id,
  accountId: Id,
  label: z.string(),
  displayOrder: z.number().int(),
  stages: z.array(StageView),
});
export type PipelineView = z.infer<typeof PipelineView>;

/** Two labels name the same pipeline or stage when they match ignoring case (and outer spaces). */
export const labelKey = (label: string) => label.trim().toLowerCase();

const Label = z.string().trim().min(1, 'is required').max(PipelineLimits.labelLength);
/** A position, 0 first; a larger number than there are items means last. */
const DisplayOrder = z.number().int().min(0).max(10_000);

export const NewStage = z.object({ label: Label, state: StageState });

export const CreatePipelineRequest = AccountScoped.extend({
  label: Label,
  /** In display order; without them the pipeline gets "New" (open) and "Closed" (closed). */
  stages: z
    .array(NewStage)
    .max(PipelineLimits.stages, `at most ${PipelineLimits.stages} stages`)
    .superRefine((stages, ctx) => {
      for (const state of StageState.options) {
        if (!stages.some((stage) => stage.state === state))
          ctx.addIssue({ code: 'custom', message: `needs at least one ${state} stage` });
      }
      const seen = new Set<string>();
      stages.forEach((stage, index) => {
        const key = labelKey(stage.label);
        if (seen.has(key))
          ctx.addIssue({
            code: 'custom',
            path: [index, 'label'],
            message: 'is already used by another stage',
          });
        seen.add(key);
      });
    })
    .optional(),
});
export type CreatePipelineRequest = z.input<typeof CreatePipelineRequest>;

export const UpdatePipelineRequest = AccountScoped.extend({
  id: Id,
  label: Label.optional(),
  /** Moves the pipeline to this position among the account's pipelines. */
  displayOrder: DisplayOrder.optional(),
});

/** Refused while any ticket is in the pipeline, and for the account's last pipeline. */
export const DeletePipelineRequest = AccountScoped.extend({ id: Id });

export const CreateStageRequest = AccountScoped.extend({
  pipelineId: Id,
  label: Label,
  state: StageState,
  /** Its position in the pipeline; last when left out. */
  displayOrder: DisplayOrder.optional(),
});

export const UpdateStageRequest = AccountScoped.extend({
  id: Id,
  label: Label.optional(),
  /** Refused while tickets are in the stage (their closed flag mirrors it): move them first. */
  state: StageState.optional(),
  /** Moves the stage to this position in its pipeline. */
  displayOrder: DisplayOrder.optional(),
});

export const ReorderStagesRequest = AccountScoped.extend({
  pipelineId: Id,
  /** Every stage of the pipeline, each once, in the new order. */
  stageIds: z
    .array(Id)
    .min(1, 'list every stage of the pipeline')
    .max(PipelineLimits.stages)
    .refine((ids) => new Set(ids).size === ids.length, 'lists a stage twice'),
});

/** Refused while tickets are in the stage (the error says how many), and for a pipeline's last open or closed stage. */
export const DeleteStageRequest = AccountScoped.extend({ id: Id });

export const PipelinesRpc = {
  /** The account's pipelines in order; an account without any gets the support pipeline here. */
  'tickets.pipelines.list': rpc(AccountScoped, z.array(PipelineView)),
  'tickets.pipelines.create': rpc(CreatePipelineRequest, PipelineView),
  'tickets.pipelines.update': rpc(UpdatePipelineRequest, PipelineView),
  'tickets.pipelines.delete': rpc(DeletePipelineRequest, z.array(PipelineView)),
  'tickets.stages.create': rpc(CreateStageRequest, PipelineView),
  'tickets.stages.update': rpc(UpdateStageRequest, PipelineView),
  'tickets.stages.reorder': rpc(ReorderStagesRequest, PipelineView),
  'tickets.stages.delete': rpc(DeleteStageRequest, PipelineView),
};

export const PipelineEvents = {
  /** A pipeline or one of its stages was created, changed, reordered or deleted. */
  'pipeline.changed': z.object({ accountId: Id, pipelineId: Id, occurredAt: IsoDateTime }),
};
