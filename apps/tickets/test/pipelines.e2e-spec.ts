import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PipelinesRpc, type PipelineView, type RpcRequest, type Subject } from '@helpdesk/contracts';
import { AppError, migrateUp, RpcClient } from '@helpdesk/kit';
import {
  freshTestDatabase,
  misansweredGarbage,
  startTestNats,
  startTestService,
  withDatabase,
  type TestNats,
  type TestService,
} from '@helpdesk/testing';
import { randomUUID } from 'node:crypto';
import { connect, JSONCodec } from 'nats';
import { AppModule } from '../src/app.module.js';
import { loadTicketsConfig } from '../src/config.js';
import { ormConfig } from '../src/mikro-orm.config.js';

let nats: TestNats;
let databaseUrl: string;
let replicas: TestService[];
let client: RpcClient;

const startReplica = () =>
  startTestService({
    service: 'tickets',
    loadConfig: loadTicketsConfig,
    module: AppModule.forRoot,
    natsUrl: nats.url,
    databaseUrl,
  });

beforeAll(async () => {
  nats = await startTestNats();
  databaseUrl = await freshTestDatabase('tickets_pipelines_test');
  await migrateUp(ormConfig(databaseUrl));
  // Two replicas, so concurrent requests really run in different processes' transactions.
  replicas = [await startReplica(), await startReplica()];
  client = new RpcClient({ natsUrl: nats.url, timeoutMs: 5_000 });
});

afterAll(async () => {
  await client?.close();
  for (const replica of replicas ?? []) await replica.stop();
  await nats?.stop();
});

/** A fresh account with its support pipeline. */
async function newAccount(): Promise<{ accountId: string; support: PipelineView }> {
  const accountId = randomUUID();
  const [support] = await client.send('tickets.pipelines.list', { accountId });
  return { accountId, support };
}

const labels = (pipeline: PipelineView) =>
  pipeline.stages.map((s) => `${s.displayOrder}:${s.label}:${s.state}`);

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: unknown) => {
      if (!(error instanceof AppError)) throw error;
      return error;
    },
  );

describe('pipelines and stages over NATS', () => {
  it('shows a new account the support pipeline before its first ticket, made once however many ask at once', async () => {
    const accountId = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => client.send('tickets.pipelines.list', { accountId })),
    );
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    const [support, ...others] = answers[0];
    expect(others).toEqual([]);
    expect(support).toMatchObject({ accountId, label: 'Support pipeline', displayOrder: 0 });
    expect(labels(support)).toEqual([
      '0:New:open',
      '1:Waiting on contact:open',
      '2:Waiting on us:open',
      '3:Closed:closed',
    ]);
    // The first ticket lands in that same pipeline.
    const ticket = await client.send('tickets.create', { accountId, subject: 'First' });
    expect(ticket).toMatchObject({ pipelineId: support.id, stageId: support.stages[0].id, closed: false });
  });

  it('creates a pipeline after the others, with New and Closed stages unless given its own', async () => {
    const { accountId, support } = await newAccount();
    const sales = await client.send('tickets.pipelines.create', { accountId, label: '  Sales  ' });
    expect(sales).toMatchObject({ accountId, label: 'Sales', displayOrder: 1 });
    expect(labels(sales)).toEqual(['0:New:open', '1:Closed:closed']);
    const billing = await client.send('tickets.pipelines.create', {
      accountId,
      label: 'Billing',
      stages: [
        { label: 'Received', state: 'open' },
        { label: 'Refunded', state: 'closed' },
        { label: 'Rejected', state: 'closed' },
      ],
    });
    expect(labels(billing)).toEqual(['0:Received:open', '1:Refunded:closed', '2:Rejected:closed']);
    const list = await client.send('tickets.pipelines.list', { accountId });
    expect(list.map((p) => [p.label, p.displayOrder])).toEqual([
      [support.label, 0],
      ['Sales', 1],
      ['Billing', 2],
    ]);
  });

  it('gives an account that never listed its pipelines the support pipeline before its own', async () => {
    const accountId = randomUUID();
    await client.send('tickets.pipelines.create', { accountId, label: 'Sales' });
    const list = await client.send('tickets.pipelines.list', { accountId });
    expect(list.map((p) => p.label)).toEqual(['Support pipeline', 'Sales']);
  });

  it('refuses a new pipeline without an open and a closed stage, or with a stage named twice', async () => {
    const { accountId } = await newAccount();
    const onlyOpen = await refusal(
      client.send('tickets.pipelines.create', {
        accountId,
        label: 'Open only',
        stages: [
          { label: 'A', state: 'open' },
          { label: 'B', state: 'open' },
        ],
      }),
    );
    expect(onlyOpen).toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { stages: ['needs at least one closed stage'] },
    });
    const twice = await refusal(
      client.send('tickets.pipelines.create', {
        accountId,
        label: 'Twice',
        stages: [
          { label: 'Done', state: 'open' },
          { label: 'DONE', state: 'closed' },
        ],
      }),
    );
    expect(twice).toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { 'stages.1.label': ['is already used by another stage'] },
    });
    expect(await client.send('tickets.pipelines.list', { accountId })).toHaveLength(1);
  });

  it('refuses a pipeline or stage label already used in its scope, ignoring case', async () => {
    const { accountId, support } = await newAccount();
    const sales = await client.send('tickets.pipelines.create', { accountId, label: 'Sales' });
    await expect(
      refusal(client.send('tickets.pipelines.create', { accountId, label: 'support PIPELINE' })),
    ).resolves.toMatchObject({
      code: 'CONFLICT',
      fields: { label: ['is already used by another pipeline'] },
    });
    await expect(
      refusal(
        client.send('tickets.pipelines.update', { accountId, id: sales.id, label: 'SUPPORT pipeline' }),
      ),
    ).resolves.toMatchObject({
      code: 'CONFLICT',
      fields: { label: ['is already used by another pipeline'] },
    });
    await expect(
      refusal(
        client.send('tickets.stages.create', {
          accountId,
          pipelineId: support.id,
          label: 'new',
          state: 'open',
        }),
      ),
    ).resolves.toMatchObject({ code: 'CONFLICT', fields: { label: ['is already used by another stage'] } });
    await expect(
      refusal(
        client.send('tickets.stages.update', { accountId, id: support.stages[1].id, label: 'waiting on US' }),
      ),
    ).resolves.toMatchObject({ code: 'CONFLICT', fields: { label: ['is already used by another stage'] } });

    // The same label is fine in another pipeline, another account, or for the stage itself in new case.
    await expect(
      client.send('tickets.stages.create', {
        accountId,
        pipelineId: sales.id,
        label: 'Waiting on us',
        state: 'open',
      }),
    ).resolves.toMatchObject({ id: sales.id });
    await expect(
      client.send('tickets.pipelines.create', { accountId: randomUUID(), label: 'Sales' }),
    ).resolves.toMatchObject({ label: 'Sales' });
    const renamed = await client.send('tickets.stages.update', {
      accountId,
      id: support.stages[0].id,
      label: 'NEW',
    });
    expect(renamed.stages[0].label).toBe('NEW');
  });

  it('lets only one of concurrent requests take a label', async () => {
    const { accountId, support } = await newAccount();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, () =>
        client.send('tickets.stages.create', {
          accountId,
          pipelineId: support.id,
          label: 'Escalated',
          state: 'open',
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes.filter((o) => o.status === 'rejected'))
      expect(outcome.reason).toMatchObject({ code: 'CONFLICT' });
    const [pipeline] = await client.send('tickets.pipelines.list', { accountId });
    expect(pipeline.stages.filter((s) => s.label === 'Escalated')).toHaveLength(1);
  });

  it('renames and moves pipelines, keeping positions 0, 1, 2', async () => {
    const { accountId, support } = await newAccount();
    const sales = await client.send('tickets.pipelines.create', { accountId, label: 'Sales' });
    const billing = await client.send('tickets.pipelines.create', { accountId, label: 'Billing' });
    const moved = await client.send('tickets.pipelines.update', {
      accountId,
      id: billing.id,
      displayOrder: 0,
    });
    expect(moved).toMatchObject({ label: 'Billing', displayOrder: 0 });
    await client.send('tickets.pipelines.update', {
      accountId,
      id: support.id,
      label: 'Support',
      displayOrder: 99,
    });
    const list = await client.send('tickets.pipelines.list', { accountId });
    expect(list.map((p) => [p.id, p.label, p.displayOrder])).toEqual([
      [billing.id, 'Billing', 0],
      [sales.id, 'Sales', 1],
      [support.id, 'Support', 2],
    ]);
    // New tickets without a pipeline go to the first one.
    const ticket = await client.send('tickets.create', { accountId, subject: 'Where am I' });
    expect(ticket.pipelineId).toBe(billing.id);
  });

  it('adds, renames, moves, reorders and deletes stages, and the stage property follows', async () => {
    const { accountId, support } = await newAccount();
    const [fresh, waitingContact, waitingUs, closed] = support.stages;
    let pipeline = await client.send('tickets.stages.create', {
      accountId,
      pipelineId: support.id,
      label: 'Escalated',
      state: 'open',
      displayOrder: 1,
    });
    const escalated = pipeline.stages[1];
    expect(labels(pipeline)).toEqual([
      '0:New:open',
      '1:Escalated:open',
      '2:Waiting on contact:open',
      '3:Waiting on us:open',
      '4:Closed:closed',
    ]);
    pipeline = await client.send('tickets.stages.create', {
      accountId,
      pipelineId: support.id,
      label: 'Spam',
      state: 'closed',
    });
    const spam = pipeline.stages[5];
    expect(spam).toMatchObject({ label: 'Spam', state: 'closed', displayOrder: 5 });

    pipeline = await client.send('tickets.stages.update', {
      accountId,
      id: escalated.id,
      label: 'Escalated to L2',
      displayOrder: 3,
    });
    expect(pipeline.stages.map((s) => s.id)).toEqual([
      fresh.id,
      waitingContact.id,
      waitingUs.id,
      escalated.id,
      closed.id,
      spam.id,
    ]);
    const order = [spam.id, closed.id, escalated.id, waitingUs.id, waitingContact.id, fresh.id];
    pipeline = await client.send('tickets.stages.reorder', {
      accountId,
      pipelineId: support.id,
      stageIds: order,
    });
    expect(pipeline.stages.map((s) => [s.id, s.displayOrder])).toEqual(order.map((id, index) => [id, index]));

    pipeline = await client.send('tickets.stages.delete', { accountId, id: waitingUs.id });
    expect(labels(pipeline)).toEqual([
      '0:Spam:closed',
      '1:Closed:closed',
      '2:Escalated to L2:open',
      '3:Waiting on contact:open',
      '4:New:open',
    ]);
    const properties = await client.send('tickets.properties.list', { accountId });
    expect(properties.find((p) => p.name === 'stage')?.options).toEqual(
      pipeline.stages.map((s) => ({ value: s.id, label: s.label })),
    );
    // A new ticket starts in the first open stage, wherever it now is.
    const ticket = await client.send('tickets.create', { accountId, subject: 'Hi' });
    expect(ticket).toMatchObject({ stageId: escalated.id, closed: false });
  });

  it('refuses a reorder that leaves out a stage or names another pipeline’s', async () => {
    const { accountId, support } = await newAccount();
    const other = await newAccount();
    const ids = support.stages.map((s) => s.id);
    await expect(
      refusal(
        client.send('tickets.stages.reorder', { accountId, pipelineId: support.id, stageIds: ids.slice(1) }),
      ),
    ).resolves.toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { stageIds: ['must list all 4 stages of the pipeline'] },
    });
    await expect(
      refusal(
        client.send('tickets.stages.reorder', {
          accountId,
          pipelineId: support.id,
          stageIds: [...ids.slice(1), other.support.stages[0].id],
        }),
      ),
    ).resolves.toMatchObject({
      code: 'STAGE_NOT_FOUND',
      fields: { 'stageIds.3': ['is not a stage of this pipeline'] },
    });
    await expect(
      refusal(
        client.send('tickets.stages.reorder', {
          accountId,
          pipelineId: support.id,
          stageIds: [ids[0], ids[0]],
        }),
      ),
    ).resolves.toMatchObject({ code: 'VALIDATION_FAILED' });
    const [unchanged] = await client.send('tickets.pipelines.list', { accountId });
    expect(unchanged).toEqual(support);
  });

  it('refuses to delete a stage with tickets in it and says how many', async () => {
    const { accountId, support } = await newAccount();
    const waiting = support.stages[1];
    for (const subject of ['One', 'Two'])
      await client.send('tickets.create', { accountId, subject, stageId: waiting.id });
    const error = await refusal(client.send('tickets.stages.delete', { accountId, id: waiting.id }));
    expect(error).toMatchObject({
      code: 'STAGE_IN_USE',
      message: 'Stage "Waiting on contact" has 2 tickets: move them to another stage before deleting it',
      fields: { id: ['has 2 tickets'] },
    });
    const [unchanged] = await client.send('tickets.pipelines.list', { accountId });
    expect(unchanged).toEqual(support);
  });

  it('keeps an open and a closed stage in every pipeline', async () => {
    const { accountId } = await newAccount();
    const pipeline = await client.send('tickets.pipelines.create', { accountId, label: 'Tiny' });
    const [open, closed] = pipeline.stages;
    for (const stage of [open, closed]) {
      const error = await refusal(client.send('tickets.stages.delete', { accountId, id: stage.id }));
      expect(error.code).toBe('LAST_STAGE_OF_STATE');
      expect(error.message).toContain(`only ${stage.state} stage`);
    }
    await expect(
      refusal(client.send('tickets.stages.update', { accountId, id: closed.id, state: 'open' })),
    ).resolves.toMatchObject({ code: 'LAST_STAGE_OF_STATE' });
    // With another closed stage, the old one may go.
    await client.send('tickets.stages.create', {
      accountId,
      pipelineId: pipeline.id,
      label: 'Solved',
      state: 'closed',
    });
    const after = await client.send('tickets.stages.delete', { accountId, id: closed.id });
    expect(labels(after)).toEqual(['0:New:open', '1:Solved:closed']);
  });

  it('refuses to switch a stage between open and closed while tickets are in it, and allows it once empty', async () => {
    const { accountId, support } = await newAccount();
    const waiting = support.stages[2];
    const ticket = await client.send('tickets.create', { accountId, subject: 'Stuck', stageId: waiting.id });
    await expect(
      refusal(client.send('tickets.stages.update', { accountId, id: waiting.id, state: 'closed' })),
    ).resolves.toMatchObject({
      code: 'STAGE_IN_USE',
      message: 'Stage "Waiting on us" has 1 ticket: move it to another stage before making it closed',
    });
    await client.send('tickets.update', { accountId, id: ticket.id, stageId: support.stages[0].id });
    const pipeline = await client.send('tickets.stages.update', {
      accountId,
      id: waiting.id,
      state: 'closed',
    });
    expect(pipeline.stages[2]).toMatchObject({ id: waiting.id, state: 'closed' });
  });

  it('closes a ticket moved into a new closed stage and reopens it out of there', async () => {
    const { accountId, support } = await newAccount();
    const ticket = await client.send('tickets.create', { accountId, subject: 'Duplicate of another' });
    const pipeline = await client.send('tickets.stages.create', {
      accountId,
      pipelineId: support.id,
      label: 'Duplicate',
      state: 'closed',
    });
    const duplicate = pipeline.stages.find((s) => s.label === 'Duplicate')!;
    const closed = await client.send('tickets.update', { accountId, id: ticket.id, stageId: duplicate.id });
    expect(closed).toMatchObject({ stageId: duplicate.id, closed: true, closedAt: expect.any(String) });
    const reopened = await client.send('tickets.update', {
      accountId,
      id: ticket.id,
      stageId: support.stages[0].id,
    });
    expect(reopened).toMatchObject({ closed: false, closedAt: null });
  });

  it('refuses to delete a pipeline with tickets or the account’s last one, and deletes an empty one', async () => {
    const { accountId, support } = await newAccount();
    await expect(
      refusal(client.send('tickets.pipelines.delete', { accountId, id: support.id })),
    ).resolves.toMatchObject({
      code: 'LAST_PIPELINE',
    });
    const sales = await client.send('tickets.pipelines.create', { accountId, label: 'Sales' });
    const billing = await client.send('tickets.pipelines.create', { accountId, label: 'Billing' });
    for (const subject of ['Quote', 'Invoice', 'Renewal'])
      await client.send('tickets.create', { accountId, subject, pipelineId: sales.id });
    await expect(
      refusal(client.send('tickets.pipelines.delete', { accountId, id: sales.id })),
    ).resolves.toMatchObject({
      code: 'PIPELINE_IN_USE',
      message: 'Pipeline "Sales" has 3 tickets: move them to another pipeline first',
    });
    const rest = await client.send('tickets.pipelines.delete', { accountId, id: support.id });
    expect(rest.map((p) => [p.id, p.displayOrder])).toEqual([
      [sales.id, 0],
      [billing.id, 1],
    ]);
    const stages = await withDatabase(databaseUrl, (db) =>
      db.query('select count(*)::int as n from tickets.stage where pipeline_id = $1', [support.id]),
    );
    expect(stages.rows).toEqual([{ n: 0 }]);
  });

  it('treats another account’s pipelines and stages like ids that do not exist', async () => {
    const mine = await newAccount();
    const theirs = await newAccount();
    const accountId = mine.accountId;
    const pipelineId = theirs.support.id;
    const stageId = theirs.support.stages[0].id;
    const attempts: [Promise<unknown>, string][] = [
      [
        client.send('tickets.pipelines.update', { accountId, id: pipelineId, label: 'Mine now' }),
        'PIPELINE_NOT_FOUND',
      ],
      [client.send('tickets.pipelines.delete', { accountId, id: pipelineId }), 'PIPELINE_NOT_FOUND'],
      [
        client.send('tickets.stages.create', { accountId, pipelineId, label: 'X', state: 'open' }),
        'PIPELINE_NOT_FOUND',
      ],
      [
        client.send('tickets.stages.reorder', { accountId, pipelineId, stageIds: [stageId] }),
        'PIPELINE_NOT_FOUND',
      ],
      [client.send('tickets.stages.update', { accountId, id: stageId, label: 'X' }), 'STAGE_NOT_FOUND'],
      [client.send('tickets.stages.delete', { accountId, id: stageId }), 'STAGE_NOT_FOUND'],
      [client.send('tickets.stages.delete', { accountId, id: randomUUID() }), 'STAGE_NOT_FOUND'],
      [client.send('tickets.pipelines.delete', { accountId, id: randomUUID() }), 'PIPELINE_NOT_FOUND'],
    ];
    for (const [attempt, code] of attempts) await expect(refusal(attempt)).resolves.toMatchObject({ code });
    expect(await client.send('tickets.pipelines.list', { accountId: theirs.accountId })).toEqual([
      theirs.support,
    ]);
  });

  it('announces pipeline.changed with the pipeline after each change', async () => {
    const { accountId, support } = await newAccount();
    const listener = await connect({ servers: nats.url });
    const codec = JSONCodec<{ data: { accountId: string; pipelineId: string; occurredAt: string } }>();
    const events = listener.subscribe('pipeline.changed', { max: 4 });
    await listener.flush();

    const sales = await client.send('tickets.pipelines.create', { accountId, label: 'Sales' });
    await client.send('tickets.stages.update', { accountId, id: support.stages[0].id, label: 'Fresh' });
    await client.send('tickets.pipelines.delete', { accountId, id: sales.id });
    // A refused change announces nothing; the next one does.
    await refusal(client.send('tickets.pipelines.delete', { accountId, id: support.id }));
    await client.send('tickets.pipelines.update', { accountId, id: support.id, label: 'Support' });

    const seen: string[] = [];
    for await (const message of events) {
      const { data } = codec.decode(message.data);
      expect(data).toMatchObject({ accountId, occurredAt: expect.any(String) });
      seen.push(data.pipelineId);
    }
    expect(seen).toEqual([sales.id, support.id, sales.id, support.id]);
    await listener.close();
  });

  it.each(Object.keys(PipelinesRpc) as Subject[])(
    '%s answers malformed and foreign requests with a coded error, never an internal one',
    async (subject) => {
      expect(await misansweredGarbage(client, subject, { mayAnswer: subject.endsWith('.list') })).toEqual([]);
    },
  );
});

describe('custom ticket properties over NATS', () => {
  const plan: RpcRequest<'tickets.properties.create'> = {
    accountId: '',
    name: 'plan',
    label: 'Plan',
    type: 'enumeration',
    options: [
      { value: 'basic', label: 'Basic' },
      { value: 'gold', label: 'Gold' },
      { value: 'legacy', label: 'Legacy' },
    ],
  };

  it('relabels a property and adds, relabels and reorders an enumeration’s options', async () => {
    const { accountId } = await newAccount();
    await client.send('tickets.properties.create', { ...plan, accountId });
    const options = [
      { value: 'gold', label: 'Gold (annual)' },
      { value: 'basic', label: 'Basic' },
      { value: 'legacy', label: 'Legacy' },
      { value: 'platinum', label: 'Platinum' },
    ];
    const updated = await client.send('tickets.properties.update', {
      accountId,
      name: 'plan',
      label: 'Support plan',
      options,
    });
    expect(updated).toEqual({
      name: 'plan',
      label: 'Support plan',
      type: 'enumeration',
      options,
      builtIn: false,
      sortable: true,
    });
    const listed = await client.send('tickets.properties.list', { accountId });
    expect(listed.find((p) => p.name === 'plan')).toEqual(updated);
    // The new option is a value tickets may now take.
    const ticket = await client.send('tickets.create', { accountId, subject: 'Upgrade' });
    await expect(
      client.send('tickets.update', { accountId, id: ticket.id, properties: { plan: 'platinum' } }),
    ).resolves.toMatchObject({ properties: { plan: 'platinum' } });
  });

  it('refuses to drop an option tickets use, saying how many, and drops an unused one', async () => {
    const { accountId } = await newAccount();
    await client.send('tickets.properties.create', { ...plan, accountId });
    for (const value of ['gold', 'gold', 'basic']) {
      const ticket = await client.send('tickets.create', { accountId, subject: value });
      await client.send('tickets.update', { accountId, id: ticket.id, properties: { plan: value } });
    }
    const error = await refusal(
      client.send('tickets.properties.update', {
        accountId,
        name: 'plan',
        options: [{ value: 'basic', label: 'Basic' }],
      }),
    );
    expect(error).toMatchObject({
      code: 'TICKET_PROPERTY_IN_USE',
      fields: { options: ['gold is set on 2 tickets'] },
    });
    expect(error.message).toBe('Option gold of "Plan" is set on 2 tickets: give them another value first');
    const kept = await client.send('tickets.properties.update', {
      accountId,
      name: 'plan',
      options: [
        { value: 'basic', label: 'Basic' },
        { value: 'gold', label: 'Gold' },
      ],
    });
    expect(kept.options?.map((o) => o.value)).toEqual(['basic', 'gold']);
    await expect(
      refusal(
        client.send('tickets.properties.update', {
          accountId,
          name: 'plan',
          options: [
            { value: 'basic', label: 'Basic' },
            { value: 'basic', label: 'Again' },
          ],
        }),
      ),
    ).resolves.toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { 'options.1.value': ['is already an option'] },
    });
  });

  it('refuses options on a property that is not an enumeration, built-in properties and unknown ones', async () => {
    const { accountId } = await newAccount();
    await client.send('tickets.properties.create', {
      accountId,
      name: 'seats',
      label: 'Seats',
      type: 'number',
    });
    await expect(
      refusal(
        client.send('tickets.properties.update', {
          accountId,
          name: 'seats',
          options: [{ value: 'a', label: 'A' }],
        }),
      ),
    ).resolves.toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { options: ['only an enumeration has options'] },
    });
    for (const name of ['stage', 'priority']) {
      await expect(
        refusal(client.send('tickets.properties.update', { accountId, name, label: 'Mine' })),
      ).resolves.toMatchObject({ code: 'TICKET_PROPERTY_BUILT_IN' });
      await expect(
        refusal(client.send('tickets.properties.delete', { accountId, name })),
      ).resolves.toMatchObject({
        code: 'TICKET_PROPERTY_BUILT_IN',
      });
    }
    // Another account's property is as unknown as one that never existed.
    await expect(
      refusal(
        client.send('tickets.properties.update', { accountId: randomUUID(), name: 'seats', label: 'X' }),
      ),
    ).resolves.toMatchObject({ code: 'TICKET_PROPERTY_NOT_FOUND' });
    await expect(
      refusal(client.send('tickets.properties.delete', { accountId, name: 'nothing' })),
    ).resolves.toMatchObject({ code: 'TICKET_PROPERTY_NOT_FOUND' });
  });

  it('refuses to delete a property tickets have values for, saying how many, and deletes it once cleared', async () => {
    const { accountId } = await newAccount();
    await client.send('tickets.properties.create', { ...plan, accountId });
    const ticket = await client.send('tickets.create', { accountId, subject: 'Has a plan' });
    await client.send('tickets.update', { accountId, id: ticket.id, properties: { plan: 'gold' } });
    await expect(
      refusal(client.send('tickets.properties.delete', { accountId, name: 'plan' })),
    ).resolves.toMatchObject({
      code: 'TICKET_PROPERTY_IN_USE',
      message: '"Plan" has a value on 1 ticket: clear it there first',
    });
    // A cleared value (null) is no value: the property may go, and the key goes with it.
    await client.send('tickets.update', { accountId, id: ticket.id, properties: { plan: null } });
    const rest = await client.send('tickets.properties.delete', { accountId, name: 'plan' });
    expect(rest.map((p) => p.name)).not.toContain('plan');
    await expect(client.send('tickets.get', { accountId, id: ticket.id })).resolves.toMatchObject({
      properties: {},
    });
    await expect(
      refusal(client.send('tickets.update', { accountId, id: ticket.id, properties: { plan: 'gold' } })),
    ).resolves.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it.each(['tickets.properties.update', 'tickets.properties.delete'] as Subject[])(
    '%s answers malformed and foreign requests with a coded error, never an internal one',
    async (subject) => {
      expect(await misansweredGarbage(client, subject)).toEqual([]);
    },
  );
});

describe('the definitions every list reads, cached on each replica', () => {
  const ownerDisplay = { mode: 'first_name' as const, alias: null };

  /** How many `subject` requests each replica has answered so far. */
  const answered = (subject: Subject) =>
    replicas.map(
      (replica) => replica.logs.find((line) => line.msg === 'rpc handled' && line.subject === subject).length,
    );

  /**
   * Sends `request` until each replica has answered it at least once (the queue group shares requests
   * out at random), so a replica that kept stale definitions cannot go unnoticed; every answer.
   */
  async function fromEveryReplica<T>(subject: Subject, request: () => Promise<T>): Promise<T[]> {
    const before = answered(subject);
    const answers: T[] = [];
    while (answered(subject).some((count, index) => count === before[index])) {
      if (answers.length === 50) throw new Error(`a replica never answered ${subject}`);
      answers.push(await request());
    }
    return answers;
  }

  /** An account with one ticket, and the portal list of its requester (with a visibility filter). */
  async function accountWithTicket() {
    const { accountId, support } = await newAccount();
    const viewer = { contactId: randomUUID(), companyId: null, seesCompanyTickets: false };
    await client.send('tickets.create', {
      accountId,
      subject: 'Cached',
      requesterContactId: viewer.contactId,
    });
    const list = (visibility: RpcRequest<'tickets.portal.list'>['visibility'] = { groups: [] }) =>
      fromEveryReplica('tickets.portal.list', () =>
        client.send('tickets.portal.list', { accountId, viewer, visibility, ownerDisplay }),
      );
    return { accountId, support, list };
  }

  it('shows a renamed stage in the very next list, whichever replica answers', async () => {
    const { accountId, support, list } = await accountWithTicket();
    const stageLabels = async () => new Set((await list()).map((page) => page.items[0].stageLabel));
    expect(await stageLabels()).toEqual(new Set(['New']));
    await client.send('tickets.stages.update', { accountId, id: support.stages[0].id, label: 'Received' });
    expect(await stageLabels()).toEqual(new Set(['Received']));
  });

  it('filters by a property from its creation to its deletion, whichever replica answers', async () => {
    const { accountId, list } = await accountWithTicket();
    // A condition on a property the account does not have matches no ticket.
    const withoutTier = { groups: [[{ property: 'tier', operator: 'unknown' as const }]] };
    const counts = async () => new Set((await list(withoutTier)).map((page) => page.items.length));
    expect(await counts()).toEqual(new Set([0]));
    await client.send('tickets.properties.create', {
      accountId,
      name: 'tier',
      label: 'Tier',
      type: 'string',
    });
    expect(await counts()).toEqual(new Set([1]));
    await client.send('tickets.properties.update', { accountId, name: 'tier', label: 'Support tier' });
    const labels = await fromEveryReplica('tickets.properties.list', () =>
      client.send('tickets.properties.list', { accountId }),
    );
    for (const properties of labels)
      expect(properties.find((p) => p.name === 'tier')).toMatchObject({ label: 'Support tier' });
    await client.send('tickets.properties.delete', { accountId, name: 'tier' });
    expect(await counts()).toEqual(new Set([0]));
  });

  it('announces ticket.property.changed after each change to a property', async () => {
    const { accountId } = await newAccount();
    const listener = await connect({ servers: nats.url });
    const codec = JSONCodec<{ data: { accountId: string; name: string; occurredAt: string } }>();
    const events = listener.subscribe('ticket.property.changed', { max: 3 });
    await listener.flush();
    await client.send('tickets.properties.create', {
      accountId,
      name: 'tier',
      label: 'Tier',
      type: 'string',
    });
    await client.send('tickets.properties.update', { accountId, name: 'tier', label: 'Support tier' });
    await client.send('tickets.properties.delete', { accountId, name: 'tier' });
    const seen: string[] = [];
    for await (const message of events) {
      const { data } = codec.decode(message.data);
      expect(data).toMatchObject({ accountId, occurredAt: expect.any(String) });
      seen.push(data.name);
    }
    expect(seen).toEqual(['tier', 'tier', 'tier']);
    await listener.close();
  });
});
