import { describe, expect, it } from '@jest/globals';
import { decodeTicketCursor, encodeTicketCursor } from './ticket-cursor.js';

const cursor = { createdAt: '2026-11-27T06:50:29.736Z', id: '22ac0e8e-4954-4894-ac78-4112ae2d94af' };

describe('ticket cursor', () => {
  it('round-trips the position it encodes', () => {
    expect(decodeTicketCursor(encodeTicketCursor(cursor))).toEqual(cursor);
  });

  it.each([
    ['not base64 JSON', 'zzz'],
    ['an empty array', Buffer.from('[]').toString('base64url')],
    [
      'a non-uuid id',
      Buffer.from(JSON.stringify([cursor.createdAt, '1; drop table x'])).toString('base64url'),
    ],
    ['a date that is not ISO', Buffer.from(JSON.stringify(['yesterday', cursor.id])).toString('base64url')],
    [
      'a date without milliseconds',
      Buffer.from(JSON.stringify(['2026-11-27T06:50:29Z', cursor.id])).toString('base64url'),
    ],
    [
      'an object',
      Buffer.from(JSON.stringify({ createdAt: cursor.createdAt, id: cursor.id })).toString('base64url'),
    ],
  ])('rejects %s with INVALID_CURSOR', (_what, value) => {
    expect(() => decodeTicketCursor(value)).toThrow(expect.objectContaining({ code: 'INVALID_CURSOR' }));
  });
});
