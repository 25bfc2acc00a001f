import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { AppError, createLogger, LocalFileStorage } from '@helpdesk/kit';
import express from 'express';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sendError } from '../http/error-response.js';
import {
  AttachmentUploads,
  typedBeforeRefusal,
  UploadRefusedError,
  type ReceivedUpload,
} from './attachment-uploads.js';

const MB = 1024 * 1024;
const MAX_BYTES = 20 * MB;
const accountId = randomUUID();
const logger = createLogger({ service: 'gateway-test', level: 'silent' });

let root: string;
let storage: LocalFileStorage;
let uploads: AttachmentUploads;
let server: Server;
let url: string;
/** What the server made of each request: resolves once its files are stored or removed. */
let outcomes: Promise<unknown>[] = [];
/** The last refusal the server got from `receive`. */
let refusal: unknown;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gateway-uploads-'));
  storage = new LocalFileStorage(root);
  uploads = new AttachmentUploads(
    storage,
    { maxFileBytes: MAX_BYTES, maxFiles: 5, maxFieldBytes: 64 * 1024, maxFields: 5 },
    logger,
  );
  const app = express();
  app.post('/upload', (req, res) => {
    outcomes.push(
      uploads.receive(req, accountId).then(
        (upload) => res.status(201).json(upload),
        (error: unknown) => {
          refusal = error;
          sendError(error, res, logger);
        },
      ),
    );
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await rm(root, { recursive: true, force: true });
});

beforeEach(async () => {
  await Promise.allSettled(outcomes);
  outcomes = [];
  await rm(join(root, 'attachments'), { recursive: true, force: true });
});

/** Every file under the storage root, hidden temp files included. */
async function storedFiles(): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

const pdf = (size: number) => {
  const bytes = Buffer.alloc(size, 0x20);
  bytes.write('%PDF-1.4\n');
  return bytes;
};
const png = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7a6a0000000000049454e44ae426082',
  'hex',
);

async function post(files: [string, Buffer, string?][], fields: Record<string, string> = {}) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  // The declared type is a lie on purpose: only the bytes decide.
  for (const [name, bytes, field] of files)
    form.append(field ?? 'attachments', new Blob([bytes], { type: 'text/html' }), name);
  const response = await fetch(url, { method: 'POST', body: form });
  await Promise.allSettled(outcomes);
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

const boundary = 'test-boundary-8c1f2a';
const partHeader = (name: string) =>
  `--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="${name}"\r\n` +
  'Content-Type: application/pdf\r\n\r\n';

/** A raw multipart request whose body is written by `write` (to stream, stall or abort at will). */
function rawPost(write: (req: ReturnType<typeof request>) => Promise<void>) {
  const req = request(url, {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.once('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once('error', reject);
  });
  return { req, response, written: write(req) };
}

const writeAsync = (req: ReturnType<typeof request>, chunk: Buffer | string) =>
  new Promise<void>((resolve, reject) => req.write(chunk, (error) => (error ? reject(error) : resolve())));

describe('streamed attachment uploads', () => {
  it('stores every file under a generated key with its sniffed type and sanitised name, and collects the fields', async () => {
    const first = pdf(3_000);
    const { status, body } = await post(
      [
        ['../../etc/Läskut €.pdf', first],
        ['screen shot.png', png],
      ],
      { bodyHtml: '<p>Hello</p>' },
    );
    expect(status).toBe(201);
    const upload = body as ReceivedUpload;
    expect(upload.fields).toEqual({ bodyHtml: '<p>Hello</p>' });
    expect(upload.attachments).toEqual([
      {
        storageKey: expect.stringMatching(new RegExp(`^attachments/${accountId}/[0-9a-f-]{36}$`)),
        fileName: 'Läskut €.pdf',
        contentType: 'application/pdf',
        size: 3_000,
      },
      {
        storageKey: expect.stringMatching(new RegExp(`^attachments/${accountId}/[0-9a-f-]{36}$`)),
        fileName: 'screen shot.png',
        contentType: 'image/png',
        size: png.length,
      },
    ]);
    expect(await readFile(storage.pathOf(upload.attachments[0].storageKey))).toEqual(first);
    expect(await readFile(storage.pathOf(upload.attachments[1].storageKey))).toEqual(png);
    expect(await storedFiles()).toHaveLength(2);
  });

  it('refuses a 21 MB file with 413 while it streams and leaves no file behind, not even the earlier ones', async () => {
    const { status, body } = await post([
      ['small.pdf', pdf(1_000)],
      ['big.pdf', pdf(21 * MB)],
    ]);
    expect(status).toBe(413);
    expect(body.error).toMatchObject({
      code: 'ATTACHMENT_TOO_LARGE',
      message: 'big.pdf is larger than the limit of 20 MB',
    });
    expect(await storedFiles()).toEqual([]);
  });

  it('keeps the fields that came before a refused file with the refusal, for the form to show again', async () => {
    const form = new FormData();
    form.append('_csrf', 'token');
    form.append('body', 'What I typed');
    form.append('attachments', new Blob([pdf(21 * MB)]), 'big.pdf');
    form.append('after', 'never read');
    const response = await fetch(url, { method: 'POST', body: form });
    await Promise.allSettled(outcomes);
    expect(response.status).toBe(413);
    expect(refusal).toBeInstanceOf(UploadRefusedError);
    expect(refusal).toMatchObject({
      code: 'ATTACHMENT_TOO_LARGE',
      typedFields: { _csrf: 'token', body: 'What I typed' },
    });
    expect(await storedFiles()).toEqual([]);
  });

  it('gives a page the typed fields back only with the session’s CSRF token among them', () => {
    const refused = (typedFields: Record<string, string>) =>
      new UploadRefusedError(new AppError('ATTACHMENT_TOO_LARGE', 'too large'), typedFields);
    const session = { csrfToken: 'the-sessions-token' };
    expect(typedBeforeRefusal(refused({ _csrf: 'the-sessions-token', body: 'Hi' }), session)).toEqual({
      _csrf: 'the-sessions-token',
      body: 'Hi',
    });
    expect(typedBeforeRefusal(refused({ _csrf: 'another-token!!!!!', body: 'Hi' }), session)).toBeNull();
    expect(typedBeforeRefusal(refused({ body: 'Hi' }), session)).toBeNull();
    expect(typedBeforeRefusal(new AppError('ATTACHMENT_TOO_LARGE', 'too large'), session)).toBeNull();
  });

  it('refuses six files and removes the five it had stored', async () => {
    const { status, body } = await post(
      Array.from({ length: 6 }, (_, i) => [`file-${i}.pdf`, pdf(10_000)] as [string, Buffer]),
    );
    expect(status).toBe(400);
    expect(body.error).toMatchObject({
      code: 'TOO_MANY_ATTACHMENTS',
      message: 'A message may have at most 5 attachments',
    });
    expect(await storedFiles()).toEqual([]);
  });

  it('refuses a disguised file, whatever the other files are, and keeps none of them', async () => {
    const { status, body } = await post([
      ['fine.pdf', pdf(1_000)],
      ['invoice.pdf', Buffer.from('<html><script>alert(1)</script></html>')],
    ]);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({
      code: 'ATTACHMENT_TYPE_NOT_ALLOWED',
      fields: { 'attachments.1': ['the name says .pdf but the content is text'] },
    });
    expect(await storedFiles()).toEqual([]);
  });

  it('checks text to its last byte: a NUL past the sniffed start is refused', async () => {
    const text = Buffer.concat([Buffer.alloc(200_000, 'a'), Buffer.from([0]), Buffer.from('tail')]);
    const { status, body } = await post([['notes.txt', text]]);
    expect(status).toBe(400);
    expect(body.error.code).toBe('ATTACHMENT_TYPE_NOT_ALLOWED');
    expect(await storedFiles()).toEqual([]);
  });

  it('refuses a file part under another field name, and a malformed body', async () => {
    const wrongField = await post([['a.pdf', pdf(100), 'file']]);
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.error.fields).toEqual({ file: ['is not a file field'] });

    const { response, written } = rawPost(async (req) => {
      await writeAsync(req, partHeader('cut.pdf'));
      await writeAsync(req, pdf(100_000));
      req.end(); // no closing boundary
    });
    await written;
    const truncated = await response;
    expect(truncated.status).toBe(400);
    expect(JSON.parse(truncated.body).error.code).toBe('VALIDATION_FAILED');
    await Promise.allSettled(outcomes);
    expect(await storedFiles()).toEqual([]);
  });

  it('leaves nothing behind when the client goes away mid-upload', async () => {
    const { req, response, written } = rawPost(async (req) => {
      await writeAsync(req, partHeader('first.pdf'));
      await writeAsync(req, pdf(500_000));
      await writeAsync(req, `\r\n${partHeader('second.pdf')}`);
      for (let i = 0; i < 8; i++) await writeAsync(req, pdf(MB));
    });
    response.catch(() => undefined);
    written.catch(() => undefined);
    // Wait until the server is writing the second file, then hang up.
    const deadline = Date.now() + 5_000;
    while ((await storedFiles().catch(() => [])).length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect((await storedFiles()).length).toBe(2); // the first one complete, the second one's temp file
    req.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(outcomes).toHaveLength(1);
    await Promise.allSettled(outcomes);
    expect(await storedFiles()).toEqual([]);
  });

  it('streams a 20 MB file without holding it in memory', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    // Freed array buffers leave the count a moment after a collection, so collect, wait, collect.
    const settled = async () => {
      gc();
      await new Promise((r) => setTimeout(r, 20));
      gc();
      const { heapUsed, arrayBuffers } = process.memoryUsage();
      return heapUsed + arrayBuffers;
    };
    const before = await settled();
    const held: number[] = [];
    const { response, written } = rawPost(async (req) => {
      await writeAsync(req, partHeader('big.pdf'));
      await writeAsync(req, '%PDF-1.4\n');
      let left = MAX_BYTES - '%PDF-1.4\n'.length;
      while (left > 0) {
        const piece = chunk.subarray(0, Math.min(chunk.length, left));
        await writeAsync(req, piece);
        left -= piece.length;
        // Every 4 MB sent, what is still held: a server that kept the file would hold about as much.
        if (left % (4 * MB) < piece.length) held.push((await settled()) - before);
      }
      await writeAsync(req, `\r\n--${boundary}--\r\n`);
      req.end();
    });
    await written;
    const { status, body } = await response;
    expect(status).toBe(201);
    expect(JSON.parse(body).attachments[0]).toMatchObject({
      size: MAX_BYTES,
      contentType: 'application/pdf',
    });
    expect(held.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...held)).toBeLessThan(4 * MB);
  });
});

describe('files whose service then failed', () => {
  const storeOne = async () => {
    const storageKey = `attachments/${accountId}/${randomUUID()}`;
    await storage.write(storageKey, Readable.from([pdf(100)]));
    return [{ storageKey, fileName: 'a.pdf', contentType: 'application/pdf' as const, size: 100 }];
  };

  it('are removed when the service refused (it stored nothing)', async () => {
    await uploads.discardUnlessStored(await storeOne(), new AppError('TICKET_CLOSED', 'closed'));
    expect(await storedFiles()).toEqual([]);
  });

  it('stay after a timeout, an internal error or anything unknown (it may have stored them)', async () => {
    for (const error of [
      new AppError('SERVICE_UNAVAILABLE', 'no answer'),
      new AppError('INTERNAL', 'failed'),
      new Error('socket hang up'),
    ])
      await uploads.discardUnlessStored(await storeOne(), error);
    expect(await storedFiles()).toHaveLength(3);
  });
});
