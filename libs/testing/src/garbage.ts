import type { Subject } from '@helpdesk/contracts';
import { AppError, type RpcClient } from '@helpdesk/kit';
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

/**
 * Sends each of the subject's garbage payloads and returns those answered wrongly: with an internal
 * error, an unavailable service or no coded error at all, or with an answer where none may come
 * (`mayAnswer`: a foreign account may get an empty list, never a created or changed record).
 */
export async function misansweredGarbage(
  client: RpcClient,
  subject: Subject,
  { mayAnswer = false }: { mayAnswer?: boolean } = {},
): Promise<{ payload: unknown; outcome: string }[]> {
  const wrong: { payload: unknown; outcome: string }[] = [];
  for (const payload of garbagePayloads(subject)) {
    const outcome = await client.send(subject, payload as never).then(
      () => 'answered',
      (error: unknown) => (error instanceof AppError ? error.code : 'not an AppError'),
    );
    const refusedBadly = ['INTERNAL', 'SERVICE_UNAVAILABLE', 'not an AppError'].includes(outcome);
    if (refusedBadly || (outcome === 'answered' && !mayAnswer)) wrong.push({ payload, outcome });
  }
  return wrong;
}
