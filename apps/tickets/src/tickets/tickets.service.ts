import {
  propertyValueProblems,
  type Page,
  type PortalTicketDetail,
  type PortalTicketRow,
  type RpcPayload,
  type TicketListItem,
  type TicketView,
} from '@helpdesk/contracts';
import { AppError, RpcClient } from '@helpdesk/kit';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { PipelinesService } from '../pipelines/pipelines.service.js';
import { Stage } from '../pipelines/stage.entity.js';
import { Injectable } from '@nestjs/common';
import { ownerName } from '../exports/export-format.js';
import { TicketPropertiesService } from '../pipelines/ticket-properties.service.js';
import { TicketProperty } from '../pipelines/ticket-property.entity.js';
import {
  compileTicketList,
  decodeTicketListCursor,
  encodeTicketListCursor,
  isoUtc,
  ticketListPage,
  WHOLE_ACCOUNT,
  type TicketListInput,
  type TicketListRow,
} from './ticket-query.js';
import { withPooledConnection } from './pooled-connection.js';
import { TicketMessage } from './ticket-message.entity.js';
import { Ticket } from './ticket.entity.js';

/** A ticket as an entity, or as a plain row whose timestamps PostgreSQL already formatted as ISO text. */
type TicketRow = Pick<
  Ticket,
  | 'id'
  | 'accountId'
  | 'subject'
  | 'content'
  | 'priority'
  | 'pipelineId'
  | 'stageId'
  | 'closed'
  | 'ownerId'
  | 'requesterContactId'
  | 'companyId'
  | 'source'
  | 'properties'
> & {
  createdAt: Date | string;
  lastActivityAt: Date | string;
  closedAt: Date | string | null;
};

// Hot reads return plain rows (no entity hydration); the aliases give them the entity's property names.
const ticketColumns = `id, account_id as "accountId", subject, content, priority,
  pipeline_id as "pipelineId", stage_id as "stageId", closed, owner_id as "ownerId",
  requester_contact_id as "requesterContactId", company_id as "companyId", source, properties,
  ${isoUtc('created_at')} as "createdAt", ${isoUtc('last_activity_at')} as "lastActivityAt",
  ${isoUtc('closed_at')} as "closedAt"`;

const iso = (value: Date | string) => (typeof value === 'string' ? value : value.toISOString());

export function toTicketView(ticket: TicketRow): TicketView {
  return {
    id: ticket.id,
    accountId: ticket.accountId,
    subject: ticket.subject,
    content: ticket.content,
    priority: ticket.priority,
    pipelineId: ticket.pipelineId,
    stageId: ticket.stageId,
    closed: ticket.closed,
    ownerId: ticket.ownerId,
    requesterContactId: ticket.requesterContactId,
    companyId: ticket.companyId,
    source: ticket.source,
    properties: ticket.properties,
    createdAt: iso(ticket.createdAt),
    lastActivityAt: iso(ticket.lastActivityAt),
    closedAt: ticket.closedAt === null ? null : iso(ticket.closedAt),
  };
}

@Injectable()
export class TicketsService {
  constructor(
    private readonly em: EntityManager,
    private readonly rpc: RpcClient,
    private readonly pipelines: PipelinesService,
    private readonly properties: TicketPropertiesService,
  ) {}

  /** Creates a ticket in its pipeline's stage; with a source key, a repeat returns the first ticket. */
  async create({
    pipelineId,
    stageId,
    sourceKey,
    ...fields
  }: RpcPayload<'tickets.create'>): Promise<TicketView> {
    if (sourceKey) {
      const existing = await this.em.findOne(Ticket, { accountId: fields.accountId, sourceKey });
      if (existing) return toTicketView(existing);
    }
    const { pipeline, stage } = await this.pipelines.placement(fields.accountId, pipelineId, stageId);
    const closed = stage.state === 'closed';
    const ticket = this.em.create(Ticket, {
      ...fields,
      sourceKey: sourceKey ?? null,
      pipelineId: pipeline.id,
      stageId: stage.id,
      closed,
      closedAt: closed ? new Date() : null,
    });
    try {
      await this.em.flush();
    } catch (error) {
      // The same key created concurrently: the first one wins, this one answers with it.
      if (!(error instanceof UniqueConstraintViolationException) || !sourceKey) throw error;
      this.em.clear();
      return toTicketView(await this.em.findOneOrFail(Ticket, { accountId: fields.accountId, sourceKey }));
    }
    await this.rpc.emit('ticket.created', {
      accountId: ticket.accountId,
      ticketId: ticket.id,
      occurredAt: ticket.createdAt.toISOString(),
    });
    return toTicketView(ticket);
  }

  /** The account's tickets for internal users: the portal list's filters, search, sort and paging, unscoped. */
  async list(request: RpcPayload<'tickets.list'>): Promise<Page<TicketListItem>> {
    const { accountId, filters, search, sort, after, limit } = request;
    const { rows, next, stageLabels } = await this.listPage(
      { accountId, scope: WHOLE_ACCOUNT, visibility: { groups: [] }, filters, search, sort, limit },
      after,
    );
    return {
      items: rows.map((row) => ({
        ...toPortalRow(row, stageLabels, AGENT_OWNER_DISPLAY),
        ownerId: row.ownerId,
        requesterContactId: row.requesterContactId,
      })),
      nextCursor: next,
    };
  }

  async get({ accountId, id }: RpcPayload<'tickets.get'>): Promise<TicketView> {
    const [row] = await this.em
      .getConnection()
      .execute<TicketRow[]>(`select ${ticketColumns} from tickets.ticket where account_id = ? and id = ?`, [
        accountId,
        id,
      ]);
    if (!row) throw new AppError('TICKET_NOT_FOUND', `Ticket ${id} not found`);
    return toTicketView(row);
  }

  /** The account's tickets among `ids`, in the order asked (one statement for a page of threads). */
  async getMany({ accountId, ids }: RpcPayload<'tickets.getMany'>): Promise<TicketView[]> {
    // knex expands the array into a list of bound parameters.
    const rows = await this.em
      .getConnection()
      .execute<TicketRow[]>(
        `select ${ticketColumns} from tickets.ticket where account_id = ? and id in (?)`,
        [accountId, ids],
      );
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.flatMap((id) => {
      const row = byId.get(id);
      return row ? [toTicketView(row)] : [];
    });
  }

  /** Agent-side changes: subject, priority, owner, stage (closing or reopening), custom properties. */
  async update({
    accountId,
    id,
    ownerId,
    stageId,
    properties,
    ...fields
  }: RpcPayload<'tickets.update'>): Promise<TicketView> {
    const ticket = await this.find(accountId, id);
    if (properties) {
      const custom = await this.em.find(TicketProperty, { accountId });
      const problems = propertyValueProblems(properties, custom, 'ticket');
      if (Object.keys(problems).length)
        throw new AppError('VALIDATION_FAILED', 'Some property values are not valid', problems);
    }
    const changed: string[] = [];
    for (const [key, value] of Object.entries(fields) as [keyof typeof fields, never][]) {
      if (value !== undefined && ticket[key] !== value) {
        ticket[key] = value;
        changed.push(key);
      }
    }
    if (ownerId !== undefined && ownerId !== ticket.ownerId) {
      const owner =
        ownerId === null ? null : await this.rpc.send('identity.users.get', { accountId, id: ownerId });
      const [firstName = '', ...rest] = owner?.name.split(' ') ?? [];
      Object.assign(ticket, { ownerId, ownerFirstName: firstName, ownerLastName: rest.join(' ') });
      changed.push('owner');
    }
    if (stageId !== undefined && stageId !== ticket.stageId) {
      const { stage } = await this.pipelines.placement(accountId, ticket.pipelineId, stageId);
      this.moveTo(ticket, stage);
      changed.push('stage');
    }
    if (properties) {
      ticket.properties = { ...ticket.properties, ...properties };
      changed.push('properties');
    }
    if (changed.length === 0) return toTicketView(ticket);
    await this.em.flush();
    await this.rpc.emit('ticket.updated', {
      accountId,
      ticketId: id,
      changed,
      occurredAt: new Date().toISOString(),
    });
    if (changed.includes('stage') && ticket.closed) {
      await this.rpc.emit('ticket.closed', {
        accountId,
        ticketId: id,
        byContactId: null,
        occurredAt: new Date().toISOString(),
      });
    }
    return toTicketView(ticket);
  }

  /**
   * A customer closes a ticket from the portal (S9): only a ticket they can see, into the closed
   * stage the portal chose for its pipeline (or the pipeline's only closed stage).
   */
  async close({
    accountId,
    id,
    viewer,
    visibility,
    closedStages,
  }: RpcPayload<'tickets.close'>): Promise<TicketView> {
    await this.portalGet({ accountId, id, viewer, visibility, ownerDisplay: AGENT_OWNER_DISPLAY });
    const ticket = await this.find(accountId, id);
    if (ticket.closed) throw new AppError('TICKET_ALREADY_CLOSED', 'This ticket is already closed');
    const stages = await this.em.find(
      Stage,
      { accountId, pipelineId: ticket.pipelineId, state: 'closed' },
      { orderBy: { displayOrder: 'asc' } },
    );
    const configured = closedStages[ticket.pipelineId];
    const target = configured
      ? stages.find((stage) => stage.id === configured)
      : stages.length === 1
        ? stages[0]
        : undefined;
    if (!target)
      throw new AppError('VALIDATION_FAILED', 'No closed stage is configured for this ticket’s pipeline');
    this.moveTo(ticket, target);
    await this.em.flush();
    await this.rpc.emit('ticket.closed', {
      accountId,
      ticketId: id,
      byContactId: viewer.contactId,
      occurredAt: new Date().toISOString(),
    });
    return toTicketView(ticket);
  }

  private moveTo(ticket: Ticket, stage: Stage) {
    ticket.stageId = stage.id;
    const closing = stage.state === 'closed';
    if (closing !== ticket.closed) ticket.closedAt = closing ? new Date() : null;
    ticket.closed = closing;
  }

  private async find(accountId: string, id: string): Promise<Ticket> {
    const ticket = await this.em.findOne(Ticket, { accountId, id });
    if (!ticket) throw new AppError('TICKET_NOT_FOUND', `Ticket ${id} not found`);
    return ticket;
  }

  /**
   * Records a message inbox stored (idempotent by message id): a public one moves last activity
   * forward and joins the search text, and a customer reply may reopen a closed ticket.
   */
  async recordMessage(request: RpcPayload<'tickets.messages.record'>) {
    const { accountId, ticketId, messageId, direction, visibility, text, occurredAt, reopen } = request;
    // Every read happens before the first change: a query after it would flush it early (MikroORM's
    // auto-flush), outside the duplicate handling below.
    const ticket = await this.em.findOne(Ticket, { accountId, id: ticketId }, { populate: ['messageText'] });
    if (!ticket) throw new AppError('TICKET_NOT_FOUND', `Ticket ${ticketId} not found`);
    if (await this.em.findOne(TicketMessage, { messageId, accountId }))
      return { recorded: false, reopened: false };
    const reopenTo =
      reopen && direction === 'from_customer' && ticket.closed
        ? (await this.pipelines.placement(accountId, ticket.pipelineId)).stage
        : null;

    const at = new Date(occurredAt);
    this.em.create(TicketMessage, { messageId, accountId, ticketId, occurredAt: at });
    // Last activity is what customers see in their list: internal notes and comments do not move it.
    if (visibility === 'public' && at > ticket.lastActivityAt) ticket.lastActivityAt = at;
    if (visibility === 'public' && text.trim())
      ticket.messageText = `${ticket.messageText}\n${text}`.slice(-1_000_000);
    if (reopenTo) this.moveTo(ticket, reopenTo);
    const reopened = reopenTo !== null;
    try {
      await this.em.flush();
    } catch (error) {
      // The same message recorded concurrently: the other delivery did the work.
      if (error instanceof UniqueConstraintViolationException) return { recorded: false, reopened: false };
      throw error;
    }
    if (reopened)
      await this.rpc.emit('ticket.updated', {
        accountId,
        ticketId,
        changed: ['stage'],
        occurredAt: new Date().toISOString(),
      });
    return { recorded: true, reopened };
  }

  /**
   * One page of the portal's list for one viewer: the scope is applied inside the query (a row outside
   * it cannot come back), then visibility, the customer's filters, search and the keyset order.
   */
  async portalList(request: RpcPayload<'tickets.portal.list'>): Promise<Page<PortalTicketRow>> {
    const { accountId, viewer, show, visibility, filters, search, sort, after, limit, ownerDisplay } =
      request;
    const { rows, next, stageLabels } = await this.listPage(
      { accountId, scope: { ...viewer, show }, visibility, filters, search, sort, limit },
      after,
    );
    return { items: rows.map((row) => toPortalRow(row, stageLabels, ownerDisplay)), nextCursor: next };
  }

  /**
   * One ticket for the portal's detail page, by the list's own rules: a ticket the viewer's list
   * (Organization view) would not show is not found, whoever's it is.
   */
  async portalGet(request: RpcPayload<'tickets.portal.get'>): Promise<PortalTicketDetail> {
    const { accountId, id, viewer, visibility, ownerDisplay } = request;
    const { rows, stageLabels } = await this.listPage({
      accountId,
      scope: { ...viewer, show: 'organization' },
      ticketId: id,
      visibility,
      filters: { groups: [] },
      sort: { property: 'created_at', direction: 'desc' },
      limit: 1,
    });
    const [row] = rows;
    if (!row) throw new AppError('TICKET_NOT_FOUND', `Ticket ${id} not found`);
    const [{ content }] = await this.em
      .getConnection()
      .execute<{ content: string }[]>('select content from tickets.ticket where account_id = ? and id = ?', [
        accountId,
        id,
      ]);
    return {
      ...toPortalRow(row, stageLabels, ownerDisplay),
      content,
      requesterContactId: row.requesterContactId,
    };
  }

  /** Runs one page of a ticket list; `after` is the opaque cursor of the page before. */
  private async listPage(
    input: Omit<TicketListInput, 'definitions' | 'after' | 'limit'> & { limit: number },
    after?: string,
  ): Promise<{ rows: TicketListRow[]; next: string | null; stageLabels: Map<string, string> }> {
    const { definitions, stageLabels } = await this.properties.definitionsOf(input.accountId);
    const { sql, params } = compileTicketList({
      ...input,
      definitions,
      after: after === undefined ? undefined : decodeTicketListCursor(input.sort, after),
    });
    const page = ticketListPage(
      await withPooledConnection(
        this.em,
        async (connection) => (await connection.query<TicketListRow>(sql, params)).rows,
      ),
      input.limit,
    );
    return {
      rows: page.rows,
      next: page.after ? encodeTicketListCursor(input.sort, page.after) : null,
      stageLabels,
    };
  }
}

/** Agents see owners by their full name. */
const AGENT_OWNER_DISPLAY = { mode: 'full_name', alias: null } as const;

/** A list row as the portal shows it: stage named, owner named the portal's way. */
function toPortalRow(
  row: TicketListRow,
  stageLabels: Map<string, string>,
  ownerDisplay: RpcPayload<'tickets.portal.list'>['ownerDisplay'],
): PortalTicketRow {
  return {
    id: row.id,
    subject: row.subject,
    priority: row.priority as PortalTicketRow['priority'],
    pipelineId: row.pipelineId,
    stageId: row.stageId,
    stageLabel: stageLabels.get(row.stageId) ?? '',
    closed: row.closed,
    ownerName: ownerName(row, ownerDisplay),
    requesterName: row.requesterName ?? '',
    requesterEmail: row.requesterEmail ?? '',
    companyId: row.companyId,
    source: row.source as PortalTicketRow['source'],
    properties: row.properties ?? {},
    createdAt: row.createdAt,
    lastActivityAt: row.lastActivityAt,
    closedAt: row.closedAt,
  };
}
