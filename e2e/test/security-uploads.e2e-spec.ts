import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_MAX_ATTACHMENT_BYTES } from '@helpdesk/contracts';
import { RpcClient } from '@helpdesk/kit';
import { withDatabase } from '@helpdesk/testing';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import {
  LOGO_MAX_BYTES,
  multipartBody,
  pngOfSize,
  REFUSED_UPLOADS,
  RENAMED_UPLOADS,
  TRAVERSAL_TARGETS,
  type UploadCase,
} from '../src/attack-corpus.js';
import { ApiSession, demoAdmin, startSystem, type System } from '../src/system.js';
import { PortalClient } from './portal-client.js';

// The upload corpus (issue 9) at every endpoint that reads a multipart body: a customer's reply in
// the portal, an agent's reply through the API, the portal's logo in the admin area, and the two
// ways a form can be posted (the public endpoint and the portal's support form), which take no files
// yet. Each refused file is answered 4xx with a message that says why, and leaves nothing behind:
// no file in the storage (FILE_STORAGE_DIR), no row in the database, no changed setting. Hostile
// names on harmless files are only metadata: the file is stored under a key the server makes up.

let system: System;
let rpc: RpcClient;
let accountId: string;
/** Alice's portal session and an agent's API session. */
let alice: PortalClient;
let agent: ApiSession;
/** The admin area's session (a form login, like a browser). */
let admin: PortalClient;
/** Alice's open demo ticket "Printer on fire" and its thread. */
let ticketId: string;
let threadId: string;
let formId: string;

beforeAll(async () => {
  system = await startSystem({
    database: 'security_uploads_test',
    // This file posts to the public form endpoint in bulk, all from 127.0.0.1.
    env: { FORMS_SUBMIT_LIMIT_PER_IP: '1000000' },
  });
  rpc = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 10_000 });
  ({ accountId } = await demoAdmin(rpc));
  const inboxes = await rpc.send('inbox.inboxes.list', { accountId });
  const support = inboxes.find((inbox) => inbox.name === 'Support inbox')!;
  const threads = await rpc.send('inbox.threads.list', { accountId, inboxId: support.id, limit: 100 });
  ({ ticketId, id: threadId } = threads.items.find((thread) => thread.subject === 'Printer on fire')!);

  // The support form gets a file field, as an admin may add one: the form still takes no files.
  formId = (await rpc.send('identity.portal.get', { accountId })).supportForm.formId!;
  const form = await rpc.send('forms.get', { accountId, id: formId });
  await rpc.send('forms.update', {
    accountId,
    id: formId,
    fields: [
      ...form.fields,
      {
        name: 'screenshot',
        label: 'Screenshot',
        type: 'file',
        required: false,
        options: null,
        helpText: '',
        property: null,
      },
    ],
  });

  alice = new PortalClient(system.url);
  expect((await alice.login('support', 'alice@acme.test', 'demo-password')).status).toBe(303);
  agent = await ApiSession.login(system.url, 'agent@demo.test', 'demo-password');
  admin = new PortalClient(system.url);
  expect((await admin.loginAdmin('admin@demo.test', 'demo-password')).status).toBe(303);
}, 300_000);

afterAll(async () => {
  await rpc?.close();
  await system?.close();
});

/** Every file under the storage directory (temporary files of unfinished writes too), by relative path. */
const storedFiles = (): string[] =>
  readdirSync(system.filesDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(system.filesDir, join(entry.parentPath, entry.name)))
    .sort();

/** What an upload could have left behind: files, rows (attachments, messages, form submissions) and the logo setting. */
async function storedState() {
  const rows = await withDatabase(system.databaseUrl, async (db) => {
    const count = async (table: string) =>
      Number((await db.query<{ count: string }>(`select count(*) from ${table}`)).rows[0].count);
    return {
      attachments: await count('inbox.attachment'),
      messages: await count('inbox.message'),
      submissions: await count('forms.submission'),
    };
  });
  const { logoUrl } = (await rpc.send('identity.portal.get', { accountId })).theme;
  return { files: storedFiles(), ...rows, logoUrl };
}

const newest = (state: Awaited<ReturnType<typeof storedState>>, before: typeof state) =>
  state.files.filter((file) => !before.files.includes(file));

/** The newest attachment's row. */
const newestAttachment = () =>
  withDatabase(system.databaseUrl, async (db) => {
    const { rows } = await db.query<{ file_name: string; storage_key: string; content_type: string }>(
      'select file_name, storage_key, content_type from inbox.attachment order by created_at desc limit 1',
    );
    return rows[0];
  });

interface Answer {
  status: number;
  body: string;
}

interface Endpoint {
  name: string;
  /** The largest file it takes (0: it takes none). */
  limitBytes: number;
  /** Posts the file the way the endpoint's own page or client does, with whatever else it needs. */
  post(file: { fileName: string; content: Buffer }): Promise<Answer>;
  /** What a refusal says, by what it is about. */
  says: Record<(typeof REFUSED_UPLOADS)[number]['because'], RegExp>;
  /** Where an accepted file goes: a message's attachment, the portal's logo, or nowhere (no files taken). */
  keeps: 'attachment' | 'logo' | 'nothing';
}

const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** A page's CSRF token, freshly read (the session's token stays the same, the page may not). */
const csrfOf = async (client: PortalClient, path: string) =>
  PortalClient.csrfOf((await client.get(path)).body);

const formExpired = /<h1 class="auth-title">Your form has expired<\/h1>/;

const answerOf = async (response: Response): Promise<Answer> => ({
  status: response.status,
  body: await response.text(),
});

const endpoints: Endpoint[] = [
  {
    name: 'a customer’s reply in the portal',
    limitBytes: DEFAULT_MAX_ATTACHMENT_BYTES,
    async post(file) {
      const csrf = await csrfOf(alice, `/support/tickets/${ticketId}`);
      const { body, contentType } = multipartBody({ _csrf: csrf, body: 'The file is attached.' }, [
        { field: 'attachments', ...file },
      ]);
      return alice.postBody(`/support/tickets/${ticketId}/reply`, body, contentType);
    },
    says: {
      size: /A file is too large\. Each file may be at most 20 MB\./,
      type: /This type of file cannot be attached\./,
      name: /The files could not be attached\./,
    },
    keeps: 'attachment',
  },
  {
    name: 'an agent’s reply through the API',
    limitBytes: DEFAULT_MAX_ATTACHMENT_BYTES,
    async post(file) {
      const { body, contentType } = multipartBody({ bodyHtml: '<p>The file is attached.</p>' }, [
        { field: 'attachments', ...file },
      ]);
      return answerOf(
        await fetch(`${system.url}/api/v1/threads/${threadId}/replies`, {
          method: 'POST',
          headers: { cookie: agent.sessionCookie!, 'content-type': contentType },
          body,
        }),
      );
    },
    says: {
      size: /"code":"ATTACHMENT_TOO_LARGE","message":"[^"]+ is larger than the limit of 20 MB"/,
      type: /"code":"ATTACHMENT_TYPE_NOT_ALLOWED","message":"[^"]* is refused: [^"]+"/,
      name: /"code":"VALIDATION_FAILED","message":"The multipart body is malformed: Malformed part header"/,
    },
    keeps: 'attachment',
  },
  {
    name: 'an agent’s reply in the admin area’s inbox',
    limitBytes: DEFAULT_MAX_ATTACHMENT_BYTES,
    async post(file) {
      const csrf = await csrfOf(admin, `/admin/inbox/threads/${threadId}`);
      const { body, contentType } = multipartBody({ _csrf: csrf, body: 'The file is attached.' }, [
        { field: 'attachments', ...file },
      ]);
      return admin.postBody(`/admin/inbox/threads/${threadId}/reply`, body, contentType);
    },
    says: {
      size: /The files were not attached: [^<]+ is larger than the limit of 20 MB\./,
      type: /The files were not attached: [^<]* is refused: /,
      name: /The files were not attached: The multipart body is malformed/,
    },
    keeps: 'attachment',
  },
  {
    name: 'the portal’s logo in the admin area',
    limitBytes: LOGO_MAX_BYTES,
    async post(file) {
      const csrf = await csrfOf(admin, '/admin/portal');
      const { theme } = await rpc.send('identity.portal.get', { accountId });
      const { body, contentType } = multipartBody(
        {
          _csrf: csrf,
          primaryColor: theme.primaryColor,
          backgroundColor: theme.backgroundColor,
          surfaceColor: theme.surfaceColor,
          textColor: theme.textColor,
          fontFamily: theme.fontFamily,
          cornerRadius: String(theme.cornerRadius),
        },
        [{ field: 'logo', ...file }],
      );
      return admin.postBody('/admin/portal/sections/theme', body, contentType);
    },
    says: {
      size: /The logo was not accepted: [^<]+ is larger than the limit of 512 KB\./,
      type: /The logo must be a PNG, JPEG, WebP or GIF image/,
      name: /The logo was not accepted: The multipart body is malformed/,
    },
    keeps: 'logo',
  },
  {
    name: 'the public form endpoint',
    limitBytes: 0,
    async post(file) {
      const { body, contentType } = multipartBody({ email: 'visitor@example.test', subject: 'With a file' }, [
        { field: 'screenshot', ...file },
      ]);
      return answerOf(
        await fetch(`${system.url}/forms/v1/submit/${formId}`, {
          method: 'POST',
          headers: { 'content-type': contentType },
          body,
        }),
      );
    },
    says: {
      // Its body limit is checked first, from the request's length alone.
      size: /"code":"PAYLOAD_TOO_LARGE","message":"A submission may be at most \d+ bytes"/,
      type: /"code":"VALIDATION_FAILED","message":"File uploads are not accepted yet/,
      name: /"code":"VALIDATION_FAILED","message":"File uploads are not accepted yet/,
    },
    keeps: 'nothing',
  },
  {
    name: 'the portal’s support form',
    limitBytes: 0,
    async post(file) {
      const csrf = await csrfOf(alice, '/support/submit');
      const { body, contentType } = multipartBody(
        { _csrf: csrf, subject: 'With a file', content: 'See file' },
        [{ field: 'screenshot', ...file }],
      );
      return alice.postBody('/support/submit', body, contentType);
    },
    // Its page has no file input and sends no multipart body: such a post is not read at all, so
    // its CSRF token is unseen and it is refused as a forged post.
    says: { size: formExpired, type: formExpired, name: formExpired },
    keeps: 'nothing',
  },
];

/** The case's file at this endpoint's limit. */
const fileOf = (upload: UploadCase, endpoint: Endpoint) => ({
  fileName: upload.fileName,
  // An endpoint that takes no files refuses them whatever their size: the attachment limit stands in.
  content: upload.content(endpoint.limitBytes || DEFAULT_MAX_ATTACHMENT_BYTES),
});

describe.each(endpoints)('uploads to $name', (endpoint) => {
  it.each([...REFUSED_UPLOADS])(
    'refuses $name with 4xx and a message, and stores nothing',
    async (upload) => {
      const before = await storedState();
      const answer = await endpoint.post(fileOf(upload, endpoint));
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(answer.body).toMatch(endpoint.says[upload.because]);
      expect(await storedState()).toEqual(before);
    },
  );

  if (endpoint.keeps === 'nothing')
    it.each([...RENAMED_UPLOADS])(
      'refuses even a harmless PNG under $name, and stores nothing',
      async (upload) => {
        const before = await storedState();
        const answer = await endpoint.post(fileOf(upload, endpoint));
        expect(answer.status).toBeGreaterThanOrEqual(400);
        expect(answer.status).toBeLessThan(500);
        expect(answer.body).toMatch(endpoint.says.type);
        expect(await storedState()).toEqual(before);
      },
    );
  else {
    it('accepts a PNG of exactly the size limit, stored under a generated key', async () => {
      const before = await storedState();
      const answer = await endpoint.post({ fileName: 'limit.png', content: pngOfSize(endpoint.limitBytes) });
      expect(answer.status).toBeLessThan(400);
      const after = await storedState();
      expect(newest(after, before)).toEqual([
        expect.stringMatching(
          endpoint.keeps === 'logo'
            ? new RegExp(`^portal-logos/${accountId}/${uuid}\\.png$`)
            : new RegExp(`^attachments/${accountId}/${uuid}$`),
        ),
      ]);
    });

    it.each([...RENAMED_UPLOADS])(
      'stores a PNG under $name under a key of its own, the name cleaned',
      async (upload) => {
        const before = await storedState();
        const answer = await endpoint.post(fileOf(upload, endpoint));
        expect(answer.status).toBeLessThan(400);
        const after = await storedState();
        const [added] = newest(after, before);
        expect(newest(after, before)).toHaveLength(1);
        if (endpoint.keeps === 'logo') {
          expect(added).toMatch(new RegExp(`^portal-logos/${accountId}/${uuid}\\.png$`));
          expect(after.logoUrl).toBe(`/admin/portal/logos/${added.slice('portal-logos/'.length)}`);
        } else {
          expect(await newestAttachment()).toEqual({
            file_name: upload.kept,
            storage_key: added,
            content_type: 'image/png',
          });
          expect(added).toMatch(new RegExp(`^attachments/${accountId}/${uuid}$`));
        }
        // Nothing where the name, taken as a path, would have led.
        for (const base of [system.filesDir, join(system.filesDir, 'attachments', accountId)])
          expect(existsSync(resolve(base, upload.fileName.replaceAll('\\', '/')))).toBe(false);
      },
    );
  }
});

describe('traversal names', () => {
  it('never created a file outside the storage, nor one named after the path inside it', () => {
    for (const name of TRAVERSAL_TARGETS) {
      expect(existsSync(join('/tmp', name))).toBe(false);
      expect(existsSync(join('/etc', name))).toBe(false);
      expect(storedFiles().filter((file) => file.endsWith(name))).toEqual([]);
    }
  });
});
