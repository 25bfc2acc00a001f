import type { z } from 'zod';
import { FormsRpc } from './forms.js';
import { IdentityEvents, IdentityRpc } from './identity.js';
import { InboxEvents, InboxRpc } from './inbox.js';
import { PipelineEvents, PipelinesRpc } from './pipelines.js';
import { TicketPropertiesRpc, TicketPropertyEvents } from './ticket-properties.js';
import { TicketEvents, TicketsRpc } from './tickets.js';

export * from './common.js';
export * from './errors.js';
export * from './filter-values.js';
export * from './filters.js';
export * from './forms.js';
export * from './identity.js';
export * from './inbox.js';
export * from './job-queues.js';
export * from './pipelines.js';
export * from './portal.js';
export * from './property-values.js';
export * from './rpc.js';
export * from './ticket-properties.js';
export * from './tickets.js';

/** Every request/reply subject in the system. The first token names the service that serves it. */
export const Rpc = {
  ...IdentityRpc,
  ...TicketsRpc,
  ...PipelinesRpc,
  ...TicketPropertiesRpc,
  ...FormsRpc,
  ...InboxRpc,
};
export type Subject = keyof typeof Rpc;
/**
 * The subjects that only read, so asking twice changes nothing (a get-or-create of defaults, such as
 * the portal's on first read, counts: it is safe to run twice at once). The RPC client asks a read
 * again when it has had no answer for half its timeout, in case the replica holding it died; a write
 * is never repeated by the client (whoever must not lose one uses an outbox with an idempotency key).
 */
export const ReadSubjects: ReadonlySet<Subject> = new Set<Subject>([
  'forms.get',
  'forms.list',
  'forms.ping',
  'forms.submissions.get',
  'forms.submissions.list',
  'identity.accessGroups.list',
  'identity.accessGroups.members',
  'identity.accessGroups.ofContact',
  'identity.companies.get',
  'identity.companies.list',
  'identity.contactProperties.list',
  'identity.contacts.get',
  'identity.contacts.list',
  'identity.ping',
  'identity.portal.audit',
  'identity.portal.get',
  'identity.portal.resolve',
  'identity.users.get',
  'identity.users.list',
  'identity.viewer.scope',
  'inbox.attachments.get',
  'inbox.inboxes.list',
  'inbox.ping',
  'inbox.portal.conversation',
  'inbox.threads.get',
  'inbox.threads.list',
  'inbox.threads.ofTicket',
  'inbox.timeline.get',
  'tickets.exports.get',
  'tickets.get',
  'tickets.getMany',
  'tickets.list',
  'tickets.ping',
  'tickets.pipelines.list',
  'tickets.portal.get',
  'tickets.portal.list',
  'tickets.properties.list',
]);
/** What a caller sends (defaults may be left out). */
export type RpcRequest<S extends Subject> = z.input<(typeof Rpc)[S]['request']>;
/** What a handler receives once the request is validated (defaults filled in). */
export type RpcPayload<S extends Subject> = z.output<(typeof Rpc)[S]['request']>;
export type RpcResponse<S extends Subject> = z.output<(typeof Rpc)[S]['response']>;

/** Every event in the system: `<entity>.<past tense>`, ids and a few fields, never a whole entity. */
export const Events = {
  ...IdentityEvents,
  ...TicketEvents,
  ...PipelineEvents,
  ...TicketPropertyEvents,
  ...InboxEvents,
};
export type EventName = keyof typeof Events;
export type EventPayload<E extends EventName> = z.output<(typeof Events)[E]>;

/** The domain services; each one's subjects start with its name and it listens in a queue group of that name. */
export const Services = ['identity', 'tickets', 'forms', 'inbox'] as const;
export type ServiceName = (typeof Services)[number];
