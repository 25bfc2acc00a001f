import type { Page, RpcPayload, TicketView } from '@helpdesk/contracts';
import { AppError, RpcClient } from '@helpdesk/kit';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { PipelinesService } from '../pipelines/pipelines.service.js';
import { Injectable } from '@nestjs/common';
import { decodeTicketCursor, encodeTicketCursor } from './ticket-cursor.js';
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

const isoUtc = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

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

  pipelinesOf({ accountId }: RpcPayload<'tickets.pipelines.list'>) {
    return this.pipelines.list(accountId);
  }

  /** One page of the account's tickets, newest first, continuing after the cursor. */
  async list({ accountId, after, limit }: RpcPayload<'tickets.list'>): Promise<Page<TicketView>> {
    const cursor = after === undefined ? null : decodeTicketCursor(after);
    const rows = await this.em.getConnection().execute<TicketRow[]>(
      `select ${ticketColumns} from tickets.ticket
        where account_id = ? ${cursor ? 'and (created_at, id) < (?, ?)' : ''}
        order by created_at desc, id desc
        limit ?`,
      cursor ? [accountId, cursor.createdAt, cursor.id, limit + 1] : [accountId, limit + 1],
    );
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items: items.map(toTicketView),
      nextCursor:
        rows.length > limit && last
          ? encodeTicketCursor({ createdAt: iso(last.createdAt), id: last.id })
          : null,
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
}
