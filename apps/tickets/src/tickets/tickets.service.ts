import type { Page, RpcPayload, TicketView } from '@helpdesk/contracts';
import { AppError, RpcClient } from '@helpdesk/kit';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { decodeTicketCursor, encodeTicketCursor } from './ticket-cursor.js';
import { Ticket } from './ticket.entity.js';

/** A ticket as an entity, or as a plain row whose timestamps PostgreSQL already formatted as ISO text. */
type TicketRow = Pick<
  Ticket,
  'id' | 'accountId' | 'subject' | 'content' | 'priority' | 'requesterContactId' | 'companyId'
> & {
  createdAt: Date | string;
  lastActivityAt: Date | string;
};

const isoUtc = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

// Hot reads return plain rows (no entity hydration); the aliases give them the entity's property names.
const ticketColumns = `id, account_id as "accountId", subject, content, priority,
  requester_contact_id as "requesterContactId", company_id as "companyId",
  ${isoUtc('created_at')} as "createdAt", ${isoUtc('last_activity_at')} as "lastActivityAt"`;

const iso = (value: Date | string) => (typeof value === 'string' ? value : value.toISOString());

export function toTicketView(ticket: TicketRow): TicketView {
  return {
    id: ticket.id,
    accountId: ticket.accountId,
    subject: ticket.subject,
    content: ticket.content,
    priority: ticket.priority,
    requesterContactId: ticket.requesterContactId,
    companyId: ticket.companyId,
    createdAt: iso(ticket.createdAt),
    lastActivityAt: iso(ticket.lastActivityAt),
  };
}

@Injectable()
export class TicketsService {
  constructor(
    private readonly em: EntityManager,
    private readonly rpc: RpcClient,
  ) {}

  async create(request: RpcPayload<'tickets.create'>): Promise<TicketView> {
    const ticket = this.em.create(Ticket, request);
    await this.em.flush();
    await this.rpc.emit('ticket.created', {
      accountId: ticket.accountId,
      ticketId: ticket.id,
      occurredAt: ticket.createdAt.toISOString(),
    });
    return toTicketView(ticket);
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
