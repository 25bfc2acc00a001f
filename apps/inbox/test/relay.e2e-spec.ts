import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TicketView } from '@helpdesk/contracts';
import type { RpcClient } from '@helpdesk/kit';
import { startTestService, withDatabase, type TestService } from '@helpdesk/testing';
import { AppModule } from '../src/app.module.js';
import { loadInboxConfig } from '../src/config.js';
import { eventually } from '@helpdesk/testing';
import { startInbox, type InboxUnderTest } from './inbox-under-test.js';

let system: InboxUnderTest;
let client: RpcClient;
let accountId: string;
let inboxId: string;
const replicas: TestService[] = [];

const outboxRows = (messageIds: string[]) =>
  withDatabase(system.databaseUrl, async (db) => {
    const result = await db.query<{
      kind: string;
      attempts: number;
      delivered: boolean;
      last_error: string | null;
    }>(
      `select kind, attempts, delivered_at is not null as delivered, last_error from inbox.outbox
        where kind = 'tickets.record' and payload->>'messageId' = any($1::text[]) order by created_at`,
      [messageIds],
    );
    return result.rows;
  });

const recordsOf = (messageIds: string[]) =>
  withDatabase(system.databaseUrl, async (db) => {
    const result = await db.query<{ message_id: string }>(
      'select message_id from tickets.ticket_message where message_id = any($1::uuid[])',
      [messageIds],
    );
    return result.rows.map((row) => row.message_id);
  });

async function ticketWithThread(subject: string): Promise<{ ticket: TicketView; threadId: string }> {
  const alice = system.demo.contacts['alice@acme.test'];
  const ticket = await client.send('tickets.create', {
    accountId,
    subject,
    requesterContactId: alice.id,
    requesterName: 'Alice Anderson',
    requesterEmail: alice.email,
    companyId: alice.companyId,
  });
  const thread = await client.send('inbox.threads.open', {
    accountId,
    ticketId: ticket.id,
    inboxId,
    requester: { contactId: alice.id, name: 'Alice Anderson', email: alice.email },
    subject,
    bodyText: subject,
    idempotencyKey: ticket.id,
  });
  return { ticket, threadId: thread.id };
}

beforeAll(async () => {
  system = await startInbox('helpdesk_test_inbox_relay');
  client = system.client;
  accountId = system.demo.accountId;
  inboxId = (await client.send('inbox.inboxes.create', { accountId, kind: 'inbox', name: 'Support inbox' }))
    .id;
}, 120_000);

afterAll(async () => {
  for (const replica of replicas) await replica.stop();
  await system?.stop();
});

describe('the outbox relay between inbox and tickets', () => {
  it('accepts a reply while tickets is down, and moves last activity exactly once when it is back', async () => {
    const { ticket, threadId } = await ticketWithThread('Server room is hot');
    // The thread's first message has reached tickets; now tickets goes away.
    await eventually(() =>
      withDatabase(system.databaseUrl, (db) =>
        db.query('select 1 from inbox.outbox where delivered_at is null'),
      ).then((result) => result.rowCount === 0),
    );
    await system.tickets.stop();

    const message = await client.send('inbox.messages.agentReply', {
      accountId,
      threadId,
      author: { userId: system.demo.agent.id, name: 'Sam Agent' },
      bodyHtml: '<p>We called facilities.</p>',
    });
    // Stored and answered although tickets cannot be told yet; the relay keeps trying.
    await eventually(async () => {
      const [row] = await outboxRows([message.id]);
      return row && row.attempts >= 2 && !row.delivered && row.last_error !== null;
    });
    expect(
      system.inbox.logs.find((line) => line.msg === 'outbox delivery failed; will retry').length,
    ).toBeGreaterThan(0);
    expect(await recordsOf([message.id])).toEqual([]);

    await system.tickets.start();
    const updated = await eventually(async () => {
      const t = await client.send('tickets.get', { accountId, id: ticket.id });
      return t.lastActivityAt === message.createdAt && t;
    }, 15_000);
    expect(updated.lastActivityAt).toBe(message.createdAt);
    await eventually(async () => (await outboxRows([message.id])).every((row) => row.delivered));
    // Give any duplicate delivery the time to happen: there must be none that counts.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await recordsOf([message.id])).toEqual([message.id]);
    const [row] = await outboxRows([message.id]);
    expect(row).toMatchObject({ kind: 'tickets.record', delivered: true, last_error: null });
    expect(row.attempts).toBeGreaterThanOrEqual(2);
  });

  it('shares the outbox between replicas, delivering each message to tickets once', async () => {
    replicas.push(
      await startTestService({
        service: 'inbox',
        loadConfig: loadInboxConfig,
        module: AppModule.forRoot,
        natsUrl: system.nats.url,
        databaseUrl: system.databaseUrl,
        env: { FILE_STORAGE_DIR: system.filesDir, OUTBOX_POLL_MS: '50', SMTP_URL: system.smtp.url },
      }),
    );
    const { threadId } = await ticketWithThread('Many notes');
    const author = { userId: system.demo.agent.id, name: 'Sam Agent' };
    const messages = await Promise.all(
      Array.from({ length: 30 }, (_, n) =>
        client.send('inbox.messages.note', { accountId, threadId, author, bodyHtml: `<p>note ${n}</p>` }),
      ),
    );
    const ids = messages.map((m) => m.id);
    await eventually(async () => (await outboxRows(ids)).every((row) => row.delivered), 15_000);
    expect((await recordsOf(ids)).sort()).toEqual([...ids].sort());
    // Both replicas took requests (NATS queue group) and ran relays on the same table.
    const handledBy = [system.inbox, ...replicas].map(
      (service) =>
        service.logs.find((line) => line.msg === 'rpc handled' && line.subject === 'inbox.messages.note')
          .length,
    );
    expect(handledBy.every((count) => count > 0)).toBe(true);
    // A claim counts an attempt: one attempt per row means no row was claimed by both (SKIP LOCKED).
    expect((await outboxRows(ids)).map((row) => row.attempts)).toEqual(ids.map(() => 1));
  });
});
