import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FormView } from '@helpdesk/contracts';
import { RpcClient } from '@helpdesk/kit';
import { withDatabase } from '@helpdesk/testing';
import { allDelivered, deliveredAs, FAST_OUTBOX_ENV, submitMany } from '../src/submissions.js';
import { startSystem, type System } from '../src/system.js';

// Submissions are never lost and never doubled (DESIGN "Flows that must not lose data", ADR 0002):
// accepted while tickets is down, or while the relay's process dies mid-delivery, and then exactly one
// ticket each. The whole system as processes, over HTTP.

let system: System;
let client: RpcClient;
let accountId: string;
let form: FormView;

/** Posts n submissions, 10 at a time; every one must be accepted (2xx). */
async function submitAll(n: number, label: string): Promise<string[]> {
  const { ids, statuses } = await submitMany(system, form.id, n, label);
  expect(statuses.filter((status) => status !== 200)).toEqual([]);
  return ids;
}

beforeAll(async () => {
  system = await startSystem({
    database: 'helpdesk_test_e2e_forms_delivery',
    env: {
      ...FAST_OUTBOX_ENV,
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
    const ids = await submitAll(200, 'outage');
    expect(ids).toHaveLength(200);
    // Stored and waiting: identity has answered, tickets cannot.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await deliveredAs(system, ids)).toEqual({ tickets: 0, keys: 0, threads: 0 });
    const retrying = await withDatabase(system.databaseUrl, (db) =>
      db.query<{ n: number }>(
        "select count(*)::int as n from forms.submission where id = any($1::uuid[]) and status = 'retrying'",
        [ids],
      ),
    );
    expect(retrying.rows[0].n).toBeGreaterThan(0);

    await system.start('tickets');
    await allDelivered(system, ids);
    // Time for any duplicate delivery to show: there must be none.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await deliveredAs(system, ids)).toEqual({ tickets: 200, keys: 200, threads: 200 });
  });

  it('delivers each of 200 submissions exactly once when the forms service dies mid-way and restarts', async () => {
    const first = await submitAll(100, 'crash');
    // Killed, not stopped: deliveries in flight are cut off and their rows stay leased.
    await system.stop('forms', 'SIGKILL');
    const cutOff = await withDatabase(system.databaseUrl, (db) =>
      db.query<{ n: number }>(
        "select count(*)::int as n from forms.submission where id = any($1::uuid[]) and status <> 'delivered'",
        [first],
      ),
    );
    // Mid-way indeed: some of the first hundred were not delivered when the process died.
    expect(cutOff.rows[0].n).toBeGreaterThan(0);
    await system.start('forms');
    await system.waitUntilReady();
    const second = await submitAll(100, 'after-crash');
    const ids = [...first, ...second];
    await allDelivered(system, ids);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await deliveredAs(system, ids)).toEqual({ tickets: 200, keys: 200, threads: 200 });
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
