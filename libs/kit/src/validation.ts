import type { z } from 'zod';
import { AppError } from './app-error.js';

/** Parses with a contract schema; on failure throws VALIDATION_FAILED with one entry per bad field. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what = 'request',
  pathPrefix?: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields: Record<string, string[]> = {};
  for (const issue of result.error.issues) {
    const path = [pathPrefix, ...issue.path].filter((part) => part !== undefined).join('.') || '(root)';
    (fields[path] ??= []).push(issue.message);
  }
  throw new AppError('VALIDATION_FAILED', `Invalid ${what}: ${describeFields(fields)}`, fields);
}

function describeFields(fields: Record<string, string[]>): string {
  return Object.entries(fields)
    .map(([path, messages]) => `${path} ${messages.join(', ')}`)
    .join('; ');
}
