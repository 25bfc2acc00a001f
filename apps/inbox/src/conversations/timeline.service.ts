import type { Page, RpcPayload, TimelineEntry } from '@helpdesk/contracts';
import { decodeCursor, encodeCursor, isIsoInstant, isUuid } from '@helpdesk/kit';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { isoUtc } from './sql.js';
import { TicketAccess } from './ticket-access.js';

interface TimelineRow {
  id: string;
  visibility: 'public' | 'note' | 'comment';
  direction: TimelineEntry['direction'];
  ticketId: string;
  threadId: string;
  subject: string;
  authorKind: 'contact' | 'user';
  authorName: string;
  text: string;
  attachmentCount: string | number;
  occurredAt: string;
}

/**
 * A ticket's or a contact's timeline, newest first (P8): public messages show as emails; internal
 * callers also see notes and comments. A customer (viewer given) sees only a ticket they may see,
 * only its portal conversation (the oldest thread) and only public messages.
 */
@Injectable()
export class TimelineService {
  constructor(
    private readonly em: EntityManager,
    private readonly access: TicketAccess,
  ) {}

  async get(request: RpcPayload<'inbox.timeline.get'>): Promise<Page<TimelineEntry>> {
    const { accountId, ticketId, contactId, viewer, visibility, after, limit } = request;
    const cursor =
      after === undefined ? null : decodeCursor(after, 2, ([at, id]) => isIsoInstant(at) && isUuid(id));
    const where = ['m.account_id = ?'];
    const params: unknown[] = [accountId];
    if (ticketId !== undefined) {
      where.push('m.ticket_id = ?');
      params.push(ticketId);
    } else {
      where.push('(m.author_contact_id = ? or t.requester_contact_id = ?)');
      params.push(contactId, contactId);
    }
    if (viewer && visibility && ticketId !== undefined) {
      await this.access.visibleTicket({ accountId, ticketId, viewer, visibility });
      const shown = await this.access.portalThread(accountId, ticketId);
      if (!shown) return { items: [], nextCursor: null };
      where.push(`m.visibility = 'public'`, 'm.thread_id = ?');
      params.push(shown.id);
    }
    if (cursor) {
      where.push('(m.created_at, m.id) < (?, ?)');
      params.push(cursor[0], cursor[1]);
    }
    const rows = await this.em.getConnection().execute<TimelineRow[]>(
      `select m.id, m.visibility, m.direction, m.ticket_id as "ticketId", m.thread_id as "threadId",
              t.subject, m.author_kind as "authorKind", m.author_name as "authorName", m.body_text as "text",
              (select count(*) from inbox.attachment a
                where a.account_id = m.account_id and a.message_id = m.id) as "attachmentCount",
              ${isoUtc('m.created_at')} as "occurredAt"
         from inbox.message m
         join inbox.thread t on t.account_id = m.account_id and t.id = m.thread_id
        where ${where.join(' and ')}
        order by m.created_at desc, m.id desc
        limit ?`,
      [...params, limit + 1],
    );
    const items = rows.slice(0, limit).map((row): TimelineEntry => ({
      id: row.id,
      kind: row.visibility === 'public' ? 'email' : row.visibility,
      direction: row.direction,
      ticketId: row.ticketId,
      threadId: row.threadId,
      subject: row.subject,
      author: { kind: row.authorKind, name: row.authorName },
      text: row.text,
      attachmentCount: Number(row.attachmentCount),
      occurredAt: row.occurredAt,
    }));
    const last = items.at(-1);
    return {
      items,
      nextCursor: rows.length > limit && last ? encodeCursor([last.occurredAt, last.id]) : null,
    };
  }
}
