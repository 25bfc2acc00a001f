import { describe, expect, it } from '@jest/globals';
import type { AttachmentInput } from '@helpdesk/contracts';
import { attachmentRefusal, cleanFileName, isAccountUploadKey } from './attachment-rules.js';

const account = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const other = '0e9d8c7b-6a59-4483-9271-605f4e3d2c1b';
const file = (n: number) => `0000000${n}-aaaa-4bbb-8ccc-ddddeeeeffff`;
const ok = (n: number, more: Partial<AttachmentInput> = {}): AttachmentInput => ({
  storageKey: `attachments/${account}/${file(n)}`,
  fileName: `file-${n}.pdf`,
  contentType: 'application/pdf',
  size: 1_000,
  ...more,
});
const limits = { maxCount: 4, maxBytes: 10_000 };

describe('attachment storage keys', () => {
  it('accepts only this account’s uploads under attachments/<accountId>/<uuid>', () => {
    expect(isAccountUploadKey(account, `attachments/${account}/${file(1)}`)).toBe(true);
    for (const key of [
      `attachments/${other}/${file(1)}`,
      `attachments/${account}/${file(1)}.pdf`,
      `attachments/${account}/../${other}/${file(1)}`,
      `exports/${account}/${file(1)}`,
      `attachments/${account}/not-a-uuid`,
      `attachments/${account}/${file(1)}/x`,
      `/attachments/${account}/${file(1)}`,
      `attachments/${account.toUpperCase()}/${file(1)}`,
      `attachments/${account}/${file(1).toUpperCase()}`,
      '',
    ])
      expect([key, isAccountUploadKey(account, key)]).toEqual([key, false]);
  });
});

describe('attachment rules', () => {
  it('passes a list within every limit, and an empty one', () => {
    expect(attachmentRefusal(account, [ok(1), ok(2), ok(3), ok(4)], limits)).toBeNull();
    expect(attachmentRefusal(account, [], limits)).toBeNull();
    expect(attachmentRefusal(account, [ok(1, { size: 10_000 })], limits)).toBeNull();
  });

  it('refuses more files than the limit', () => {
    expect(attachmentRefusal(account, [ok(1), ok(2), ok(3), ok(4), ok(5)], limits)).toMatchObject({
      code: 'TOO_MANY_ATTACHMENTS',
      fields: { attachments: ['at most 4 files'] },
    });
  });

  it('refuses another account’s key, a malformed one and the same key twice, naming each', () => {
    expect(
      attachmentRefusal(
        account,
        [ok(1), ok(2, { storageKey: `attachments/${other}/${file(2)}` }), ok(1), ok(3, { storageKey: 'x' })],
        limits,
      ),
    ).toEqual({
      code: 'ATTACHMENT_INVALID',
      message: expect.any(String),
      fields: {
        'attachments.1.storageKey': ['is not an upload of this account'],
        'attachments.2.storageKey': ['is attached twice'],
        'attachments.3.storageKey': ['is not an upload of this account'],
      },
    });
  });

  it('refuses a file without a name', () => {
    expect(attachmentRefusal(account, [ok(1, { fileName: ' /\u0007 ' })], limits)?.fields).toEqual({
      'attachments.0.fileName': ['is required'],
    });
  });

  it('refuses a type outside the allow-list', () => {
    for (const contentType of [
      'text/html',
      'image/svg+xml',
      'application/x-msdownload',
      'application/javascript',
      '',
    ])
      expect(attachmentRefusal(account, [ok(1), ok(2, { contentType })], limits)).toMatchObject({
        code: 'ATTACHMENT_TYPE_NOT_ALLOWED',
        fields: { 'attachments.1.contentType': [expect.stringContaining('is not allowed')] },
      });
  });

  it('accepts every type of the shared allow-list', () => {
    for (const contentType of ['image/png', 'image/jpeg', 'text/csv', 'application/zip', 'message/rfc822'])
      expect(attachmentRefusal(account, [ok(1, { contentType })], limits)).toBeNull();
  });

  it('refuses a file over the size limit', () => {
    expect(attachmentRefusal(account, [ok(1, { size: 10_001 })], limits)).toMatchObject({
      code: 'ATTACHMENT_TOO_LARGE',
      fields: { 'attachments.0.size': ['must be at most 10000 bytes'] },
    });
  });
});

describe('attachment file names', () => {
  it('keeps the name without a path or control characters', () => {
    expect(cleanFileName('  C:\\Users\\me\\report.pdf ')).toBe('report.pdf');
    expect(cleanFileName('../../etc/passwd')).toBe('passwd');
    expect(cleanFileName('inv\u0000oice\r\n.pdf')).toBe('invoice.pdf');
    expect(cleanFileName('x'.repeat(300))).toHaveLength(255);
  });
});
