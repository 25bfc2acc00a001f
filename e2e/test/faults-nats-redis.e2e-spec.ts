import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RpcClient } from '@helpdesk/kit';
import { withDatabase } from '@helpdesk/testing';
import {
  acceptedSubmissions,
  failures,
  helpdeskLoad,
  slowest,
  tally,
  underLoad,
  within,
  type LoadKind,
} from '../src/load.js';
import { allDelivered, deliveredAs, FAST_OUTBOX_ENV, submitMany } from '../src/submissions.js';
import { ApiSession, demoAdmin, demoContactIds, startSystem, type System } from '../src/system.js';
import { PortalClient } from './portal-client.js';

// The brokers restart (issue 9, fault behaviour): NATS goes away and comes back, and every process
// reconnects by itself; Redis, persisted as docker-compose.yml runs it (append-only file, fsync every
// second, noeviction), is killed and restarted without losing a queued export; and an export whose
// worker is killed mid-file is started over and finished whole.

/** The RPC timeout as deployed (RPC_TIMEOUT_MS' default): how long a caller waits for a service at most. */
const RPC_TIMEOUT_MS = 5_000;
const MARGIN_MS = 1_500;
const HANG_MS = RPC_TIMEOUT_MS + 10_000;
/** Tickets seeded for Alice: an export of them takes long enough to be interrupted. */
const SEEDED = 150_000;
/** BullMQ's lock and stalled check for exports, short here (production: 30 s each). */
const EXPORT_LOCK_MS = 2_000;
const EXPORT_STALLED_CHECK_MS = 1_000;

let system: System;
let rpc: RpcClient;
let admin: ApiSession;
let kinds: LoadKind[];
let formId: string;
let alice: PortalClient;
/** Rows of Alice's "my tickets" export once the bulk tickets are in. */
let expectedRows: number;

interface ExportState {
  status: 'queued' | 'running' | 'done' | 'failed';
  rows: number;
  downloadUrl: string | null;
}

beforeAll(async () => {
  system = await startSystem({
    database: 'faults_infra_test',
    privateRedis: true,
    env: {
      ...FAST_OUTBOX_ENV,
      EXPORT_LOCK_MS: String(EXPORT_LOCK_MS),
      EXPORT_STALLED_CHECK_MS: String(EXPORT_STALLED_CHECK_MS),
    },
  });
  rpc = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 5_000 });
  admin = await ApiSession.login(system.url, 'admin@demo.test', 'demo-password');
  const { accountId } = await demoAdmin(rpc);
  const ticket = ((await (await admin.request('GET', '/api/v1/tickets?limit=1')).json()) as any).items[0];
  formId = (await rpc.send('identity.portal.get', { accountId })).supportForm.formId!;
  kinds = helpdeskLoad(system.url, admin.sessionCookie!, {
    ticketId: ticket.id as string,
    formId,
    label: 'faults-infra',
  });
}, 180_000);

afterAll(async () => {
  await rpc?.close();
  await system?.close();
});

/** Alice exports her own tickets from the portal; resolves with the export's status URL. */
async function startExport(): Promise<string> {
  const list = await alice.get('/support/tickets?show=mine');
  const started = await alice.post('/support/exports', {
    _csrf: PortalClient.csrfOf(list.body),
    show: 'mine',
  });
  expect([started.status, started.location]).toEqual([303, expect.stringMatching(/^\/support\/exports\//)]);
  return `${started.location!}/status`;
}

async function exportState(statusUrl: string): Promise<ExportState> {
  const response = await alice.get(statusUrl);
  expect(response.status).toBe(200);
  return JSON.parse(response.body) as ExportState;
}

/** Polls until the export is in a state the check accepts. */
async function exportUntil(
  statusUrl: string,
  check: (state: ExportState) => boolean,
  timeoutMs = 60_000,
): Promise<ExportState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await exportState(statusUrl);
    if (check(state)) return state;
    if (Date.now() > deadline) throw new Error(`export still ${JSON.stringify(state)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Waits until the export is done; checks that its file has a line per row and the header. */
async function exportToEnd(statusUrl: string, timeoutMs?: number): Promise<ExportState> {
  const done = await exportUntil(
    statusUrl,
    (state) => state.status === 'done' || state.status === 'failed',
    timeoutMs,
  );
  expect(done.status).toBe('done');
  const file = await alice.get(done.downloadUrl!);
  expect(file.status).toBe(200);
  expect(file.body.trimEnd().split('\n').length).toBe(done.rows + 1);
  return done;
}

const exportRow = async (statusUrl: string) => {
  const id = statusUrl.split('/')[3];
  const { rows } = await withDatabase(system.databaseUrl, (db) =>
    db.query<{ status: string }>('select status from tickets.ticket_export where id = $1', [id]),
  );
  return rows[0];
};

describe('NATS restarted', () => {
  it('every process reconnects by itself: requests fail fast while it is away, and succeed again once it is back', async () => {
    let away = 0;
    let restarted = 0;
    let recovered = 0;
    const results = await underLoad(kinds, { hangAfterMs: HANG_MS }, async (load) => {
      await load.untilAnswered(30);
      await system.nats.stop();
      away = Date.now();
      // Away longer than the RPC timeout: what was sent meanwhile cannot wait it out.
      await new Promise((resolve) => setTimeout(resolve, RPC_TIMEOUT_MS + 1_000));
      await system.nats.start();
      restarted = Date.now();
      // Polled through the gateway: a full round of every kind of request answered 2xx.
      const deadline = restarted + 20_000;
      for (;;) {
        const recent = load.results.slice(-2 * kinds.length);
        if (
          recent.length === 2 * kinds.length &&
          recent.every((r) => r.startedAt > restarted && r.status === 200)
        )
          break;
        if (Date.now() > deadline) throw new Error(`not recovered: ${JSON.stringify(tally(recent))}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      recovered = Date.now();
      await load.untilAnswered(load.results.length + 50);
    });
    console.log(
      `NATS away ${restarted - away} ms; every request succeeds again ${recovered - restarted} ms after its restart`,
    );

    // While it was away: 503 with Retry-After, never a 500 or a hang.
    expect(failures(results).filter((r) => r.status !== 503 || r.retryAfter !== '5')).toEqual([]);
    const duringOutage = results.filter((r) => r.startedAt < restarted && r.finishedAt > away);
    expect(duringOutage.filter((r) => r.status === 503).length).toBeGreaterThan(0);
    expect(slowest(results)).toBeLessThan(RPC_TIMEOUT_MS + MARGIN_MS);
    // Back within a few reconnect waits, and everything works from then on.
    expect(recovered - restarted).toBeLessThan(10_000);
    expect(failures(within(results, recovered))).toEqual([]);
    // Each service answers over the new connections (the gateway's readiness pings every one).
    const ready = await fetch(`${system.url}/health/ready`);
    expect(await ready.json()).toEqual({
      status: 'ok',
      checks: { nats: 'up', redis: 'up', identity: 'up', tickets: 'up', forms: 'up', inbox: 'up' },
    });
    // Submissions accepted around the outage are delivered (forms' own requests reconnected too), once each.
    const accepted = acceptedSubmissions(results);
    await allDelivered(system, accepted);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const n = accepted.length;
    expect(await deliveredAs(system, accepted)).toEqual({ tickets: n, keys: n, threads: n });
  }, 90_000);
});

describe('Redis restarted', () => {
  beforeAll(async () => {
    alice = new PortalClient(system.url);
    expect((await alice.login('support', 'alice@acme.test', 'demo-password')).status).toBe(303);
    const before = await exportToEnd(await startExport());
    const { accountId } = await demoAdmin(rpc);
    const aliceId = (await demoContactIds(rpc, accountId, ['alice@acme.test'])).get('alice@acme.test')!;
    const [pipeline] = await rpc.send('tickets.pipelines.list', { accountId });
    const open = pipeline.stages.find((stage) => stage.state === 'open')!;
    // In bulk, straight into tickets' table: the same subject for all keeps the text indexes cheap.
    await withDatabase(system.databaseUrl, (db) =>
      db.query(
        `insert into tickets.ticket (id, account_id, subject, content, pipeline_id, stage_id, requester_contact_id,
            requester_email, created_at, last_activity_at)
         select gen_random_uuid(), $1, 'Bulk ticket', '', $2, $3, $4, 'alice@acme.test',
                now() - n * interval '1 second', now()
           from generate_series(1, $5::int) n`,
        [accountId, pipeline.id, open.id, aliceId, SEEDED],
      ),
    );
    expectedRows = before.rows + SEEDED;
  }, 120_000);

  it('keeps a queued export through kill -9 and a restart (append-only file), and the export then completes', async () => {
    const statusUrl = await startExport();
    await exportUntil(statusUrl, (state) => state.status === 'running' && state.rows > 0);
    // Stopping tickets hands the export back to the queue: queued in Redis, with no worker to take it.
    expect(await system.stop('tickets')).toBe(0);
    expect(await exportRow(statusUrl)).toEqual({ status: 'queued' });
    // appendfsync everysec: what was written more than a second ago is on disk.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await system.redis!.stop('SIGKILL');

    // While Redis is away, what needs it (a session) answers 503 with Retry-After, at once…
    const started = Date.now();
    const unavailable = await admin.request('GET', '/api/v1/tickets');
    expect([unavailable.status, unavailable.headers.get('retry-after')]).toEqual([503, '5']);
    expect(Date.now() - started).toBeLessThan(MARGIN_MS);
    // …and a public form submission, which needs no session (its rate limit lets it through), is taken.
    expect((await submitMany(system, formId, 1, 'redis-down')).statuses).toEqual([200]);
    const ready = await fetch(`${system.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as any).checks.redis).toMatch(/^down/);

    await system.redis!.start();
    await system.start('tickets');
    const done = await exportToEnd(statusUrl);
    expect(done.rows).toBe(expectedRows);
    // Sessions are in Redis too, and survived it: the same cookies still work.
    await system.waitUntilReady();
    expect((await admin.request('GET', '/api/v1/tickets')).status).toBe(200);
  }, 90_000);

  it('finishes an export whose worker was killed mid-file: the job stalls, is queued again and written whole', async () => {
    const statusUrl = await startExport();
    const running = await exportUntil(statusUrl, (state) => state.status === 'running' && state.rows > 0);
    expect(running.rows).toBeLessThan(expectedRows);
    expect(await system.stop('tickets', 'SIGKILL')).toBeNull();
    // Killed: nobody handed it back; only the lock that runs out tells the others.
    expect(await exportRow(statusUrl)).toEqual({ status: 'running' });

    const restarted = Date.now();
    await system.start('tickets');
    const done = await exportToEnd(statusUrl);
    expect(done.rows).toBe(expectedRows);
    console.log(`export recovered and finished ${Date.now() - restarted} ms after tickets restarted`);
  }, 90_000);
});
