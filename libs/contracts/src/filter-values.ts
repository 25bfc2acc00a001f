import type { FilterValue } from './filters.js';

/**
 * What a filter value means: how the filter model reads a condition's value, and a stored property
 * value, as a property's type. Every evaluator of `Filter` (identity's in-memory segment evaluator,
 * tickets' SQL compiler) reads operands with these functions, so a condition means the same
 * everywhere. Each reader returns undefined for a value it cannot read: the filter model's
 * "unknown".
 */

/**
 * A condition's value(s) read with `read`: one value, or a list when `list` (`any_of` / `none_of`).
 * Undefined when missing, of the wrong shape or when any entry is unreadable.
 */
export function readOperands<T>(
  value: FilterValue | undefined,
  list: boolean,
  read: (entry: string | number | boolean) => T | undefined,
): [T, ...T[]] | undefined {
  if (value === undefined || Array.isArray(value) !== list) return undefined;
  const operands: T[] = [];
  for (const entry of Array.isArray(value) ? value : [value]) {
    const operand = read(entry);
    if (operand === undefined) return undefined;
    operands.push(operand);
  }
  return operands.length ? (operands as [T, ...T[]]) : undefined;
}

/** Text of a scalar (numbers and booleans as written), undefined for null, objects and arrays. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint'
    ? String(value)
    : undefined;
}

/**
 * A text value (string properties): trimmed of what `String.prototype.trim()` removes, with case
 * as written (compare case-insensitively by folding both sides); blank is unknown. Numbers and
 * booleans read as their JavaScript text.
 */
export function readText(value: unknown): string | undefined {
  const text = scalarText(value)?.trim();
  return text ? text : undefined;
}

/** An option value (enumerations): the text exactly as written (case and spaces count); empty is unknown. */
export function readOptionValue(value: unknown): string | undefined {
  const text = scalarText(value);
  return text === '' ? undefined : text;
}

const decimal = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * A number: a finite number, a bigint, or a decimal string (`" 42 "`, `"-1.5"`, `"1e3"`); anything
 * else (`"abc"`, `"0x10"`, `NaN`, `Infinity`) is unknown.
 */
export function readNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'string' || !decimal.test(value.trim())) return undefined;
  const parsed = Number(value.trim());
  return Number.isFinite(parsed) ? parsed : undefined;
}

/**
 * A date as an instant in milliseconds since the epoch: a valid `Date`, or a string that
 * `parseIsoInstant` reads once trimmed.
 */
export function readInstant(value: unknown): number | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  return typeof value === 'string' ? parseIsoInstant(value.trim()) : undefined;
}

/** `true` / `false` and the strings `'true'` / `'false'`; anything else is unknown. */
export function readBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  return value === 'true' ? true : value === 'false' ? false : undefined;
}

const isoInstant =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Milliseconds since the epoch of an ISO date `YYYY-MM-DD` (that day 00:00:00.000 UTC) or date and
 * time `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]` (`T` or a space, no zone means UTC, fractions
 * truncated to milliseconds), or undefined when it is not a real one.
 */
export function parseIsoInstant(value: string): number | undefined {
  const match = isoInstant.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone = 'Z'] = match;
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (h > 23 || mi > 59 || s > 59) return undefined;
  const at = new Date(0);
  at.setUTCFullYear(y, mo - 1, d); // not Date.UTC, which reads years 0–99 as 1900–1999
  if (at.getUTCFullYear() !== y || at.getUTCMonth() !== mo - 1 || at.getUTCDate() !== d) return undefined;
  const offset = offsetMinutes(zone);
  if (offset === undefined) return undefined;
  const ms = Number(fraction.slice(0, 3).padEnd(3, '0'));
  return at.getTime() + ((h * 60 + mi) * 60 + s) * 1000 + ms - offset * 60_000;
}

/** `Z` → 0, `+02:00` / `+0200` → 120, `-05:30` → -330; undefined past ±23:59. */
function offsetMinutes(zone: string): number | undefined {
  if (zone.toUpperCase() === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 23 || minutes > 59) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

const dayMs = 86_400_000;

/**
 * The UTC calendar day of an instant, as milliseconds bounds [start, end): `eq` / `neq` on dates
 * compare these days.
 */
export function utcDay(ms: number): { start: number; end: number } {
  const start = Math.floor(ms / dayMs) * dayMs;
  return { start, end: start + dayMs };
}
