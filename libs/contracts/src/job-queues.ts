/**
 * The BullMQ queues of the services by name (their keys under the deployment's REDIS_PREFIX). Each
 * service works its own; the gateway's queue dashboard (/admin/queues) shows them all.
 */
export const JobQueues = {
  identityEmails: 'identity.emails',
  inboxEmails: 'inbox.emails',
  ticketExports: 'tickets.exports',
} as const;
