import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  InboxRpc,
  type AttachmentInput,
  type PortalViewer,
  type Subject,
  type TicketView,
} from '@helpdesk/contracts';
import { LocalFileStorage, migrateUp, type RpcClient } from '@helpdesk/kit';
import { freshTestDatabase, misansweredGarbage, pendingSchemaChanges, withDatabase } from '@helpdesk/testing';
import { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { seedInboxDemo } from '../src/demo-seed.js';
import { ormConfig } from '../src/mikro-orm.config.js';
import { eventually, rejection } from '@helpdesk/testing';
import { startInbox, type InboxUnderTest } from './inbox-under-test.js';
import { unsafeParts, XSS_CORPUS } from './xss-corpus.js';

let system: InboxUnderTest;
let client: RpcClient;
let storage: LocalFileStorage;
let accountId: string;
const otherAccount = randomUUID();
const everything = { groups: [] };

let alice: PortalViewer;
let aliceOwnOnly: PortalViewer;
let bobOwnOnly: PortalViewer;
let carol: PortalViewer;
let supportInbox: string;
let aliceTicket: TicketView;
let bobTicket: TicketView;
let carolTicket: TicketView;
let foreignTicket: TicketView;
let closedStageId: string;

const MAX_BYTES = 5_000;

/** Stores a file as the gateway does after an upload, and returns the attachment it would pass on. */
async function upload(
  name = 'file.pdf',
  { account = accountId, contentType = 'application/pdf', content = '%PDF-1.7 test' } = {},
): Promise<AttachmentInput> {
  const storageKey = `attachments/${account}/${randomUUID()}`;
  const { bytes } = await storage.write(storageKey, Readable.from([content]));
  return { storageKey, fileName: name, contentType, size: bytes };
}

const stored = (key: string) => storage.exists(key);

async function openThread(ticket: TicketView, requester: string) {
  const contact = system.demo.contacts[requester];
  return client.send('inbox.threads.open', {
    accountId: ticket.accountId,
    ticketId: ticket.id,
    inboxId: supportInbox,
    requester: {
      contactId: contact.id,
      name: `${contact.firstName} ${contact.lastName}`,
      email: contact.email,
    },
    subject: ticket.subject,
    bodyText: `${ticket.subject}.\nPlease help.`,
    idempotencyKey: `ticket:${ticket.id}`,
  });
}

async function createTicket(
  subject: string,
  requester: string,
  extra: { stageId?: string; account?: string } = {},
) {
  const contact = system.demo.contacts[requester];
  return client.send('tickets.create', {
    accountId: extra.account ?? accountId,
    subject,
    content: `${subject}.`,
    requesterContactId: contact.id,
    requesterName: `${contact.firstName} ${contact.lastName}`,
    requesterEmail: contact.email,
    companyId: contact.companyId,
    source: 'portal',
    ...(extra.stageId ? { stageId: extra.stageId } : {}),
  });
}

const reply = (
  ticket: TicketView,
  viewer: PortalViewer,
  bodyHtml: string,
  more: Record<string, unknown> = {},
) =>
  client.send('inbox.messages.reply', {
    accountId,
    ticketId: ticket.id,
    viewer,
    visibility: everything,
    replyToClosed: false,
    bodyHtml,
    attachments: [],
    ...more,
  });

const messagesOf = async (ticket: TicketView) => {
  const [thread] = await client.send('inbox.threads.ofTicket', {
    accountId: ticket.accountId,
    ticketId: ticket.id,
  });
  return thread
    ? (await client.send('inbox.threads.get', { accountId: ticket.accountId, threadId: thread.id })).messages
    : [];
};

beforeAll(async () => {
  system = await startInbox('helpdesk_test_inbox', { MAX_ATTACHMENT_BYTES: String(MAX_BYTES) });
  client = system.client;
  storage = new LocalFileStorage(system.filesDir);
  accountId = system.demo.accountId;
  const contact = (email: string) => system.demo.contacts[email];
  alice = {
    contactId: contact('alice@acme.test').id,
    companyId: contact('alice@acme.test').companyId,
    seesCompanyTickets: true,
  };
  aliceOwnOnly = { ...alice, seesCompanyTickets: false };
  bobOwnOnly = {
    contactId: contact('bob@acme.test').id,
    companyId: contact('bob@acme.test').companyId,
    seesCompanyTickets: false,
  };
  carol = {
    contactId: contact('carol@globex.test').id,
    companyId: contact('carol@globex.test').companyId,
    seesCompanyTickets: true,
  };

  supportInbox = (
    await client.send('inbox.inboxes.create', { accountId, kind: 'inbox', name: 'Support inbox' })
  ).id;
  aliceTicket = await createTicket('Printer on fire', 'alice@acme.test');
  bobTicket = await createTicket('VPN is down', 'bob@acme.test');
  carolTicket = await createTicket('Invoice is wrong', 'carol@globex.test');
  foreignTicket = await createTicket('Someone else’s problem', 'alice@acme.test', { account: otherAccount });
  const [pipeline] = await client.send('tickets.pipelines.list', { accountId });
  closedStageId = pipeline.stages.find((stage) => stage.state === 'closed')!.id;
  for (const [ticket, requester] of [
    [aliceTicket, 'alice@acme.test'],
    [bobTicket, 'bob@acme.test'],
    [carolTicket, 'carol@globex.test'],
  ] as const)
    await openThread(ticket, requester);
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

describe('inbox service over NATS, with the real tickets and identity', () => {
  it('has migrations that match its entities exactly', async () => {
    // In a database of its own: beside identity's and tickets' schemas the diff would propose dropping them.
    const alone = await freshTestDatabase('helpdesk_test_inbox_schema');
    await migrateUp(ormConfig(alone));
    expect(await pendingSchemaChanges(ormConfig(alone))).toBe('');
  });

  it('keeps inboxes and help desks, and refuses to delete one that has threads', async () => {
    const desk = await client.send('inbox.inboxes.create', {
      accountId,
      kind: 'help_desk',
      name: ' Help desk ',
    });
    expect(desk).toMatchObject({ accountId, kind: 'help_desk', name: 'Help desk' });
    const renamed = await client.send('inbox.inboxes.update', {
      accountId,
      id: desk.id,
      name: 'Service desk',
    });
    expect(renamed).toMatchObject({ id: desk.id, kind: 'help_desk', name: 'Service desk' });
    const names = (await client.send('inbox.inboxes.list', { accountId })).map((i) => [i.name, i.kind]);
    expect(names).toEqual([
      ['Support inbox', 'inbox'],
      ['Service desk', 'help_desk'],
    ]);
    expect(await client.send('inbox.inboxes.list', { accountId: otherAccount })).toEqual([]);

    await expect(client.send('inbox.inboxes.delete', { accountId, id: supportInbox })).rejects.toMatchObject({
      code: 'INBOX_NOT_EMPTY',
      message: expect.stringContaining('3 threads'),
    });
    await expect(
      client.send('inbox.inboxes.delete', { accountId: otherAccount, id: desk.id }),
    ).rejects.toMatchObject({
      code: 'INBOX_NOT_FOUND',
    });
    expect(await client.send('inbox.inboxes.delete', { accountId, id: desk.id })).toEqual({ deleted: true });
    expect((await client.send('inbox.inboxes.list', { accountId })).map((i) => i.id)).toEqual([supportInbox]);
  });

  it('opens a ticket’s first thread with its description, once, however often it is asked', async () => {
    const ticket = await createTicket('Two screens flicker', 'bob@acme.test');
    const first = await openThread(ticket, 'bob@acme.test');
    const again = await openThread(ticket, 'bob@acme.test');
    const otherKey = await client.send('inbox.threads.open', {
      accountId,
      ticketId: ticket.id,
      inboxId: supportInbox,
      requester: { contactId: null, name: '', email: 'bob@acme.test' },
      subject: 'x',
      bodyHtml: '<p>x</p>',
      idempotencyKey: 'another-key',
    });
    expect(again).toEqual(first);
    expect(otherKey.id).toBe(first.id);
    expect(first).toMatchObject({
      inboxId: supportInbox,
      ticketId: ticket.id,
      subject: 'Two screens flicker',
      requester: { contactId: bobOwnOnly.contactId, name: 'Bob Brown', email: 'bob@acme.test' },
      messageCount: 1,
    });
    const [description] = await messagesOf(ticket);
    expect(description).toMatchObject({
      direction: 'from_customer',
      visibility: 'public',
      author: { kind: 'contact', id: bobOwnOnly.contactId, name: 'Bob Brown' },
      bodyHtml: '<p>Two screens flicker.<br />Please help.</p>',
      bodyText: 'Two screens flicker.\nPlease help.',
    });
    const page = await client.send('inbox.threads.list', { accountId, inboxId: supportInbox, limit: 2 });
    expect(page.items[0].id).toBe(first.id); // the newest activity first
    const rest = await client.send('inbox.threads.list', {
      accountId,
      inboxId: supportInbox,
      after: page.nextCursor!,
    });
    expect([...page.items, ...rest.items].map((t) => t.id)).toHaveLength(4);
    expect(rest.nextCursor).toBeNull();
    await expect(
      client.send('inbox.threads.list', { accountId, inboxId: supportInbox, after: 'garbage' }),
    ).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
  });

  it('stores a formatted reply with two attachments, shown sanitised in the thread, the portal and the timeline', async () => {
    const pdf = await upload('Quote.pdf');
    const png = await upload('C:\\photos\\printer.png', { contentType: 'image/png', content: 'PNG' });
    const answer = await reply(
      aliceTicket,
      alice,
      '<p onclick="steal()">It is <strong>still</strong> <em>burning</em>:</p><ul><li>smoke</li><li>flames</li></ul>' +
        '<p><a href="https://acme.test/photos" target="_self">photos</a><script>alert(1)</script><img src=x onerror=alert(2)></p>',
      { attachments: [pdf, png] },
    );
    const html =
      '<p>It is <strong>still</strong> <em>burning</em>:</p><ul><li>smoke</li><li>flames</li></ul>' +
      '<p><a href="https://acme.test/photos" rel="noopener noreferrer" target="_blank">photos</a></p>';
    expect(answer).toEqual({
      reopening: false,
      message: {
        id: expect.any(String),
        direction: 'from_customer',
        author: { kind: 'contact', name: 'Alice Anderson' },
        mine: true,
        bodyHtml: html,
        bodyText: 'It is still burning:\n- smoke\n- flames\nphotos (https://acme.test/photos)',
        createdAt: expect.any(String),
        attachments: [
          { id: expect.any(String), fileName: 'Quote.pdf', contentType: 'application/pdf', size: pdf.size },
          { id: expect.any(String), fileName: 'printer.png', contentType: 'image/png', size: png.size },
        ],
      },
    });
    const inThread = (await messagesOf(aliceTicket)).find((m) => m.id === answer.message.id);
    expect(inThread).toMatchObject({
      bodyHtml: html,
      visibility: 'public',
      attachments: answer.message.attachments,
    });

    const conversation = await client.send('inbox.portal.conversation', {
      accountId,
      ticketId: aliceTicket.id,
      viewer: alice,
      visibility: everything,
    });
    expect(conversation.messages.at(-1)).toEqual(answer.message);
    expect(conversation.messages[0]).toMatchObject({ bodyText: 'Printer on fire.\nPlease help.' });

    for (const timeline of [
      await client.send('inbox.timeline.get', { accountId, ticketId: aliceTicket.id }),
      await client.send('inbox.timeline.get', { accountId, contactId: alice.contactId }),
      await client.send('inbox.timeline.get', {
        accountId,
        ticketId: aliceTicket.id,
        viewer: alice,
        visibility: everything,
      }),
    ])
      expect(timeline.items[0]).toEqual({
        id: answer.message.id,
        kind: 'email',
        direction: 'from_customer',
        ticketId: aliceTicket.id,
        threadId: conversation.threadId,
        subject: 'Printer on fire',
        author: { kind: 'contact', name: 'Alice Anderson' },
        text: answer.message.bodyText,
        attachmentCount: 2,
        occurredAt: answer.message.createdAt,
      });

    // A colleague who sees company tickets may download it; someone outside the company may not.
    const [first] = answer.message.attachments;
    expect(
      await client.send('inbox.attachments.get', {
        accountId,
        attachmentId: first.id,
        viewer: { ...bobOwnOnly, seesCompanyTickets: true },
        visibility: everything,
      }),
    ).toMatchObject({ storageKey: pdf.storageKey, fileName: 'Quote.pdf', ticketId: aliceTicket.id });
    expect(await client.send('inbox.attachments.get', { accountId, attachmentId: first.id })).toMatchObject({
      storageKey: pdf.storageKey,
    });
    for (const viewer of [carol, bobOwnOnly])
      await expect(
        client.send('inbox.attachments.get', {
          accountId,
          attachmentId: first.id,
          viewer,
          visibility: everything,
        }),
      ).rejects.toMatchObject({ code: 'ATTACHMENT_NOT_FOUND' });
    await expect(
      client.send('inbox.attachments.get', { accountId: otherAccount, attachmentId: first.id }),
    ).rejects.toMatchObject({
      code: 'ATTACHMENT_NOT_FOUND',
    });

    // Stored before the answer; tickets hears of it through the outbox: last activity and search.
    const ticket = await eventually(async () => {
      const t = await client.send('tickets.get', { accountId, id: aliceTicket.id });
      return t.lastActivityAt === answer.message.createdAt && t;
    });
    expect(ticket.closed).toBe(false);
  });

  it('neutralises every attack of the XSS corpus on the way in and out', async () => {
    let storedCount = 0;
    for (const vector of XSS_CORPUS) {
      const outcome = await rejection(reply(aliceTicket, alice, vector.html));
      // Nothing readable left is refused as empty; anything else is stored, sanitised.
      if (outcome)
        expect([vector.name, outcome]).toEqual([
          vector.name,
          expect.objectContaining({ code: 'VALIDATION_FAILED', fields: { bodyHtml: ['is required'] } }),
        ]);
      else storedCount++;
    }
    expect(storedCount).toBeGreaterThanOrEqual(XSS_CORPUS.length - 3);
    const conversation = await client.send('inbox.portal.conversation', {
      accountId,
      ticketId: aliceTicket.id,
      viewer: alice,
      visibility: everything,
    });
    const agentSide = await messagesOf(aliceTicket);
    for (const message of [...conversation.messages, ...agentSide]) {
      expect([message.id, unsafeParts(message.bodyHtml)]).toEqual([message.id, []]);
      expect(message.bodyHtml.toLowerCase()).not.toMatch(/<script|javascript:|vbscript:|data:text|onerror=/);
    }
  });

  it('refuses bad attachments with a coded error, storing nothing and removing their files', async () => {
    const before = (await messagesOf(bobTicket)).length;
    const cases: [string, () => Promise<{ attachments: AttachmentInput[]; keep?: string[] }>, string][] = [
      [
        'too many',
        async () => ({ attachments: await Promise.all([1, 2, 3, 4, 5, 6].map((n) => upload(`${n}.pdf`))) }),
        'TOO_MANY_ATTACHMENTS',
      ],
      [
        'too big',
        async () => ({
          attachments: [await upload('ok.pdf'), { ...(await upload('big.pdf')), size: MAX_BYTES + 1 }],
        }),
        'ATTACHMENT_TOO_LARGE',
      ],
      [
        'another account’s upload',
        async () => {
          const foreign = await upload('theirs.pdf', { account: otherAccount });
          return { attachments: [await upload('mine.pdf'), foreign], keep: [foreign.storageKey] };
        },
        'ATTACHMENT_INVALID',
      ],
      [
        'a missing file',
        async () => ({
          attachments: [
            await upload('ok.pdf'),
            { ...(await upload('gone.pdf')), storageKey: `attachments/${accountId}/${randomUUID()}` },
          ],
        }),
        'ATTACHMENT_INVALID',
      ],
      [
        'a disallowed type',
        async () => ({
          attachments: [await upload('page.html', { contentType: 'text/html', content: '<script>' })],
        }),
        'ATTACHMENT_TYPE_NOT_ALLOWED',
      ],
      [
        'a file already on another message',
        async () => {
          const taken = (await messagesOf(aliceTicket)).flatMap((m) => m.attachments)[0];
          const { storageKey } = await client.send('inbox.attachments.get', {
            accountId,
            attachmentId: taken.id,
          });
          return {
            attachments: [
              await upload('new.pdf'),
              { storageKey, fileName: 'x.pdf', contentType: 'application/pdf', size: 1 },
            ],
            keep: [storageKey],
          };
        },
        'ATTACHMENT_INVALID',
      ],
    ];
    for (const [name, make, code] of cases) {
      for (const side of ['customer', 'agent'] as const) {
        const { attachments, keep = [] } = await make();
        const [thread] = await client.send('inbox.threads.ofTicket', { accountId, ticketId: bobTicket.id });
        const error = await rejection(
          side === 'customer'
            ? reply(bobTicket, bobOwnOnly, '<p>see attached</p>', { attachments })
            : client.send('inbox.messages.agentReply', {
                accountId,
                threadId: thread.id,
                author: { userId: system.demo.agent.id, name: 'Sam' },
                bodyHtml: '<p>see attached</p>',
                attachments,
              }),
        );
        expect([name, side, error?.code]).toEqual([name, side, code]);
        for (const attachment of attachments)
          expect([name, side, attachment.storageKey, await stored(attachment.storageKey)]).toEqual([
            name,
            side,
            attachment.storageKey,
            keep.includes(attachment.storageKey),
          ]);
      }
    }
    // An empty body is refused the same way, files removed too.
    const file = await upload('ok.pdf');
    await expect(
      reply(bobTicket, bobOwnOnly, '<p> <img src=x></p>', { attachments: [file] }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { bodyHtml: ['is required'] },
    });
    expect(await stored(file.storageKey)).toBe(false);
    expect(await messagesOf(bobTicket)).toHaveLength(before);
  });

  it('refuses a reply to a closed ticket unless the portal allows it, and then reopens the ticket', async () => {
    const closed = await createTicket('Old invoice', 'alice@acme.test', { stageId: closedStageId });
    expect(closed.closed).toBe(true);
    await openThread(closed, 'alice@acme.test');
    const file = await upload('late.pdf');
    await expect(
      reply(closed, alice, '<p>One more thing</p>', { attachments: [file] }),
    ).rejects.toMatchObject({
      code: 'TICKET_CLOSED',
    });
    expect(await stored(file.storageKey)).toBe(false);
    expect(await messagesOf(closed)).toHaveLength(1);

    const answer = await reply(closed, alice, '<p>One more thing</p>', { replyToClosed: true });
    expect(answer.reopening).toBe(true);
    expect(await messagesOf(closed)).toHaveLength(2);
    // Open by the time the reply is answered: the customer's next page shows it open.
    const reopened = await client.send('tickets.get', { accountId, id: closed.id });
    const [pipeline] = await client.send('tickets.pipelines.list', { accountId });
    expect(reopened).toMatchObject({
      closed: false,
      stageId: pipeline.stages[0].id,
      lastActivityAt: answer.message.createdAt,
    });
  });

  it('never lets notes or comments reach a customer', async () => {
    const [thread] = await client.send('inbox.threads.ofTicket', { accountId, ticketId: carolTicket.id });
    const author = { userId: system.demo.agent.id, name: 'Sam Agent' };
    const note = await client.send('inbox.messages.note', {
      accountId,
      threadId: thread.id,
      author,
      bodyHtml: '<p>SECRET note: refund her</p>',
    });
    const comment = await client.send('inbox.messages.note', {
      accountId,
      threadId: thread.id,
      author,
      bodyHtml: '<p>SECRET comment</p>',
      kind: 'comment',
    });
    expect([note.visibility, comment.visibility]).toEqual(['note', 'comment']);

    const agentView = await client.send('inbox.threads.get', { accountId, threadId: thread.id });
    expect(agentView.messages.map((m) => m.visibility)).toEqual(['public', 'note', 'comment']);
    const internal = await client.send('inbox.timeline.get', { accountId, ticketId: carolTicket.id });
    expect(internal.items.map((e) => e.kind)).toEqual(['comment', 'note', 'email']);
    const firstPage = await client.send('inbox.timeline.get', {
      accountId,
      ticketId: carolTicket.id,
      limit: 2,
    });
    const secondPage = await client.send('inbox.timeline.get', {
      accountId,
      ticketId: carolTicket.id,
      limit: 2,
      after: firstPage.nextCursor!,
    });
    expect([...firstPage.items, ...secondPage.items]).toEqual(internal.items);
    expect(secondPage.nextCursor).toBeNull();
    expect(
      (await client.send('inbox.timeline.get', { accountId, contactId: carol.contactId })).items.map(
        (e) => e.kind,
      ),
    ).toEqual(['comment', 'note', 'email']);

    const customerSide = JSON.stringify([
      await client.send('inbox.portal.conversation', {
        accountId,
        ticketId: carolTicket.id,
        viewer: carol,
        visibility: everything,
      }),
      await client.send('inbox.timeline.get', {
        accountId,
        ticketId: carolTicket.id,
        viewer: carol,
        visibility: everything,
      }),
      await reply(carolTicket, carol, '<p>Any news?</p>'),
    ]);
    expect(customerSide).not.toContain('SECRET');
    expect(customerSide).not.toContain(note.id);
    expect(customerSide).not.toContain(comment.id);
    expect(customerSide).not.toContain('"note"');
    // Tickets hears of notes too (last activity) but never their text.
    const rows = await eventually(() =>
      withDatabase(system.databaseUrl, (db) =>
        db.query('select message_text from tickets.ticket where id = $1', [carolTicket.id]),
      ).then((r) => (r.rows[0] as { message_text: string }).message_text.includes('Any news') && r),
    );
    expect((rows.rows[0] as { message_text: string }).message_text).not.toContain('SECRET');
  });

  it('answers TICKET_NOT_FOUND for another contact’s, company’s or account’s ticket on every customer subject', async () => {
    const attempts: [string, string, PortalViewer, string][] = [
      ['another contact’s (no company tickets)', accountId, bobOwnOnly, aliceTicket.id],
      ['own-only viewer, colleague’s ticket', accountId, aliceOwnOnly, bobTicket.id],
      ['another company’s', accountId, carol, aliceTicket.id],
      ['another company’s, the other way', accountId, alice, carolTicket.id],
      ['another account’s', accountId, alice, foreignTicket.id],
      ['a ticket of this account asked for under another', otherAccount, alice, aliceTicket.id],
      ['no such ticket', accountId, alice, randomUUID()],
    ];
    for (const [what, account, viewer, ticketId] of attempts) {
      const file = await upload('probe.pdf', { account });
      const outcomes = [
        await rejection(
          client.send('inbox.portal.conversation', {
            accountId: account,
            ticketId,
            viewer,
            visibility: everything,
          }),
        ),
        await rejection(
          client.send('inbox.messages.reply', {
            accountId: account,
            ticketId,
            viewer,
            visibility: everything,
            replyToClosed: true,
            bodyHtml: '<p>let me in</p>',
            attachments: [file],
          }),
        ),
        await rejection(
          client.send('inbox.timeline.get', { accountId: account, ticketId, viewer, visibility: everything }),
        ),
      ];
      expect([what, outcomes.map((o) => o?.code)]).toEqual([
        what,
        ['TICKET_NOT_FOUND', 'TICKET_NOT_FOUND', 'TICKET_NOT_FOUND'],
      ]);
      expect([what, await stored(file.storageKey)]).toEqual([what, false]);
    }
    // The portal's visibility filter hides a ticket as well as scope does.
    const hiding = { groups: [[{ property: 'subject', operator: 'eq' as const, value: 'nothing like it' }]] };
    await expect(
      client.send('inbox.portal.conversation', {
        accountId,
        ticketId: aliceTicket.id,
        viewer: alice,
        visibility: hiding,
      }),
    ).rejects.toMatchObject({ code: 'TICKET_NOT_FOUND' });
    expect((await messagesOf(aliceTicket)).some((m) => m.bodyText === 'let me in')).toBe(false);
  });

  it('emails the requester an agent’s reply with a link to the ticket in the portal', async () => {
    const [thread] = await client.send('inbox.threads.ofTicket', { accountId, ticketId: bobTicket.id });
    const manual = await upload('Manual.pdf');
    const answer = await client.send('inbox.messages.agentReply', {
      accountId,
      threadId: thread.id,
      author: { userId: system.demo.agent.id, name: 'Sam Agent' },
      bodyHtml: '<p>Try <strong>restarting</strong> the router.</p>',
      attachments: [manual],
    });
    expect(answer).toMatchObject({
      direction: 'from_agent',
      visibility: 'public',
      author: { kind: 'user', id: system.demo.agent.id },
    });
    const mail = await system.smtp.waitFor('bob@acme.test', (m) => m.subject.includes('VPN is down'), 15_000);
    expect(mail.subject).toBe('New reply to your ticket: VPN is down');
    expect(system.smtp.links(mail)).toEqual([`http://localhost:3000/support/tickets/${bobTicket.id}`]);
    expect(mail.text).toContain('Try restarting the router.');
    expect(mail.text).toContain('Manual.pdf');
    // One email per reply, even when the relay runs again.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(system.smtp.mails.filter((m) => m.subject === mail.subject)).toHaveLength(1);
    const pending = await withDatabase(system.databaseUrl, (db) =>
      db.query("select kind from inbox.outbox where delivered_at is null and payload->>'messageId' = $1", [
        answer.id,
      ]),
    );
    expect(pending.rows).toEqual([]);
  });

  it('seeds the demo inboxes and a thread per demo ticket, and nothing more on a second run', async () => {
    const demoAccount = randomUUID();
    const requester = system.demo.contacts['carol@globex.test'];
    const tickets = ['Printer on fire', 'Cannot log in', 'Invoice is wrong'].map((subject, n) => ({
      id: randomUUID(),
      subject,
      content: `${subject}. Details from the customer.`,
      requesterContactId: requester.id,
      requesterName: 'Carol Clark',
      requesterEmail: requester.email,
      createdAt: new Date(Date.now() - (3 - n) * 86_400_000).toISOString(),
      closed: n === 2,
    }));
    const orm = await MikroORM.init(ormConfig(system.databaseUrl));
    try {
      const input = { accountId: demoAccount, agent: system.demo.agent, tickets };
      const first = await seedInboxDemo(orm, input);
      expect(first).toEqual({
        inboxes: 2,
        threads: 3,
        replies: 2,
        inboxIds: { 'Support inbox': expect.any(String), 'Help desk': expect.any(String) },
      });
      expect(await seedInboxDemo(orm, input)).toEqual({
        inboxes: 0,
        threads: 0,
        replies: 0,
        inboxIds: first.inboxIds,
      });
    } finally {
      await orm.close(true);
    }
    expect(
      (await client.send('inbox.inboxes.list', { accountId: demoAccount })).map((i) => [i.name, i.kind]),
    ).toEqual([
      ['Support inbox', 'inbox'],
      ['Help desk', 'help_desk'],
    ]);
    const [thread] = await client.send('inbox.threads.ofTicket', {
      accountId: demoAccount,
      ticketId: tickets[0].id,
    });
    const detail = await client.send('inbox.threads.get', { accountId: demoAccount, threadId: thread.id });
    expect(detail.messages.map((m) => [m.direction, m.author.name, m.bodyText.split('\n')[0]])).toEqual([
      ['from_customer', 'Carol Clark', 'Printer on fire. Details from the customer.'],
      [
        'from_agent',
        `${system.demo.agent.firstName} ${system.demo.agent.lastName}`,
        'Thanks, we are looking into it.',
      ],
    ]);
    expect(detail).toMatchObject({ messageCount: 2, requester: { email: requester.email } });
  });

  it('answers garbage with coded errors, never INTERNAL', async () => {
    for (const subject of Object.keys(InboxRpc) as Subject[]) {
      const answerable = subject === 'inbox.ping' || /\.(list|ofTicket|timeline\.get)$/.test(subject);
      expect([subject, await misansweredGarbage(client, subject, { mayAnswer: answerable })]).toEqual([
        subject,
        [],
      ]);
    }
    expect(system.inbox.logs.find((line) => line.msg === 'unhandled error in handler')).toEqual([]);
  });
});
