import { AppError } from './app-error.js';

/**
 * Opaque keyset cursors: the sort key of a page's last row, as base64url JSON. Callers check the
 * decoded parts' shape; anything we did not hand out is INVALID_CURSOR, never a query error.
 */
export function encodeCursor(parts: readonly string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(
  value: string,
  arity: number,
  isValid: (parts: string[]) => boolean = () => true,
): string[] {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    parts = undefined;
  }
  if (
    !Array.isArray(parts) ||
    parts.length !== arity ||
    !parts.every((part) => typeof part === 'string') ||
    !isValid(parts)
  ) {
    throw new AppError('INVALID_CURSOR', 'The "after" cursor is not one this API gave out');
  }
  return parts;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const isUuid = (value: string) => uuid.test(value);
/** Only the exact ISO form `toISOString()` gives: anything else could compare differently in SQL. */
export const isIsoInstant = (value: string) => {
  const date = new Date(value);
  return !Number.isNaN(date.getTime()) && date.toISOString() === value;
};
