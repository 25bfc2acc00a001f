import { decodeCursor, encodeCursor, isIsoInstant, isUuid } from '@helpdesk/kit';

/** Position after the last row of a page in the (createdAt desc, id desc) order. */
export interface TicketCursor {
  /** ISO 8601 in UTC with milliseconds, the precision the column stores. */
  createdAt: string;
  id: string;
}

export const encodeTicketCursor = (cursor: TicketCursor): string =>
  encodeCursor([cursor.createdAt, cursor.id]);

export function decodeTicketCursor(value: string): TicketCursor {
  const [createdAt, id] = decodeCursor(value, 2, ([at, ticketId]) => isIsoInstant(at) && isUuid(ticketId));
  return { createdAt, id };
}
