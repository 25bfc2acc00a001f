import type { InboxView, RpcPayload } from '@helpdesk/contracts';
import { AppError } from '@helpdesk/kit';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Thread } from '../conversations/thread.entity.js';
import { Inbox } from './inbox.entity.js';

export const toInboxView = (inbox: Inbox): InboxView => ({
  id: inbox.id,
  accountId: inbox.accountId,
  kind: inbox.kind,
  name: inbox.name,
  createdAt: inbox.createdAt.toISOString(),
  updatedAt: inbox.updatedAt.toISOString(),
});

/** The account's inboxes and help desks (SPEC S3). */
@Injectable()
export class InboxesService {
  constructor(private readonly em: EntityManager) {}

  async list({ accountId }: RpcPayload<'inbox.inboxes.list'>): Promise<InboxView[]> {
    const inboxes = await this.em.find(Inbox, { accountId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return inboxes.map(toInboxView);
  }

  async create(request: RpcPayload<'inbox.inboxes.create'>): Promise<InboxView> {
    const inbox = this.em.create(Inbox, request);
    await this.em.flush();
    return toInboxView(inbox);
  }

  async update({ accountId, id, ...changes }: RpcPayload<'inbox.inboxes.update'>): Promise<InboxView> {
    const inbox = await this.find(accountId, id);
    if (changes.kind !== undefined) inbox.kind = changes.kind;
    if (changes.name !== undefined) inbox.name = changes.name;
    await this.em.flush();
    return toInboxView(inbox);
  }

  /** Refused while the inbox has threads: they would have nowhere to live. */
  async delete({ accountId, id }: RpcPayload<'inbox.inboxes.delete'>): Promise<{ deleted: true }> {
    const inbox = await this.find(accountId, id);
    const threads = await this.em.count(Thread, { accountId, inboxId: id });
    if (threads > 0)
      throw new AppError(
        'INBOX_NOT_EMPTY',
        `${inbox.name} has ${threads} ${threads === 1 ? 'thread' : 'threads'}; move or delete them first`,
      );
    await this.em.removeAndFlush(inbox);
    return { deleted: true };
  }

  async find(accountId: string, id: string): Promise<Inbox> {
    const inbox = await this.em.findOne(Inbox, { accountId, id });
    if (!inbox) throw new AppError('INBOX_NOT_FOUND', `Inbox ${id} not found`);
    return inbox;
  }
}
