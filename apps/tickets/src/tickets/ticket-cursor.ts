import { AppError } from '@helpdesk/kit';

/** Position after the last row of a page in the (createdAt desc, id desc) order. */
export interface TicketCursor {
  /** ISO 8601 in UTC with milliseconds, the precision the column stores. */
  createdAt: string;
  id: string;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeTicketCursor(cursor: TicketCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

export function decodeTicketCursor(value: string): TicketCursor {
  const invalid = () => new AppError('INVALID_CURSOR', 'The "after" cursor is not one this API gave out');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [createdAt, id] = parsed as unknown[];
  if (typeof createdAt !== 'string' || typeof id !== 'string' || !uuid.test(id)) throw invalid();
  const date = new Date(createdAt);
  // Only the exact form we give out: anything else could compare differently in SQL.
  if (Number.isNaN(date.getTime()) || date.toISOString() !== createdAt) throw invalid();
  return { createdAt, id };
}
