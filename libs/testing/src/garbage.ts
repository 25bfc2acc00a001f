import type { Subject } from '@helpdesk/contracts';
import { randomUUID } from 'node:crypto';

/**
 * Requests no caller should send, for a subject: missing fields, wrong types, a foreign tenant.
 * Every one must be answered with a coded error (validation, not found, …), never INTERNAL.
 */
export function garbagePayloads(subject: Subject): unknown[] {
  const foreign = randomUUID();
  return [
    {},
    null,
    [],
    'text',
    42,
    { accountId: 'not-a-uuid' },
    { accountId: foreign },
    {
      accountId: foreign,
      id: 42,
      email: 5,
      name: {},
      groupId: [],
      contactIds: 'x',
      settings: [],
      section: 'x',
      token: 7,
    },
    {
      accountId: foreign,
      id: randomUUID(),
      groupId: randomUUID(),
      contactId: randomUUID(),
      after: '%%%',
      limit: -1,
    },
    { accountId: foreign, [`${subject}`]: 'x'.repeat(10_000) },
  ];
}
