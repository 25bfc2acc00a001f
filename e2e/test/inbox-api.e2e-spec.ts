import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PortalViewer } from '@helpdesk/contracts';
import { RpcClient } from '@helpdesk/kit';
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { addInternalUser } from '../src/accounts.js';
import { ApiSession, startSystem, type System } from '../src/system.js';

const DATABASE = 'helpdesk_test_e2e_inbox_api';
const MB = 1024 * 1024;

let system: System;
let client: RpcClient;
let agent: ApiSession;
let accountId: string;
let alice: { id: string; email: string; firstName: string; lastName: string };
let aliceViewer: PortalViewer;
let visibility: { groups: unknown[][] };
let ticketId: string;
let threadId: string;

const json = async (response: Response) => (await response.json()) as Record<string, any>;

/** Every file in the system's shared storage, hidden temp files included. */
async function storedFiles(): Promise<string[]> {
  const entries = await readdir(system.filesDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

const pdf = (text: string, size = 0) => {
  const bytes = Buffer.alloc(Math.max(size, 9 + text.length), 0x20);
  bytes.write(`%PDF-1.4\n${text}`);
  return bytes;
};
const png = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7a6a0000000000049454e44ae426082',
  'hex',
);

/** An agent's multipart reply: `bodyHtml` and files in `attachments` (declared type deliberately wrong). */
function replyWithFiles(
  thread: string,
  bodyHtml: string | undefined,
  files: [string, Buffer][],
  extraFields: Record<string, string> = {},
) {
  const form = new FormData();
  if (bodyHtml !== undefined) form.append('bodyHtml', bodyHtml);
  for (const [name, value] of Object.entries(extraFields)) form.append(name, value);
  for (const [name, bytes] of files)
    form.append('attachments', new Blob([bytes], { type: 'application/octet-stream' }), name);
  return fetch(`${system.url}/api/v1/threads/${thread}/replies`, {
    method: 'POST',
    headers: { cookie: agent.sessionCookie! },
    body: form,
  });
}

beforeAll(async () => {
  system = await startSystem({ database: DATABASE });
  client = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 5_000 });
  agent = await ApiSession.login(system.url, 'agent@demo.test', 'demo-password');
  accountId = (await json(await agent.request('GET', '/api/v1/auth/me'))).accountId as string;

  alice = (await client.send('identity.contacts.list', { accountId, search: 'alice' })).items[0];
  aliceViewer = await client.send('identity.viewer.scope', { accountId, contactId: alice.id });
  visibility = (await client.send('identity.portal.get', { accountId })).ticketDisplay.visibility;
  const tickets = await client.send('tickets.portal.list', {
    accountId,
    viewer: aliceViewer,
    show: 'mine',
    visibility: visibility as never,
    ownerDisplay: { mode: 'first_name', alias: null },
    limit: 10,
  });
  const ticket = tickets.items.find((t) => !t.closed) ?? tickets.items[0];
  ticketId = ticket.id;

  // The demo seed gives every demo ticket a thread; open one when it did not.
  const threads = await json(await agent.request('GET', `/api/v1/tickets/${ticketId}/threads`));
  if (Array.isArray(threads) && threads.length) threadId = threads[0].id as string;
  else {
    const inboxes = await json(await agent.request('GET', '/api/v1/inboxes'));
    const support = (inboxes as unknown as { id: string; name: string }[]).find(
      (inbox) => inbox.name === 'Support inbox',
    )!;
    const opened = await client.send('inbox.threads.open', {
      accountId,
      ticketId,
      inboxId: support.id,
      requester: { contactId: alice.id, name: `${alice.firstName} ${alice.lastName}`, email: alice.email },
      subject: ticket.subject,
      bodyText: 'Opened by the e2e test',
      idempotencyKey: `e2e:${ticketId}`,
    });
    threadId = opened.id;
  }
}, 180_000);

afterAll(async () => {
  await client?.close();
  await system?.close();
});

describe('the agents’ inbox API', () => {
  it('lists the account’s inboxes and help desks, and manages them', async () => {
    const list = await agent.request('GET', '/api/v1/inboxes');
    expect(list.status).toBe(200);
    const inboxes = (await list.json()) as { id: string; name: string; kind: string }[];
    expect(inboxes.map((i) => [i.name, i.kind])).toEqual(
      expect.arrayContaining([
        ['Support inbox', 'inbox'],
        ['Help desk', 'help_desk'],
      ]),
    );

    const created = await agent.request('POST', '/api/v1/inboxes', { kind: 'inbox', name: 'Billing' });
    expect(created.status).toBe(201);
    const billing = await json(created);
    expect(billing).toMatchObject({ kind: 'inbox', name: 'Billing', accountId });
    const renamed = await agent.request('PATCH', `/api/v1/inboxes/${billing.id}`, { name: 'Invoices' });
    expect([renamed.status, (await json(renamed)).name]).toEqual([200, 'Invoices']);
    const threads = await json(await agent.request('GET', `/api/v1/inboxes/${billing.id}/threads?limit=5`));
    expect(threads).toEqual({ items: [], nextCursor: null });
    expect((await agent.request('DELETE', `/api/v1/inboxes/${billing.id}`)).status).toBe(204);
    const gone = await agent.request('PATCH', `/api/v1/inboxes/${billing.id}`, { name: 'Again' });
    expect([gone.status, (await json(gone)).error.code]).toEqual([404, 'INBOX_NOT_FOUND']);

    const support = inboxes.find((inbox) => inbox.name === 'Support inbox')!;
    const refused = await agent.request('DELETE', `/api/v1/inboxes/${support.id}`);
    expect([refused.status, (await json(refused)).error.code]).toEqual([409, 'INBOX_NOT_EMPTY']);
    const page = await json(await agent.request('GET', `/api/v1/inboxes/${support.id}/threads?limit=2`));
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it('takes the account from the session, never from the caller', async () => {
    const foreign = await agent.request('POST', '/api/v1/inboxes', {
      kind: 'inbox',
      name: 'Elsewhere',
      accountId: randomUUID(),
    });
    expect([foreign.status, (await json(foreign)).error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('replies with formatting and two attachments, which the thread shows and the agent can download', async () => {
    const before = await storedFiles();
    const invoice = pdf('invoice for March', 5_000);
    const response = await replyWithFiles(
      threadId,
      '<p>Hello <strong>Alice</strong>, <em>see</em> <a href="https://example.test/x">this</a></p>' +
        '<ul><li>one</li></ul><script>alert(1)</script><img src=x onerror=alert(2)>',
      [
        ['Läskut €.pdf', invoice],
        ['../../screen shot.png', png],
      ],
    );
    expect(response.status).toBe(201);
    const message = await json(response);
    expect(message).toMatchObject({
      threadId,
      ticketId,
      direction: 'from_agent',
      visibility: 'public',
      author: { kind: 'user', name: expect.any(String) },
    });
    expect(message.bodyHtml).toContain('<strong>Alice</strong>');
    expect(message.bodyHtml).toContain('<em>see</em>');
    expect(message.bodyHtml).toContain('<li>one</li>');
    expect(message.bodyHtml).not.toMatch(/script|onerror|<img/);
    expect(message.attachments).toEqual([
      {
        id: expect.any(String),
        fileName: 'Läskut €.pdf',
        contentType: 'application/pdf',
        size: invoice.length,
      },
      { id: expect.any(String), fileName: 'screen shot.png', contentType: 'image/png', size: png.length },
    ]);
    expect((await storedFiles()).length).toBe(before.length + 2);

    const thread = await json(await agent.request('GET', `/api/v1/threads/${threadId}`));
    const shown = thread.messages.find((m: { id: string }) => m.id === message.id);
    expect(shown.bodyHtml).toBe(message.bodyHtml);
    expect(shown.attachments).toEqual(message.attachments);

    const download = await agent.request('GET', `/api/v1/attachments/${message.attachments[0].id}`);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(invoice);
    expect(Object.fromEntries(download.headers)).toMatchObject({
      'content-type': 'application/pdf',
      'content-length': String(invoice.length),
      'content-disposition': `attachment; filename="L_skut _.pdf"; filename*=UTF-8''L%C3%A4skut%20%E2%82%AC.pdf`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
    });
    const image = await agent.request('GET', `/api/v1/attachments/${message.attachments[1].id}`);
    expect(Buffer.from(await image.arrayBuffer())).toEqual(png);
  });

  it('answers an unknown or malformed attachment id with 404', async () => {
    for (const id of [randomUUID(), 'not-an-id', '..%2F..%2Fetc%2Fpasswd']) {
      const response = await agent.request('GET', `/api/v1/attachments/${id}`);
      expect([response.status, (await json(response)).error.code]).toEqual([404, 'ATTACHMENT_NOT_FOUND']);
    }
  });

  it('also replies with a JSON body', async () => {
    const response = await agent.request('POST', `/api/v1/threads/${threadId}/replies`, {
      bodyHtml: '<p>Plain <b>JSON</b></p>',
    });
    expect(response.status).toBe(201);
    expect(await json(response)).toMatchObject({
      bodyHtml: '<p>Plain <strong>JSON</strong></p>',
      attachments: [],
    });
  });

  const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(500)]);
  it.each([
    ['a 21 MB file', 413, 'ATTACHMENT_TOO_LARGE', [['big.pdf', pdf('big', 21 * MB)]]],
    ['an executable', 400, 'ATTACHMENT_TYPE_NOT_ALLOWED', [['tool.exe', exe]]],
    ['an executable without a telling name', 400, 'ATTACHMENT_TYPE_NOT_ALLOWED', [['tool', exe]]],
    [
      'HTML disguised as a PDF',
      400,
      'ATTACHMENT_TYPE_NOT_ALLOWED',
      [['invoice.pdf', Buffer.from('<html><script>alert(1)</script></html>')]],
    ],
    ['an EXE disguised as a Word document', 400, 'ATTACHMENT_TYPE_NOT_ALLOWED', [['letter.docx', exe]]],
    [
      'six files',
      400,
      'TOO_MANY_ATTACHMENTS',
      Array.from({ length: 5 }, (_, i) => [`f${i}.pdf`, pdf(`file ${i}`)]),
    ],
  ] as [string, number, string, [string, Buffer][]][])(
    'refuses %s with %i %s, a message, and nothing new in the storage',
    async (_what, status, code, files) => {
      const before = await storedFiles();
      // A good file first, so refusing means removing what was already stored.
      const response = await replyWithFiles(threadId, '<p>with files</p>', [['ok.png', png], ...files]);
      expect(response.status).toBe(status);
      expect((await json(response)).error).toMatchObject({ code, message: expect.any(String) });
      expect(await storedFiles()).toEqual(before);
    },
  );

  it('leaves no stored files when inbox refuses the reply', async () => {
    const before = await storedFiles();
    const unknownThread = await replyWithFiles(randomUUID(), '<p>lost</p>', [['a.pdf', pdf('a')]]);
    expect([unknownThread.status, (await json(unknownThread)).error.code]).toEqual([404, 'THREAD_NOT_FOUND']);
    const emptyBody = await replyWithFiles(threadId, '<script>only</script>', [['a.pdf', pdf('a')]]);
    expect([emptyBody.status, (await json(emptyBody)).error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const emptyField = await replyWithFiles(threadId, '', [['a.pdf', pdf('a')]]);
    expect(emptyField.status).toBe(400);
    expect(await storedFiles()).toEqual(before);
  });

  it('removes the stored files when the gateway refuses the form around them', async () => {
    const before = await storedFiles();
    const noBody = await replyWithFiles(threadId, undefined, [['a.pdf', pdf('a')]]);
    expect([noBody.status, (await json(noBody)).error.fields]).toEqual([400, { bodyHtml: ['is required'] }]);
    const foreignAccount = await replyWithFiles(threadId, '<p>x</p>', [['a.pdf', pdf('a')]], {
      accountId: randomUUID(),
    });
    expect([foreignAccount.status, (await json(foreignAccount)).error.code]).toEqual([
      400,
      'VALIDATION_FAILED',
    ]);
    expect(await storedFiles()).toEqual(before);
  });

  it('keeps notes from the customer’s conversation and shows them on the ticket’s timeline', async () => {
    const note = await agent.request('POST', `/api/v1/threads/${threadId}/notes`, {
      bodyHtml: '<p>Internal: customer is on the <strong>gold</strong> plan</p>',
      kind: 'note',
    });
    expect(note.status).toBe(201);
    const stored = await json(note);
    expect(stored).toMatchObject({ visibility: 'note', direction: 'from_agent' });

    const conversation = await client.send('inbox.portal.conversation', {
      accountId,
      ticketId,
      viewer: aliceViewer,
      visibility: visibility as never,
    });
    expect(conversation.threadId).toBe(threadId);
    expect(conversation.messages.some((m) => m.id === stored.id)).toBe(false);
    expect(conversation.messages.some((m) => m.bodyText.includes('gold'))).toBe(false);
    expect(conversation.messages.some((m) => m.attachments.some((a) => a.fileName === 'Läskut €.pdf'))).toBe(
      true,
    );

    const timeline = await json(await agent.request('GET', `/api/v1/tickets/${ticketId}/timeline?limit=50`));
    expect(timeline.items[0]).toMatchObject({ id: stored.id, kind: 'note' });
    expect(timeline.items.some((e: { kind: string }) => e.kind === 'email')).toBe(true);
    const contactTimeline = await agent.request('GET', `/api/v1/contacts/${alice.id}/timeline?limit=5`);
    expect(contactTimeline.status).toBe(200);
    expect((await json(contactTimeline)).items.length).toBeGreaterThan(0);
  });

  it('answers malformed ids with 404 and bad queries with 400', async () => {
    const cases: [string, number, string][] = [
      ['/api/v1/threads/42', 404, 'THREAD_NOT_FOUND'],
      [`/api/v1/threads/${randomUUID()}`, 404, 'THREAD_NOT_FOUND'],
      ['/api/v1/tickets/42/threads', 404, 'TICKET_NOT_FOUND'],
      ['/api/v1/contacts/42/timeline', 404, 'CONTACT_NOT_FOUND'],
      ['/api/v1/inboxes/42/threads', 404, 'INBOX_NOT_FOUND'],
      [`/api/v1/tickets/${ticketId}/timeline?limit=1000`, 400, 'VALIDATION_FAILED'],
      [`/api/v1/tickets/${ticketId}/timeline?accountId=${randomUUID()}`, 400, 'VALIDATION_FAILED'],
    ];
    for (const [path, status, code] of cases) {
      const response = await agent.request('GET', path);
      expect([path, response.status, (await json(response)).error.code]).toEqual([path, status, code]);
    }
  });

  it('refuses callers without a login (401) and users without the inbox permission (403)', async () => {
    const anonymous = new ApiSession(system.url);
    expect((await anonymous.request('GET', '/api/v1/inboxes')).status).toBe(401);
    expect((await fetch(`${system.url}/api/v1/threads/${threadId}/replies`, { method: 'POST' })).status).toBe(
      401,
    );

    // The agent's copy, with the tickets permission only.
    await addInternalUser(system.databaseUrl, {
      like: 'agent@demo.test',
      email: 'no-inbox@demo.test',
      name: 'No Inbox',
      permissions: ['tickets'],
    });
    const outsider = await ApiSession.login(system.url, 'no-inbox@demo.test', 'demo-password');
    const before = await storedFiles();
    for (const [method, path] of [
      ['GET', '/api/v1/inboxes'],
      ['GET', `/api/v1/threads/${threadId}`],
      ['GET', `/api/v1/tickets/${ticketId}/timeline`],
      ['GET', `/api/v1/attachments/${randomUUID()}`],
    ]) {
      const response = await outsider.request(method, path);
      expect([path, response.status]).toEqual([path, 403]);
    }
    const form = new FormData();
    form.append('bodyHtml', '<p>sneaky</p>');
    form.append('attachments', new Blob([pdf('x')]), 'x.pdf');
    const sneaky = await fetch(`${system.url}/api/v1/threads/${threadId}/replies`, {
      method: 'POST',
      headers: { cookie: outsider.sessionCookie! },
      body: form,
    });
    expect(sneaky.status).toBe(403);
    expect(await storedFiles()).toEqual(before);
  });

  it('documents the inbox routes in OpenAPI', async () => {
    const document = await json(await fetch(`${system.url}/api/docs-json`));
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/inboxes',
        '/api/v1/inboxes/{id}',
        '/api/v1/inboxes/{id}/threads',
        '/api/v1/threads/{id}',
        '/api/v1/threads/{id}/replies',
        '/api/v1/threads/{id}/notes',
        '/api/v1/tickets/{id}/threads',
        '/api/v1/tickets/{id}/timeline',
        '/api/v1/contacts/{id}/timeline',
        '/api/v1/attachments/{id}',
      ]),
    );
    expect(Object.keys(document.paths['/api/v1/threads/{id}/replies'].post.requestBody.content)).toEqual([
      'application/json',
      'multipart/form-data',
    ]);
  });
});
