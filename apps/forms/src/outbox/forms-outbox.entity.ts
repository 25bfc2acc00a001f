import { defineOutbox, OutboxRecord } from '@helpdesk/kit';

/**
 * Forms' transactional outbox (docs/adr/0002): one `submission.deliver` row per submission, written in
 * the same statement as the submission and delivered by the relay (src/outbox/forms-relay.ts).
 */
export class FormsOutbox extends OutboxRecord {}

export const formsOutbox = defineOutbox(FormsOutbox, { schema: 'forms' });
