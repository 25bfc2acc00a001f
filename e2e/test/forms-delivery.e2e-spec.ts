import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FormView } from '@helpdesk/contracts';
import { RpcClient } from '@helpdesk/kit';
import { withDatabase } from '@helpdesk/testing';
import { startSystem, type System } from '../src/system.js';

// Submissions are never lost and never doubled (DESIGN "Flows that must not lose data", ADR 0002):
// accepted while tickets is down, or while the relay's process dies mid-delivery, and then exactly one
// ticket each. The whole system as processes, over HTTP.

const DATABASE = 'helpdesk_test_e2e_forms_delivery';
const databaseUrl = (() => {
  const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/${DATABASE}`;
  return url.toString();
})();

let system: System;
let client: RpcClient;
let accountId: string;
let form: FormView;

/** Posts n submissions, 10 at a time; every one must be accepted (2xx). */
async function submitMany(n: number, label: string): Promise<string[]> {
  const ids: string[] = [];
  const statuses: number[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const response = await fetch(`${system.url}/forms/v1/submit/${form.id}`, {
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
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  expect(statuses.filter((status) => status !== 200)).toEqual([]);
  return ids;
}

/** The tickets made from these submissions (their source key is the submission id), and how many distinct. */
const ticketCount = (ids: string[]) =>
  withDatabase(databaseUrl, async (db) => {
    const result = await db.query<{ tickets: number; keys: number; threads: number }>(
      `select (select count(*)::int from tickets.ticket where source_key = any($1::text[])) as tickets,
              (select count(distinct source_key)::int from tickets.ticket where source_key = any($1::text[])) as keys,
              (select count(*)::int from inbox.thread where idempotency_key = any($1::text[])) as threads`,
      [ids],
    );
    return result.rows[0];
  });

async function allDelivered(ids: string[], timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await withDatabase(databaseUrl, (db) =>
      db.query<{ status: string; n: number }>(
        'select status, count(*)::int as n from forms.submission where id = any($1::uuid[]) group by status',
        [ids],
      ),
    );
    const byStatus = Object.fromEntries(result.rows.map((row) => [row.status, row.n]));
    if (byStatus.delivered === ids.length) return;
    if (Date.now() > deadline) throw new Error(`not all delivered: ${JSON.stringify(byStatus)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  system = await startSystem({
    database: DATABASE,
    env: {
      FORMS_SUBMIT_LIMIT_PER_IP: '1000000',
      FORMS_SUBMIT_LIMIT_PER_FORM: '1000000',
      OUTBOX_POLL_MS: '200',
      OUTBOX_BACKOFF_BASE_MS: '200',
      OUTBOX_BACKOFF_MAX_MS: '1000',
      // A replica that dies mid-delivery holds its rows this long before another takes them over.
      OUTBOX_LEASE_MS: '5000',
    },
  });
  client = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 5_000 });
  const admin = await client.send('identity.users.authenticate', {
    email: 'admin@demo.test',
    password: 'demo-password',
  });
  accountId = admin.accountId;
  const portal = await client.send('identity.portal.get', { accountId });
  form = await client.send('forms.get', { accountId, id: portal.supportForm.formId! });
}, 180_000);

afterAll(async () => {
  await client?.close();
  await system?.close();
});

describe('form submissions are never lost and never doubled', () => {
  it('accepts 200 submissions with tickets stopped, and has exactly 200 tickets after it restarts', async () => {
    await system.stop('tickets');
    const ids = await submitMany(200, 'outage');
    expect(ids).toHaveLength(200);
    // Stored and waiting: identity has answered, tickets cannot.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await ticketCount(ids)).toEqual({ tickets: 0, keys: 0, threads: 0 });
    const retrying = await withDatabase(databaseUrl, (db) =>
      db.query<{ n: number }>(
        "select count(*)::int as n from forms.submission where id = any($1::uuid[]) and status = 'retrying'",
        [ids],
      ),
    );
    expect(retrying.rows[0].n).toBeGreaterThan(0);

    await system.start('tickets');
    await allDelivered(ids);
    // Time for any duplicate delivery to show: there must be none.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await ticketCount(ids)).toEqual({ tickets: 200, keys: 200, threads: 200 });
  });

  it('delivers each of 200 submissions exactly once when the forms service dies mid-way and restarts', async () => {
    const first = await submitMany(100, 'crash');
    // Killed, not stopped: deliveries in flight are cut off and their rows stay leased.
    await system.stop('forms', 'SIGKILL');
    const cutOff = await withDatabase(databaseUrl, (db) =>
      db.query<{ n: number }>(
        "select count(*)::int as n from forms.submission where id = any($1::uuid[]) and status <> 'delivered'",
        [first],
      ),
    );
    // Mid-way indeed: some of the first hundred were not delivered when the process died.
    expect(cutOff.rows[0].n).toBeGreaterThan(0);
    await system.start('forms');
    await system.waitUntilReady();
    const second = await submitMany(100, 'after-crash');
    const ids = [...first, ...second];
    await allDelivered(ids);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await ticketCount(ids)).toEqual({ tickets: 200, keys: 200, threads: 200 });
    const [listed] = (
      await client.send('forms.submissions.list', {
        accountId,
        formId: form.id,
        status: 'delivered',
        limit: 1,
      })
    ).items;
    expect(listed).toMatchObject({ status: 'delivered', lastError: null });
  });
});
