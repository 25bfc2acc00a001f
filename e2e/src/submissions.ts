import { withDatabase } from '@helpdesk/testing';
import type { System } from './system.js';

/** For systems posting submissions in bulk from 127.0.0.1: no submit limits, and failed deliveries retried within a second, not minutes. */
export const FAST_OUTBOX_ENV: Record<string, string> = {
  FORMS_SUBMIT_LIMIT_PER_IP: '1000000',
  FORMS_SUBMIT_LIMIT_PER_FORM: '1000000',
  OUTBOX_POLL_MS: '200',
  OUTBOX_BACKOFF_BASE_MS: '200',
  OUTBOX_BACKOFF_MAX_MS: '1000',
};

/**
 * Posts n submissions to a form as JSON, 10 at a time, from `label-<0..24>@load.test`. Resolves with
 * every answer's status and the ids of the accepted ones.
 */
export async function submitMany(
  system: Pick<System, 'url'>,
  formId: string,
  n: number,
  label: string,
): Promise<{ ids: string[]; statuses: number[] }> {
  const ids: string[] = [];
  const statuses: number[] = [];
  let next = 0;
  const caller = async () => {
    for (let i = next++; i < n; i = next++) {
      const response = await fetch(`${system.url}/forms/v1/submit/${formId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `${label}-${i % 25}@load.test`,
          subject: `${label} ${i}`,
          content: `Submission ${i} of ${label}.`,
        }),
      });
      statuses.push(response.status);
      if (response.ok) ids.push(((await response.json()) as { submissionId: string }).submissionId);
      else await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 10 }, caller));
  return { ids, statuses };
}

/**
 * What these submissions became: tickets (their source key is the submission id), how many distinct
 * submissions those tickets come from, and inbox threads (their idempotency key is the submission id).
 * Exactly once each: all three equal the number of submissions.
 */
export const deliveredAs = (system: Pick<System, 'databaseUrl'>, ids: string[]) =>
  withDatabase(system.databaseUrl, async (db) => {
    const result = await db.query<{ tickets: number; keys: number; threads: number }>(
      `select (select count(*)::int from tickets.ticket where source_key = any($1::text[])) as tickets,
              (select count(distinct source_key)::int from tickets.ticket where source_key = any($1::text[])) as keys,
              (select count(*)::int from inbox.thread where idempotency_key = any($1::text[])) as threads`,
      [ids],
    );
    return result.rows[0];
  });

/** How many of these submissions are in each delivery status, e.g. `{ delivered: 3, retrying: 2 }`. */
export const submissionStatuses = (system: Pick<System, 'databaseUrl'>, ids: string[]) =>
  withDatabase(system.databaseUrl, async (db) => {
    const result = await db.query<{ status: string; n: number }>(
      'select status, count(*)::int as n from forms.submission where id = any($1::uuid[]) group by status',
      [ids],
    );
    return Object.fromEntries(result.rows.map((row) => [row.status, row.n]));
  });

/** Waits until every one of these submissions is delivered. */
export async function allDelivered(
  system: Pick<System, 'databaseUrl'>,
  ids: string[],
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = await submissionStatuses(system, ids);
    if (statuses.delivered === ids.length) return;
    if (Date.now() > deadline) throw new Error(`not all delivered: ${JSON.stringify(statuses)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
