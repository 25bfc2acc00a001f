import {
  ALLOWED_ATTACHMENT_TYPES,
  type AttachmentInput,
  type ErrorCode,
  type FieldErrors,
} from '@helpdesk/contracts';

const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const uploadKey = new RegExp(`^attachments/(${uuid})/${uuid}$`);
const allowedTypes = new Set<string>(ALLOWED_ATTACHMENT_TYPES);

export interface AttachmentLimits {
  maxCount: number;
  maxBytes: number;
}

/** Why an attachment list is refused: the first rule broken, with every offending attachment named. */
export interface AttachmentRefusal {
  code: Extract<
    ErrorCode,
    'TOO_MANY_ATTACHMENTS' | 'ATTACHMENT_INVALID' | 'ATTACHMENT_TYPE_NOT_ALLOWED' | 'ATTACHMENT_TOO_LARGE'
  >;
  message: string;
  fields: FieldErrors;
}

/** Whether a key is an upload of this account as the gateway names them: `attachments/<accountId>/<uuid>`. */
export function isAccountUploadKey(accountId: string, key: string): boolean {
  return uploadKey.exec(key)?.[1] === accountId.toLowerCase();
}

/** A file name as shown and sent: no control characters, no path, at most 255 characters. */
export function cleanFileName(name: string): string {
  return (
    name
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f]/g, '')
      .replace(/^.*[\\/]/, '')
      .trim()
      .slice(0, 255)
  );
}

/**
 * The rules inbox can check without I/O, in order: how many, then each one's key (this account's
 * upload, not twice in the list) and name, its type, its size. Returns null when all pass; the
 * caller then checks that each file exists and is on no other message.
 */
export function attachmentRefusal(
  accountId: string,
  attachments: AttachmentInput[],
  { maxCount, maxBytes }: AttachmentLimits,
): AttachmentRefusal | null {
  if (attachments.length > maxCount)
    return {
      code: 'TOO_MANY_ATTACHMENTS',
      message: `A message may have at most ${maxCount} attachments`,
      fields: { attachments: [`at most ${maxCount} files`] },
    };
  const rules: [
    AttachmentRefusal['code'],
    string,
    (a: AttachmentInput, i: number) => [string, string] | null,
  ][] = [
    [
      'ATTACHMENT_INVALID',
      'An attachment is not an upload of this account',
      (a, i) => {
        if (!isAccountUploadKey(accountId, a.storageKey))
          return ['storageKey', 'is not an upload of this account'];
        if (attachments.findIndex((other) => other.storageKey === a.storageKey) !== i)
          return ['storageKey', 'is attached twice'];
        if (!cleanFileName(a.fileName)) return ['fileName', 'is required'];
        return null;
      },
    ],
    [
      'ATTACHMENT_TYPE_NOT_ALLOWED',
      'An attachment is of a type that is not allowed',
      (a) =>
        allowedTypes.has(a.contentType) ? null : ['contentType', `${a.contentType || 'none'} is not allowed`],
    ],
    [
      'ATTACHMENT_TOO_LARGE',
      `An attachment is larger than ${maxBytes} bytes`,
      (a) => (a.size > maxBytes ? ['size', `must be at most ${maxBytes} bytes`] : null),
    ],
  ];
  for (const [code, message, check] of rules) {
    const fields: FieldErrors = {};
    attachments.forEach((attachment, index) => {
      const problem = check(attachment, index);
      if (problem) fields[`attachments.${index}.${problem[0]}`] = [problem[1]];
    });
    if (Object.keys(fields).length) return { code, message, fields };
  }
  return null;
}
