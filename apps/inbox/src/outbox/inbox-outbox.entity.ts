import { defineOutbox, OutboxRecord } from '@helpdesk/kit';

/**
 * Inbox's transactional outbox (docs/adr/0002): written in the same transaction as a message, delivered
 * by the relay. Kinds: `tickets.record` (RecordMessageRequest for tickets.messages.record) and `notify`
 * (queue the requester's notification email).
 */
export class InboxOutbox extends OutboxRecord {}

export const inboxOutbox = defineOutbox(InboxOutbox, { schema: 'inbox' });
