import type { z } from 'zod';

/**
 * Where a request schema takes ids (UUID strings, as the contracts' `Id` is), as dotted paths: `*`
 * stands for any array element or record value, `<key>` for a record's keys. Read from zod's own
 * definitions, so an id field added to a contract shows up here without anyone listing it.
 */
export function idPaths(schema: z.ZodType): string[] {
  return [...new Set(walk(schema, []))].map((path) => path.join('.'));
}

function walk(schema: z.ZodType, path: string[]): string[][] {
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  const inner = (key: string, at = path) => walk(def[key] as z.ZodType, at);
  switch (def.type) {
    case 'string':
      return def.format === 'uuid' ? [path] : [];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      return inner('innerType');
    case 'pipe':
      return inner('in');
    case 'object':
      return Object.entries(def.shape as Record<string, z.ZodType>).flatMap(([key, field]) =>
        walk(field, [...path, key]),
      );
    case 'array':
      return inner('element', [...path, '*']);
    case 'record':
      return [...inner('keyType', [...path, '<key>']), ...inner('valueType', [...path, '*'])];
    case 'union':
      return (def.options as z.ZodType[]).flatMap((option) => walk(option, path));
    case 'intersection':
      return [...inner('left'), ...inner('right')];
    default:
      return [];
  }
}

/** The strings found at a path of idPaths() in a value (nothing where the value has no such field). */
export function valuesAt(value: unknown, path: string): string[] {
  const [head, ...rest] = path === '' ? [] : path.split('.');
  if (head === undefined) return typeof value === 'string' ? [value] : [];
  if (typeof value !== 'object' || value === null) return [];
  const tail = rest.join('.');
  if (head === '<key>') return Object.keys(value);
  if (head === '*') return Object.values(value).flatMap((item) => valuesAt(item, tail));
  return valuesAt((value as Record<string, unknown>)[head], tail);
}

/** Every string in a value, object keys included. */
export function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  const entries = Object.entries(value);
  return [
    ...(Array.isArray(value) ? [] : entries.map(([key]) => key)),
    ...entries.flatMap(([, v]) => stringsIn(v)),
  ];
}

/** A deep copy of a value with every occurrence of one string (as a value or an object key) replaced. */
export function replaced<T>(value: T, from: string, to: string): T {
  if (value === from) return to as T;
  if (Array.isArray(value)) return value.map((item: unknown) => replaced(item, from, to)) as T;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key === from ? to : key, replaced(item, from, to)]),
  ) as T;
}
