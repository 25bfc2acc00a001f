import { AppError } from '@helpdesk/kit';

/** A posted form's text field; anything else (missing, repeated, a file) reads as empty. */
export const formField = (body: unknown, name: string): string => {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
};

/** The values a repeated field carries, in order (one value arrives as a string). */
export function fieldList(body: unknown, name: string): string[] {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' ? [value] : [];
}

export const errorCode = (error: unknown) => (error instanceof AppError ? error.code : undefined);

/**
 * Where to go after a login: `next` when it is a path of this site under `base` (never another
 * host, `//evil`, or a path with backslashes or spaces), else `fallback`.
 */
export function safeNextPath(next: unknown, base: string, fallback: string): string {
  return typeof next === 'string' &&
    next.startsWith(base) &&
    !next.startsWith('//') &&
    !/[\\\s]/.test(next) &&
    next.length <= 2_000
    ? next
    : fallback;
}
