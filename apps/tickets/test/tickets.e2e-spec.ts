import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TicketsRpc, type Subject, type TicketView } from '@helpdesk/contracts';
import { correlation, migrateUp, RpcClient } from '@helpdesk/kit';
import {
  freshTestDatabase,
  misansweredGarbage,
  pendingSchemaChanges,
  startTestNats,
  startTestService,
  withDatabase,
  type TestNats,
  type TestService,
} from '@helpdesk/testing';
import { randomUUID } from 'node:crypto';
import { connect, JSONCodec, type NatsConnection } from 'nats';
import { AppModule } from '../src/app.module.js';
import { loadTicketsConfig } from '../src/config.js';
import { ormConfig } from '../src/mikro-orm.config.js';

let nats: TestNats;
let databaseUrl: string;
let replicas: TestService[];
let client: RpcClient;
const accountA = randomUUID();
const accountB = randomUUID();

const startReplica = () =>
  startTestService({
    service: 'tickets',
    loadConfig: loadTicketsConfig,
    module: AppModule.forRoot,
    natsUrl: nats.url,
    databaseUrl,
  });

const handled = (replica: TestService, subject: string) =>
  replica.logs.find((line) => line.msg === 'rpc handled' && line.subject === subject);

beforeAll(async () => {
  nats = await startTestNats();
  databaseUrl = await freshTestDatabase('helpdesk_test_tickets');
  await migrateUp(ormConfig(databaseUrl));
  replicas = [await startReplica(), await startReplica()];
  client = new RpcClient({ natsUrl: nats.url, timeoutMs: 3_000 });
});

afterAll(async () => {
  await client?.close();
  for (const replica of replicas ?? []) await replica.stop();
  await nats?.stop();
});

describe('tickets service over NATS', () => {
  it('has migrations that match its entities exactly', async () => {
    expect(await pendingSchemaChanges(ormConfig(databaseUrl))).toBe('');
  });

  it('creates a ticket, stores it and announces ticket.created', async () => {
    const listener: NatsConnection = await connect({ servers: nats.url });
    const codec = JSONCodec<{ data: { accountId: string; ticketId: string; occurredAt: string } }>();
    const subscription = listener.subscribe('ticket.created', { max: 1 });
    await listener.flush();

    const ticket = await client.send('tickets.create', {
      accountId: accountA,
      subject: '  Printer on fire  ',
      priority: 'urgent',
    });

    expect(ticket).toMatchObject({
      accountId: accountA,
      subject: 'Printer on fire',
      content: '',
      priority: 'urgent',
      companyId: null,
    });
    const stored = await withDatabase(databaseUrl, (db) =>
      db.query('select subject from tickets.ticket where id = $1', [ticket.id]),
    );
    expect(stored.rows).toEqual([{ subject: 'Printer on fire' }]);
    for await (const message of subscription) {
      expect(codec.decode(message.data).data).toEqual({
        accountId: accountA,
        ticketId: ticket.id,
        occurredAt: ticket.createdAt,
      });
    }
    await listener.close();
  });

  it('places a new ticket in the support pipeline, which every account starts with', async () => {
    const account = randomUUID();
    const ticket = await client.send('tickets.create', { accountId: account, subject: 'Hello' });
    const [pipeline, ...others] = await client.send('tickets.pipelines.list', { accountId: account });
    expect(others).toEqual([]);
    expect(pipeline.stages.map((s) => [s.label, s.state])).toEqual([
      ['New', 'open'],
      ['Waiting on contact', 'open'],
      ['Waiting on us', 'open'],
      ['Closed', 'closed'],
    ]);
    expect(ticket).toMatchObject({
      pipelineId: pipeline.id,
      stageId: pipeline.stages[0].id,
      closed: false,
      closedAt: null,
      source: 'api',
    });
    const closed = await client.send('tickets.create', {
      accountId: account,
      subject: 'Done',
      stageId: pipeline.stages[3].id,
    });
    expect(closed).toMatchObject({ closed: true, closedAt: expect.any(String) });
  });

  it('refuses a pipeline or stage that is not the account’s, or a stage of another pipeline', async () => {
    await client.send('tickets.create', { accountId: accountB, subject: 'Their first ticket' });
    const [mine] = await client.send('tickets.pipelines.list', { accountId: accountA });
    const [theirs] = await client.send('tickets.pipelines.list', { accountId: accountB });
    await expect(
      client.send('tickets.create', { accountId: accountA, subject: 'x', pipelineId: theirs.id }),
    ).rejects.toMatchObject({
      code: 'PIPELINE_NOT_FOUND',
    });
    await expect(
      client.send('tickets.create', {
        accountId: accountA,
        subject: 'x',
        pipelineId: mine.id,
        stageId: theirs.stages[0].id,
      }),
    ).rejects.toMatchObject({ code: 'STAGE_NOT_FOUND' });
  });

  it('creates one ticket per source key, however often or concurrently it is asked', async () => {
    const request = {
      accountId: accountA,
      subject: 'From the web form',
      source: 'form' as const,
      sourceKey: `submission-${randomUUID()}`,
    };
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => client.send('tickets.create', request)),
    );
    expect(new Set(answers.map((t) => t.id)).size).toBe(1);
    const again = await client.send('tickets.create', request);
    expect(again.id).toBe(answers[0].id);
    const rows = await withDatabase(databaseUrl, (db) =>
      db.query('select count(*)::int as n from tickets.ticket where source_key = $1', [request.sourceKey]),
    );
    expect(rows.rows).toEqual([{ n: 1 }]);
  });

  it('lets a customer close a ticket they can see, into the configured closed stage, once', async () => {
    const everything = { groups: [] };
    const account = randomUUID();
    const [alice, bob, companyId] = [randomUUID(), randomUUID(), randomUUID()];
    const ticket = await client.send('tickets.create', {
      accountId: account,
      subject: 'Close me',
      requesterContactId: alice,
      companyId,
    });
    const [pipeline] = await client.send('tickets.pipelines.list', { accountId: account });
    const closedStage = pipeline.stages.find((s) => s.state === 'closed')!;
    const asAlice = { contactId: alice, companyId, seesCompanyTickets: false };
    const asBobOwnOnly = { contactId: bob, companyId, seesCompanyTickets: false };

    await expect(
      client.send('tickets.close', {
        visibility: everything,
        accountId: account,
        id: ticket.id,
        viewer: asBobOwnOnly,
      }),
    ).rejects.toMatchObject({
      code: 'TICKET_NOT_FOUND',
    });
    await expect(
      client.send('tickets.close', {
        visibility: everything,
        accountId: randomUUID(),
        id: ticket.id,
        viewer: asAlice,
      }),
    ).rejects.toMatchObject({
      code: 'TICKET_NOT_FOUND',
    });
    // The pipeline has one closed stage, so no setting is needed.
    const closed = await client.send('tickets.close', {
      visibility: everything,
      accountId: account,
      id: ticket.id,
      viewer: asAlice,
    });
    expect(closed).toMatchObject({ closed: true, stageId: closedStage.id, closedAt: expect.any(String) });
    await expect(
      client.send('tickets.close', {
        visibility: everything,
        accountId: account,
        id: ticket.id,
        viewer: asAlice,
      }),
    ).rejects.toMatchObject({
      code: 'TICKET_ALREADY_CLOSED',
    });

    // A colleague who sees company tickets may close one too; the configured stage must be a closed stage of the pipeline.
    const second = await client.send('tickets.create', {
      accountId: account,
      subject: 'Company ticket',
      requesterContactId: alice,
      companyId,
    });
    const asBobCompany = { contactId: bob, companyId, seesCompanyTickets: true };
    await expect(
      client.send('tickets.close', {
        visibility: everything,
        accountId: account,
        id: second.id,
        viewer: asBobCompany,
        closedStages: { [pipeline.id]: pipeline.stages[0].id },
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(
      client.send('tickets.close', {
        visibility: everything,
        accountId: account,
        id: second.id,
        viewer: asBobCompany,
        closedStages: { [pipeline.id]: closedStage.id },
      }),
    ).resolves.toMatchObject({ closed: true, stageId: closedStage.id });
  });

  it('moves a ticket between stages, closing and reopening it, and announces the change', async () => {
    const account = randomUUID();
    const ticket = await client.send('tickets.create', { accountId: account, subject: 'Move me' });
    const [pipeline] = await client.send('tickets.pipelines.list', { accountId: account });
    const listener = await connect({ servers: nats.url });
    const updates = listener.subscribe('ticket.updated', { max: 2 });
    await listener.flush();

    const closed = await client.send('tickets.update', {
      accountId: account,
      id: ticket.id,
      stageId: pipeline.stages[3].id,
      priority: 'high',
    });
    expect(closed).toMatchObject({ closed: true, priority: 'high', closedAt: expect.any(String) });
    const reopened = await client.send('tickets.update', {
      accountId: account,
      id: ticket.id,
      stageId: pipeline.stages[1].id,
    });
    expect(reopened).toMatchObject({ closed: false, closedAt: null, stageId: pipeline.stages[1].id });
    const seen: string[][] = [];
    for await (const message of updates)
      seen.push(JSONCodec<{ data: { changed: string[] } }>().decode(message.data).data.changed);
    expect(seen).toEqual([expect.arrayContaining(['priority', 'stage']), ['stage']]);
    await listener.close();
    await expect(
      client.send('tickets.update', { accountId: randomUUID(), id: ticket.id, priority: 'low' }),
    ).rejects.toMatchObject({
      code: 'TICKET_NOT_FOUND',
    });
  });

  it('records each message once: last activity, searchable public text, reopen on a customer reply', async () => {
    const account = randomUUID();
    const ticket = await client.send('tickets.create', { accountId: account, subject: 'Messages' });
    const [pipeline] = await client.send('tickets.pipelines.list', { accountId: account });
    await client.send('tickets.update', {
      accountId: account,
      id: ticket.id,
      stageId: pipeline.stages[3].id,
    });
    const later = new Date(Date.parse(ticket.lastActivityAt) + 60_000).toISOString();
    const message = {
      accountId: account,
      ticketId: ticket.id,
      messageId: randomUUID(),
      direction: 'from_customer' as const,
      visibility: 'public' as const,
      text: 'The printer now shows error quetzalcoatl',
      occurredAt: later,
      reopen: true,
    };

    const deliveries = await Promise.all([
      client.send('tickets.messages.record', message),
      client.send('tickets.messages.record', message),
    ]);
    expect(deliveries.filter((d) => d.recorded)).toHaveLength(1);
    expect(await client.send('tickets.messages.record', message)).toEqual({
      recorded: false,
      reopened: false,
    });
    const after = await client.send('tickets.get', { accountId: account, id: ticket.id });
    expect(after).toMatchObject({ closed: false, stageId: pipeline.stages[0].id, lastActivityAt: later });

    const note = {
      ...message,
      messageId: randomUUID(),
      visibility: 'note' as const,
      text: 'internal xylophone',
      occurredAt: new Date(Date.parse(later) + 60_000).toISOString(),
      reopen: false,
    };
    await client.send('tickets.messages.record', note);
    // Customers see last activity in their list: an internal note does not move it.
    expect(await client.send('tickets.get', { accountId: account, id: ticket.id })).toMatchObject({
      lastActivityAt: later,
    });
    const found = await withDatabase(databaseUrl, (db) =>
      db.query(
        `select
           (search @@ plainto_tsquery('simple', 'quetzalcoatl')) as public_found,
           (search @@ plainto_tsquery('simple', 'xylophone')) as note_found
         from tickets.ticket where id = $1`,
        [ticket.id],
      ),
    );
    expect(found.rows).toEqual([{ public_found: true, note_found: false }]);
    await expect(
      client.send('tickets.messages.record', {
        ...message,
        messageId: randomUUID(),
        accountId: randomUUID(),
      }),
    ).rejects.toMatchObject({
      code: 'TICKET_NOT_FOUND',
    });
  });

  describe('the portal list', () => {
    const account = randomUUID();
    const [alice, bob, carol] = [randomUUID(), randomUUID(), randomUUID()];
    const [acme, globex] = [randomUUID(), randomUUID()];
    const noFilter = { groups: [] };
    const ownerDisplay = { mode: 'first_name' as const, alias: null };
    const list = (
      viewer: { contactId: string; companyId: string | null; seesCompanyTickets: boolean },
      extra: Record<string, unknown> = {},
    ) =>
      client.send('tickets.portal.list', {
        accountId: account,
        viewer,
        visibility: noFilter,
        ownerDisplay,
        ...extra,
      });
    const asAlice = { contactId: alice, companyId: acme, seesCompanyTickets: true };
    const created = new Map<string, TicketView>();
    let otherAccountTicket: TicketView;

    beforeAll(async () => {
      const create = (
        subject: string,
        requesterContactId: string,
        companyId: string,
        priority: 'low' | 'high' = 'low',
      ) =>
        client
          .send('tickets.create', {
            accountId: account,
            subject,
            content: `${subject}: the details`,
            requesterContactId,
            companyId,
            priority,
            requesterName: subject.split(' ')[0],
          })
          .then((ticket) => created.set(subject, ticket));
      await create('Alice printer jam', alice, acme, 'high');
      await create('Alice invoice question', alice, acme);
      await create('Bob laptop broken', bob, acme, 'high');
      await create('Carol secret globex plan', carol, globex);
      const other = randomUUID();
      otherAccountTicket = await client.send('tickets.create', {
        accountId: other,
        subject: 'Other account ticket',
        requesterContactId: alice,
        companyId: acme,
      });
    });

    it('shows a contact their own tickets, and their company’s only when allowed and asked', async () => {
      const subjects = async (viewer: typeof asAlice, extra = {}) =>
        (await list(viewer, extra)).items.map((t) => t.subject).sort();
      expect(await subjects(asAlice)).toEqual([
        'Alice invoice question',
        'Alice printer jam',
        'Bob laptop broken',
      ]);
      expect(await subjects(asAlice, { show: 'mine' })).toEqual([
        'Alice invoice question',
        'Alice printer jam',
      ]);
      expect(await subjects({ ...asAlice, seesCompanyTickets: false })).toEqual([
        'Alice invoice question',
        'Alice printer jam',
      ]);
      expect(await subjects({ contactId: carol, companyId: globex, seesCompanyTickets: true })).toEqual([
        'Carol secret globex plan',
      ]);
    });

    it('applies the visibility filter, the customer’s filters and search', async () => {
      const highOnly = { groups: [[{ property: 'priority', operator: 'eq', value: 'high' }]] };
      expect((await list(asAlice, { visibility: highOnly })).items.map((t) => t.subject).sort()).toEqual([
        'Alice printer jam',
        'Bob laptop broken',
      ]);
      expect((await list(asAlice, { filters: highOnly, show: 'mine' })).items.map((t) => t.subject)).toEqual([
        'Alice printer jam',
      ]);
      expect((await list(asAlice, { search: 'laptop' })).items.map((t) => t.subject)).toEqual([
        'Bob laptop broken',
      ]);
      expect((await list(asAlice, { search: 'globex' })).items).toEqual([]);
    });

    it('opens a ticket only for a viewer whose list shows it, by the same rules', async () => {
      const open = (subject: string, viewer: typeof asAlice, visibility: unknown = noFilter) =>
        client.send('tickets.portal.get', {
          accountId: account,
          id: created.get(subject)?.id ?? subject,
          viewer,
          visibility: visibility as never,
          ownerDisplay,
        });
      await expect(open('Bob laptop broken', asAlice)).resolves.toMatchObject({
        subject: 'Bob laptop broken',
        content: 'Bob laptop broken: the details',
        requesterContactId: bob,
        stageLabel: 'New',
        closed: false,
      });
      const notFound = { code: 'TICKET_NOT_FOUND' };
      await expect(
        open('Bob laptop broken', { ...asAlice, seesCompanyTickets: false }),
      ).rejects.toMatchObject(notFound);
      await expect(open('Carol secret globex plan', asAlice)).rejects.toMatchObject(notFound);
      await expect(open(otherAccountTicket.id, asAlice)).rejects.toMatchObject(notFound);
      const highOnly = { groups: [[{ property: 'priority', operator: 'eq' as const, value: 'high' }]] };
      await expect(open('Alice invoice question', asAlice, highOnly)).rejects.toMatchObject(notFound);
      // What the detail page cannot show cannot be closed either.
      await expect(
        client.send('tickets.close', {
          accountId: account,
          id: created.get('Alice invoice question')!.id,
          viewer: asAlice,
          visibility: highOnly,
        }),
      ).rejects.toMatchObject(notFound);
    });

    it('lists every ticket of the account for agents, with search, filters, sort and pages', async () => {
      const all = await client.send('tickets.list', {
        accountId: account,
        sort: { property: 'subject', direction: 'asc' },
      });
      expect(all.items.map((t) => t.subject)).toEqual([
        'Alice invoice question',
        'Alice printer jam',
        'Bob laptop broken',
        'Carol secret globex plan',
      ]);
      expect(all.items[3]).toMatchObject({ requesterContactId: carol, companyId: globex, ownerId: null });
      const searched = await client.send('tickets.list', { accountId: account, search: 'globex' });
      expect(searched.items.map((t) => t.subject)).toEqual(['Carol secret globex plan']);
      const high = await client.send('tickets.list', {
        accountId: account,
        filters: { groups: [[{ property: 'priority', operator: 'eq', value: 'high' }]] },
        sort: { property: 'subject', direction: 'desc' },
        limit: 1,
      });
      expect(high.items.map((t) => t.subject)).toEqual(['Bob laptop broken']);
      const next = await client.send('tickets.list', {
        accountId: account,
        filters: { groups: [[{ property: 'priority', operator: 'eq', value: 'high' }]] },
        sort: { property: 'subject', direction: 'desc' },
        limit: 1,
        after: high.nextCursor!,
      });
      expect(next).toMatchObject({ items: [{ subject: 'Alice printer jam' }], nextCursor: null });
    });

    it('sorts and pages with a cursor tied to the sort, naming owners and stages', async () => {
      const sort = { property: 'subject', direction: 'asc' };
      const first = await list(asAlice, { sort, limit: 2 });
      const second = await list(asAlice, { sort, limit: 2, after: first.nextCursor });
      expect([...first.items, ...second.items].map((t) => t.subject)).toEqual([
        'Alice invoice question',
        'Alice printer jam',
        'Bob laptop broken',
      ]);
      expect(second.nextCursor).toBeNull();
      expect(first.items[0]).toMatchObject({ stageLabel: 'New', closed: false, ownerName: '' });
      await expect(
        list(asAlice, { sort: { property: 'created_at', direction: 'asc' }, after: first.nextCursor }),
      ).rejects.toMatchObject({
        code: 'INVALID_CURSOR',
      });
      await expect(list(asAlice, { sort: { property: 'content', direction: 'asc' } })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    });
  });

  it('lists the built-in ticket properties and the account’s own, which filter the portal list', async () => {
    const account = randomUUID();
    const contact = randomUUID();
    await client.send('tickets.create', {
      accountId: account,
      subject: 'Gold customer issue',
      requesterContactId: contact,
    });
    const plan = await client.send('tickets.properties.create', {
      accountId: account,
      name: 'plan',
      label: 'Plan',
      type: 'enumeration',
      options: [
        { value: 'basic', label: 'Basic' },
        { value: 'gold', label: 'Gold' },
      ],
    });
    expect(plan).toMatchObject({ name: 'plan', builtIn: false, sortable: true });
    const properties = await client.send('tickets.properties.list', { accountId: account });
    expect(properties.map((p) => p.name)).toEqual(
      expect.arrayContaining(['subject', 'status', 'owner', 'created_at', 'stage', 'plan']),
    );
    expect(properties.find((p) => p.name === 'stage')?.options?.map((o) => o.label)).toEqual([
      'New',
      'Waiting on contact',
      'Waiting on us',
      'Closed',
    ]);
    expect(properties.find((p) => p.name === 'content')?.sortable).toBe(false);

    await expect(
      client.send('tickets.properties.create', {
        accountId: account,
        name: 'plan',
        label: 'Again',
        type: 'string',
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      client.send('tickets.properties.create', {
        accountId: account,
        name: 'status',
        label: 'Mine',
        type: 'string',
      }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(
      client.send('tickets.properties.create', {
        accountId: account,
        name: 'tier',
        label: 'Tier',
        type: 'enumeration',
      }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });

    const [ticket] = (await client.send('tickets.list', { accountId: account })).items;
    await expect(
      client.send('tickets.update', { accountId: account, id: ticket.id, properties: { plan: 'platinum' } }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { 'properties.plan': ['must be one of basic, gold'] },
    });
    await expect(
      client.send('tickets.update', { accountId: account, id: ticket.id, properties: { nope: 'x' } }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await client.send('tickets.update', { accountId: account, id: ticket.id, properties: { plan: 'gold' } });
    const page = await client.send('tickets.portal.list', {
      accountId: account,
      viewer: { contactId: contact, companyId: null, seesCompanyTickets: false },
      visibility: { groups: [[{ property: 'plan', operator: 'eq', value: 'gold' }]] },
      ownerDisplay: { mode: 'first_name', alias: null },
    });
    expect(page.items.map((t) => t.subject)).toEqual(['Gold customer issue']);
  });

  it('pages through tickets newest first without gaps or repeats, even when timestamps are equal', async () => {
    const account = randomUUID();
    // 23 tickets sharing only three distinct creation times: the id breaks the ties.
    await withDatabase(databaseUrl, (db) =>
      db.query(
        `insert into tickets.ticket (id, account_id, subject, content, pipeline_id, stage_id, created_at, last_activity_at)
         select gen_random_uuid(), $1, 'Ticket ' || n, '', gen_random_uuid(), gen_random_uuid(), t, t
           from generate_series(1, 23) n,
                lateral (select timestamptz '2026-01-01T00:00:00Z' + ((n % 3) || ' minutes')::interval as t) ts`,
        [account],
      ),
    );
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await client.send('tickets.list', { accountId: account, limit: 5, after });
      seen.push(...page.items.map((t) => `${t.createdAt}|${t.id}`));
      after = page.nextCursor ?? undefined;
      pages += 1;
    } while (after && pages < 10);

    expect(pages).toBe(5);
    expect(new Set(seen).size).toBe(23);
    const expected = [...seen].sort().reverse();
    expect(seen).toEqual(expected);
  });

  it('never shows one account the tickets of another', async () => {
    const other = await client.send('tickets.create', { accountId: accountB, subject: 'Globex secret' });

    await expect(client.send('tickets.get', { accountId: accountA, id: other.id })).rejects.toMatchObject({
      code: 'TICKET_NOT_FOUND',
    });
    const listA = await client.send('tickets.list', { accountId: accountA });
    expect(listA.items.map((t) => t.id)).not.toContain(other.id);
    await expect(client.send('tickets.get', { accountId: accountB, id: other.id })).resolves.toMatchObject({
      subject: 'Globex secret',
    });
  });

  it('answers several tickets at once in the order asked, only the account’s own', async () => {
    const [first, second] = await Promise.all(
      ['First of many', 'Second of many'].map((subject) =>
        client.send('tickets.create', { accountId: accountA, subject }),
      ),
    );
    const other = await client.send('tickets.create', { accountId: accountB, subject: 'Not yours' });
    const found = await client.send('tickets.getMany', {
      accountId: accountA,
      ids: [second.id, other.id, randomUUID(), first.id],
    });
    expect(found.map((ticket) => ticket.subject)).toEqual(['Second of many', 'First of many']);
    expect(found[0]).toEqual(await client.send('tickets.get', { accountId: accountA, id: second.id }));
    await expect(client.send('tickets.getMany', { accountId: accountA, ids: [] })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { ids: ['name at least one ticket'] },
    });
  });

  it('answers bad input with coded errors, never an internal error', async () => {
    await expect(client.send('tickets.create', { accountId: accountA } as never)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { subject: ['is required'] },
    });
    await expect(client.send('tickets.create', { accountId: 'nope', subject: 'x' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { accountId: ['must be a UUID'] },
    });
    await expect(
      client.send('tickets.list', { accountId: accountA, after: 'garbage' }),
    ).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
    await expect(client.send('tickets.list', { accountId: accountA, limit: 1000 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(client.send('tickets.get', { accountId: accountA, id: randomUUID() })).rejects.toMatchObject(
      { code: 'TICKET_NOT_FOUND' },
    );
    await expect(client.send('tickets.get', null as never)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('shares requests between replicas in the queue group, each handled exactly once', async () => {
    const before = replicas.map((replica) => handled(replica, 'tickets.list').length);
    await Promise.all(
      Array.from({ length: 40 }, () => client.send('tickets.list', { accountId: accountA, limit: 1 })),
    );
    const counts = replicas.map((replica, index) => handled(replica, 'tickets.list').length - before[index]);

    expect(counts[0] + counts[1]).toBe(40);
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[1]).toBeGreaterThan(0);
  });

  it("logs each request with the caller's correlation id", async () => {
    const correlationId = `test-${randomUUID()}`;
    await correlation.run({ correlationId }, () =>
      client.send('tickets.list', { accountId: accountA, limit: 1 }),
    );

    const lines = replicas.flatMap((replica) =>
      replica.logs.find((line) => line.correlationId === correlationId),
    );
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'rpc handled',
        subject: 'tickets.list',
        outcome: 'ok',
        service: 'tickets',
      }),
    ]);
  });

  it('loses no request when a replica shuts down under load', async () => {
    const leaving = await startReplica();
    // A lost request would never be answered; a generous timeout keeps a slow machine from looking like loss.
    const patient = new RpcClient({ natsUrl: nats.url, timeoutMs: 20_000 });
    let stopped = false;
    const requests = Array.from({ length: 300 }, async (_, index) => {
      await new Promise((r) => setTimeout(r, index)); // spread over 300 ms
      return patient.send('tickets.list', { accountId: accountA, limit: 1 }).then(
        () => 'ok',
        (error: Error) => error.message,
      );
    });
    // Stop it once it is taking its share of the load (however slow the machine is today).
    const deadline = Date.now() + 10_000;
    while (handled(leaving, 'tickets.list').length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    const shutdown = leaving.stop().then(() => (stopped = true));

    const outcomes = await Promise.all(requests);
    await shutdown;
    await patient.close();
    expect(stopped).toBe(true);
    expect(outcomes.filter((outcome) => outcome !== 'ok')).toEqual([]);
    expect(handled(leaving, 'tickets.list').length).toBeGreaterThan(0);
  });

  it.each(Object.keys(TicketsRpc).filter((s) => s !== 'tickets.ping') as Subject[])(
    '%s answers malformed and foreign requests with a coded error, never an internal one',
    async (subject) => {
      expect(await misansweredGarbage(client, subject, { mayAnswer: subject.endsWith('.list') })).toEqual([]);
    },
  );

  it('answers tickets.ping with its database up', async () => {
    await expect(client.send('tickets.ping', {})).resolves.toEqual({ service: 'tickets', database: 'up' });
  });
});
