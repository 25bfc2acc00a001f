import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RpcClient } from '@helpdesk/kit';
import {
  acceptedSubmissions,
  failures,
  helpdeskLoad,
  Load,
  needing,
  slowest,
  within,
  type LoadKind,
  type LoadResult,
  underLoad,
} from '../src/load.js';
import { allDelivered, deliveredAs, FAST_OUTBOX_ENV } from '../src/submissions.js';
import { ApiSession, startSystem, type ProcessName, type System } from '../src/system.js';

// A domain service stops, or hangs, while the gateway is under load (issue 9, fault behaviour):
// requests that need it answer 503 with Retry-After within the RPC timeout, never a 500 or a hang;
// requests that do not need it keep working; once it is back, traffic recovers with nothing else
// restarted. Form submissions accepted while tickets, inbox or identity is down land exactly once.

/** The RPC timeout as deployed (RPC_TIMEOUT_MS' default): how long a caller waits for a service at most. */
const RPC_TIMEOUT_MS = 5_000;
/** What an answer may take beyond the RPC timeout on a busy 2-core machine. */
const MARGIN_MS = 1_500;
/** A request unanswered this long counts as hanging (and is cut off). */
const HANG_MS = RPC_TIMEOUT_MS + 10_000;

let system: System;
let rpc: RpcClient;
let kinds: LoadKind[];
let formId: string;

beforeAll(async () => {
  system = await startSystem({
    database: 'faults_services_test',
    env: {
      ...FAST_OUTBOX_ENV,
    },
  });
  rpc = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 5_000 });
  const admin = await ApiSession.login(system.url, 'admin@demo.test', 'demo-password');
  const tickets = (await (await admin.request('GET', '/api/v1/tickets?limit=1')).json()) as {
    items: { id: string }[];
  };
  const { accountId } = (await (await admin.request('GET', '/api/v1/auth/me')).json()) as {
    accountId: string;
  };
  formId = (await rpc.send('identity.portal.get', { accountId })).supportForm.formId!;
  kinds = helpdeskLoad(system.url, admin.sessionCookie!, {
    ticketId: tickets.items[0].id,
    formId,
    label: 'faults-services',
  });
}, 180_000);

afterAll(async () => {
  await rpc?.close();
  await system?.close();
});

/** Waits until this many requests of a kind needing the process have been answered after `since`. */
async function answeredNeeding(load: Load, name: ProcessName, since: number, count: number, kind?: string) {
  const deadline = Date.now() + 30_000;
  const counted = () =>
    needing(within(load.results, since), name).filter((r) => kind === undefined || r.kind === kind).length;
  while (counted() < count) {
    if (Date.now() > deadline) throw new Error(`fewer than ${count} requests needing ${name} answered`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Anything but a success, or a 503 with Retry-After for a request that needs the process that is down. */
const unexpected = (results: LoadResult[], down: ProcessName) =>
  failures(results).filter(
    (result) => !(result.needs.includes(down) && result.status === 503 && result.retryAfter === '5'),
  );

describe('a domain service down while the gateway is under load', () => {
  it.each<ProcessName>(['tickets', 'inbox', 'identity', 'forms'])(
    '%s stopped: what needs it answers 503 with Retry-After at once, the rest works, submissions land exactly once, all recovers once it is back',
    async (name) => {
      let down = 0;
      let restarting = 0;
      let back = 0;
      const results = await underLoad(kinds, { hangAfterMs: HANG_MS }, async (load) => {
        await load.untilAnswered(30);
        expect(await system.stop(name)).toBe(0);
        down = Date.now();
        await answeredNeeding(load, name, down, 10);
        // Submissions too, accepted meanwhile unless forms itself is down.
        await answeredNeeding(load, 'forms', down, 10, 'forms.submit');
        restarting = Date.now();
        await system.start(name);
        back = Date.now();
        await answeredNeeding(load, name, back, 10);
      });

      const whileDown = within(results, down, restarting);
      // Every request that needed it, sent while it was down, was refused as unavailable…
      expect(needing(whileDown, name).filter((r) => r.status !== 503 || r.retryAfter !== '5')).toEqual([]);
      // …while everything else was answered as usual.
      expect(failures(needing(whileDown, name, false))).toEqual([]);
      expect(needing(whileDown, name, false).length).toBeGreaterThan(0);
      // Nothing else at any time: no 500, no request without an answer.
      expect(unexpected(results, name)).toEqual([]);
      // Nobody serves the subject (no responders): the gateway says so at once, far below its RPC timeout.
      expect(slowest(needing(whileDown, name))).toBeLessThan(MARGIN_MS);
      expect(slowest(results)).toBeLessThan(RPC_TIMEOUT_MS + MARGIN_MS);
      // Back: everything succeeds again, the gateway and the other services untouched.
      expect(failures(within(results, back))).toEqual([]);

      // Every submission accepted (those while tickets, inbox or identity was down among them) becomes
      // exactly one ticket and one thread once the service is back.
      const accepted = acceptedSubmissions(results);
      if (name !== 'forms') expect(acceptedSubmissions(whileDown).length).toBeGreaterThanOrEqual(10);
      await allDelivered(system, accepted);
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // time for a duplicate to show, if any
      const n = accepted.length;
      expect(await deliveredAs(system, accepted)).toEqual({ tickets: n, keys: n, threads: n });
    },
    120_000,
  );

  it('tickets frozen (it neither answers nor disconnects): what needs it answers 503 within the RPC timeout, and recovers when it thaws', async () => {
    let frozen = 0;
    let thawed = 0;
    const results = await underLoad(kinds, { hangAfterMs: HANG_MS }, async (load) => {
      await load.untilAnswered(30);
      system.signal('tickets', 'SIGSTOP');
      frozen = Date.now();
      try {
        await answeredNeeding(load, 'tickets', frozen, 8);
      } finally {
        system.signal('tickets', 'SIGCONT');
      }
      thawed = Date.now();
      await answeredNeeding(load, 'tickets', thawed, 10);
    });

    const timedOut = needing(within(results, frozen, thawed), 'tickets');
    expect(timedOut.length).toBeGreaterThan(0);
    expect(timedOut.filter((r) => r.status !== 503 || r.retryAfter !== '5')).toEqual([]);
    // Each waited for the RPC timeout, and no longer.
    expect(Math.min(...timedOut.map((r) => r.ms))).toBeGreaterThanOrEqual(RPC_TIMEOUT_MS - 50);
    expect(slowest(results)).toBeLessThan(RPC_TIMEOUT_MS + MARGIN_MS);
    expect(failures(needing(within(results, frozen, thawed), 'tickets', false))).toEqual([]);
    expect(unexpected(results, 'tickets')).toEqual([]);
    expect(failures(within(results, thawed))).toEqual([]);
  }, 60_000);
});
