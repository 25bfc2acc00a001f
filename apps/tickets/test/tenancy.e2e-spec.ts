import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PortalViewer, TicketsRpc, TicketView } from '@helpdesk/contracts';
import { AppError, LocalFileStorage, migrateUp, RpcClient } from '@helpdesk/kit';
import {
  deleteRedisKeys,
  freshTestDatabase,
  startTestNats,
  startTestService,
  type TestNats,
  type TestService,
} from '@helpdesk/testing';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { AppModule } from '../src/app.module.js';
import { loadTicketsConfig } from '../src/config.js';
import { ormConfig } from '../src/mikro-orm.config.js';

// Alice's ticket and Alice's export, asked for through every tickets subject by someone who must not
// get them: a contact of the same company without company access, a contact of another company,
// and the same ids under another account. Each answer is "not found" (or a list without them).

let nats: TestNats;
let service: TestService;
let client: RpcClient;
let filesDir: string;
let storage: LocalFileStorage;
const queuePrefix = `test-tenancy-${randomUUID().slice(0, 8)}`;

const [accountA, accountB] = [randomUUID(), randomUUID()];
const [alice, bob, carol] = [randomUUID(), randomUUID(), randomUUID()];
const [acme, globex] = [randomUUID(), randomUUID()];
const asAlice: PortalViewer = { contactId: alice, companyId: acme, seesCompanyTickets: true };
const noFilter = { groups: [] };
const ownerDisplay = { mode: 'first_name' as const, alias: null };
/** A word only Alice's ticket has, so any list or file that leaks it shows it. */
const secret = 'quokkaconfidential';
let target: TicketView;
let aliceExportId: string;

type Stranger = 'another contact' | 'another company' | 'another account';
interface Asker {
  accountId: string;
  viewer: PortalViewer;
}
const strangers: Record<Stranger, Asker> = {
  // Same company, but this portal does not let Bob see company tickets.
  'another contact': {
    accountId: accountA,
    viewer: { contactId: bob, companyId: acme, seesCompanyTickets: false },
  },
  'another company': {
    accountId: accountA,
    viewer: { contactId: carol, companyId: globex, seesCompanyTickets: true },
  },
  // Alice's very ids, under another tenant.
  'another account': { accountId: accountB, viewer: asAlice },
};
const everyone = Object.keys(strangers) as Stranger[];

beforeAll(async () => {
  nats = await startTestNats();
  const databaseUrl = await freshTestDatabase('helpdesk_test_tickets_tenancy');
  await migrateUp(ormConfig(databaseUrl));
  filesDir = await mkdtemp(join(tmpdir(), 'tickets-tenancy-'));
  storage = new LocalFileStorage(filesDir);
  service = await startTestService({
    service: 'tickets',
    loadConfig: loadTicketsConfig,
    module: AppModule.forRoot,
    natsUrl: nats.url,
    databaseUrl,
    env: { FILE_STORAGE_DIR: filesDir, REDIS_PREFIX: queuePrefix },
  });
  client = new RpcClient({ natsUrl: nats.url, timeoutMs: 5_000 });
  target = await client.send('tickets.create', {
    accountId: accountA,
    subject: `Alice ${secret}`,
    content: 'private',
    requesterContactId: alice,
    companyId: acme,
    sourceKey: 'submission-1',
  });
  // Everyone else has tickets of their own, so an empty answer is not the only possible one.
  for (const [accountId, requesterContactId, companyId] of [
    [accountA, bob, acme],
    [accountA, carol, globex],
    [accountB, alice, acme],
  ])
    await client.send('tickets.create', {
      accountId,
      subject: 'Someone else',
      requesterContactId,
      companyId,
    });
  aliceExportId = (
    await client.send('tickets.exports.start', exportView({ accountId: accountA, viewer: asAlice }))
  ).exportId;
  await finished(accountA, alice, aliceExportId);
}, 60_000);

afterAll(async () => {
  await client?.close();
  await service?.stop();
  await nats?.stop();
  await deleteRedisKeys(`${queuePrefix}:*`);
  if (filesDir) await rm(filesDir, { recursive: true, force: true });
});

function exportView({ accountId, viewer }: Asker) {
  return {
    accountId,
    viewer,
    visibility: noFilter,
    ownerDisplay,
    columns: [{ property: 'subject', label: 'Subject' }],
    showStages: false,
    language: 'en' as const,
  };
}

async function finished(accountId: string, contactId: string, exportId: string) {
  for (let tries = 0; tries < 200; tries += 1) {
    const view = await client.send('tickets.exports.get', { accountId, contactId, exportId });
    if (view.status === 'done') return view;
    if (view.status === 'failed') throw new Error(`export failed: ${view.error}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('export did not finish');
}

const notFound = (ask: Promise<unknown>) =>
  ask.then(
    () => 'answered',
    (error: unknown) =>
      error instanceof AppError && error.code.endsWith('_NOT_FOUND') ? 'not found' : error,
  );

/**
 * How each subject is asked for Alice's ticket or export, and by whom. Internal subjects (agents see
 * every ticket of their account) can only be asked from another account. A subject added to the
 * contracts without a line here fails to compile.
 */
const probes: Record<keyof typeof TicketsRpc, { by: Stranger[]; ask?: (asker: Asker) => Promise<unknown> }> =
  {
    'tickets.ping': { by: [] },
    'tickets.get': {
      by: ['another account'],
      ask: ({ accountId }) => notFound(client.send('tickets.get', { accountId, id: target.id })),
    },
    'tickets.getMany': {
      by: ['another account'],
      ask: async ({ accountId }) => {
        const found = await client.send('tickets.getMany', { accountId, ids: [target.id, randomUUID()] });
        return found.length === 0 ? 'not found' : found;
      },
    },
    'tickets.update': {
      by: ['another account'],
      ask: ({ accountId }) =>
        notFound(client.send('tickets.update', { accountId, id: target.id, subject: 'Taken over' })),
    },
    'tickets.messages.record': {
      by: ['another account'],
      ask: ({ accountId }) =>
        notFound(
          client.send('tickets.messages.record', {
            accountId,
            ticketId: target.id,
            messageId: randomUUID(),
            direction: 'from_customer',
            visibility: 'public',
            text: 'injected',
            occurredAt: new Date().toISOString(),
          }),
        ),
    },
    'tickets.close': {
      by: everyone,
      ask: ({ accountId, viewer }) =>
        notFound(client.send('tickets.close', { accountId, id: target.id, viewer, visibility: noFilter })),
    },
    'tickets.portal.get': {
      by: everyone,
      ask: ({ accountId, viewer }) =>
        notFound(
          client.send('tickets.portal.get', { accountId, id: target.id, viewer, visibility: noFilter }),
        ),
    },
    'tickets.exports.get': {
      by: everyone,
      ask: ({ accountId, viewer }) =>
        notFound(
          client.send('tickets.exports.get', {
            accountId,
            contactId: viewer.contactId,
            exportId: aliceExportId,
          }),
        ),
    },
    // The same source key under another account is another submission: it must not answer with Alice's ticket.
    'tickets.create': {
      by: ['another account'],
      ask: async ({ accountId }) => {
        const created = await client.send('tickets.create', {
          accountId,
          subject: 'Mine',
          sourceKey: 'submission-1',
        });
        return created.id === target.id || created.subject.includes(secret) ? created : 'not found';
      },
    },
    'tickets.list': {
      by: ['another account'],
      ask: async ({ accountId }) => {
        const { items } = await client.send('tickets.list', { accountId, search: secret });
        const all = await client.send('tickets.list', { accountId, limit: 100 });
        return items.length === 0 && !all.items.some((t) => t.id === target.id) ? 'not found' : all.items;
      },
    },
    'tickets.portal.list': {
      by: everyone,
      ask: async ({ accountId, viewer }) => {
        const { items } = await client.send('tickets.portal.list', {
          accountId,
          viewer,
          visibility: noFilter,
          ownerDisplay,
          limit: 100,
        });
        return items.length > 0 && !items.some((t) => t.id === target.id) ? 'not found' : items;
      },
    },
    'tickets.exports.start': {
      by: everyone,
      ask: async (asker) => {
        const { exportId } = await client.send('tickets.exports.start', exportView(asker));
        const done = await finished(asker.accountId, asker.viewer.contactId, exportId);
        const csv = await text(await storage.read(done.storageKey!));
        return done.rows > 0 && !csv.includes(secret) ? 'not found' : csv;
      },
    },
  };

describe('another contact’s, company’s or account’s ticket through every subject', () => {
  const cases = Object.entries(probes).flatMap(([subject, probe]) =>
    probe.by.map((stranger) => [subject, stranger] as [keyof typeof TicketsRpc, Stranger]),
  );

  it.each(cases)('%s asked by %s: not found', async (subject, stranger) => {
    await expect(probes[subject].ask!(strangers[stranger])).resolves.toBe('not found');
  });

  it('leaves Alice’s ticket as it was and lets Alice have it', async () => {
    await expect(
      client.send('tickets.portal.get', {
        accountId: accountA,
        id: target.id,
        viewer: asAlice,
        visibility: noFilter,
      }),
    ).resolves.toMatchObject({
      subject: target.subject,
      closed: false,
      lastActivityAt: target.lastActivityAt,
    });
    await expect(finished(accountA, alice, aliceExportId)).resolves.toMatchObject({
      status: 'done',
      rows: 2,
    });
  });
});
