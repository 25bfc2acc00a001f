import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import {
  CreatePipelineRequest,
  labelKey,
  PipelineEvents,
  PipelinesRpc,
  ReorderStagesRequest,
  UpdateStageRequest,
} from './pipelines.js';
import { CreateTicketPropertyRequest, UpdateTicketPropertyRequest } from './ticket-properties.js';
import type { z } from 'zod';

const accountId = randomUUID();

/** The messages of a failed parse by dotted path, as the services report them. */
function problems(schema: z.ZodType, value: unknown): Record<string, string[]> {
  const result = schema.safeParse(value);
  if (result.success) return {};
  const fields: Record<string, string[]> = {};
  for (const issue of result.error.issues) (fields[issue.path.join('.')] ??= []).push(issue.message);
  return fields;
}

describe('pipeline contracts', () => {
  it('serves every pipeline and stage subject from tickets', () => {
    expect(Object.keys(PipelinesRpc).every((subject) => subject.startsWith('tickets.'))).toBe(true);
    expect(Object.keys(PipelineEvents)).toEqual(['pipeline.changed']);
  });

  it('trims labels and compares them ignoring case', () => {
    expect(CreatePipelineRequest.parse({ accountId, label: '  Sales ' }).label).toBe('Sales');
    expect(labelKey(' Waiting On Us')).toBe(labelKey('waiting on us '));
    expect(problems(CreatePipelineRequest, { accountId, label: '   ' })).toEqual({ label: ['is required'] });
  });

  it('needs a new pipeline’s own stages to include an open and a closed one, each label once', () => {
    expect(
      problems(CreatePipelineRequest, {
        accountId,
        label: 'Sales',
        stages: [
          { label: 'Closed won', state: 'closed' },
          { label: 'Closed lost', state: 'closed' },
        ],
      }),
    ).toEqual({ stages: ['needs at least one open stage'] });
    expect(
      problems(CreatePipelineRequest, {
        accountId,
        label: 'Sales',
        stages: [
          { label: 'New', state: 'open' },
          { label: ' new', state: 'closed' },
        ],
      }),
    ).toEqual({ 'stages.1.label': ['is already used by another stage'] });
    expect(
      problems(CreatePipelineRequest, {
        accountId,
        label: 'Sales',
        stages: [{ label: 'New', state: 'open' }],
      }),
    ).toEqual({ stages: ['needs at least one closed stage'] });
    expect(
      problems(CreatePipelineRequest, {
        accountId,
        label: 'Sales',
        stages: [
          { label: 'New', state: 'open' },
          { label: 'Done', state: 'done' },
        ],
      }),
    ).toEqual({ 'stages.1.state': ['must be open or closed'] });
  });

  it('takes positions from 0 and a reorder lists each stage once', () => {
    expect(problems(UpdateStageRequest, { accountId, id: randomUUID(), displayOrder: -1 })).toHaveProperty(
      'displayOrder',
    );
    const stage = randomUUID();
    expect(
      problems(ReorderStagesRequest, { accountId, pipelineId: randomUUID(), stageIds: [stage, stage] }),
    ).toEqual({ stageIds: ['lists a stage twice'] });
  });

  it('refuses an enumeration that lists an option value twice', () => {
    const options = [
      { value: 'gold', label: 'Gold' },
      { value: 'gold', label: 'Golden' },
    ];
    expect(problems(UpdateTicketPropertyRequest, { accountId, name: 'plan', options })).toEqual({
      'options.1.value': ['is already an option'],
    });
    expect(
      problems(CreateTicketPropertyRequest, {
        accountId,
        name: 'plan',
        label: 'Plan',
        type: 'enumeration',
        options,
      }),
    ).toEqual({ 'options.1.value': ['is already an option'] });
    expect(problems(UpdateTicketPropertyRequest, { accountId, name: 'plan', options: [] })).toEqual({
      options: ['keep at least one option'],
    });
  });
});
