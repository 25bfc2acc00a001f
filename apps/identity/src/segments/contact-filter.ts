import type { Filter, FilterCondition, FilterValue, PropertyDefinition } from '@helpdesk/contracts';
import { operatorsFor } from '@helpdesk/contracts';

/**
 * Evaluates a segment filter (S4) against one contact's property values, in memory.
 *
 * Structure
 * - No groups: no filter, every contact matches.
 * - OR across groups, AND within a group.
 *
 * Known and unknown
 * - A value is *known* when it is not null/undefined and not an empty string. Each type then reads
 *   the value its own way, and a value it cannot read counts as unknown too: blank (whitespace-only)
 *   text, a non-numeric value of a number property, an unparseable date, an object or array anywhere.
 * - On an unknown value `unknown` is true, `known` false, `neq` and `none_of` true ("is not X" holds
 *   for a contact without a value), everything else false.
 *
 * Per type
 * - string: compared trimmed and case-insensitively (`toLowerCase`) by eq, neq, contains,
 *   starts_with, any_of, none_of. Numbers and booleans stored in a text property are read as text.
 * - number: compared numerically. A value may arrive as a number or as a decimal string
 *   (`" 42 "`, `"-1.5"`, `"1e3"`); anything else (`"abc"`, `"0x10"`, `NaN`, `Infinity`) is unknown.
 * - date: a value is a `Date`, a date `YYYY-MM-DD` (that day 00:00:00.000 UTC), or a date and time
 *   `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]` (`T` or a space; no zone means UTC). It stands for one
 *   instant, in milliseconds.
 *   - eq / neq compare the UTC calendar day of both instants: `eq 2026-11-27` matches every instant
 *     from 2026-11-27T00:00:00.000Z up to, not including, 2026-11-28T00:00:00.000Z.
 *   - gt / lt compare instants, strictly: `gt 2026-11-27` means after 2026-11-27T00:00:00.000Z, so a
 *     contact value of 2026-11-27T00:00:01Z matches (and also matches `eq 2026-11-27`), while a
 *     date-only 2026-11-27 does not; `lt 2026-11-27` means up to 2026-11-26T23:59:59.999Z.
 * - enumeration: the stored value must equal an option value exactly (case and spaces count).
 * - boolean: `true` / `false` and the strings `'true'` / `'false'`; anything else is unknown.
 *
 * Filters are checked with `filterProblems` before they are saved. Whatever slips through still fails
 * closed, because membership widens what a contact sees: a condition on an undefined property, with an
 * operator its type does not allow, or with a value that cannot be read as the property's type never
 * matches (not even `neq`), and an empty group matches nothing.
 */
export function matchesFilter(
  filter: Filter,
  values: Readonly<Record<string, unknown>>,
  definitions: readonly PropertyDefinition[],
): boolean {
  if (filter.groups.length === 0) return true;
  const byName = new Map(definitions.map((definition) => [definition.name, definition]));
  return filter.groups.some(
    (group) => group.length > 0 && group.every((condition) => matchesCondition(condition, values, byName)),
  );
}

function matchesCondition(
  condition: FilterCondition,
  values: Readonly<Record<string, unknown>>,
  byName: ReadonlyMap<string, PropertyDefinition>,
): boolean {
  const definition = byName.get(condition.property);
  if (!definition || !operatorsFor(definition.type).includes(condition.operator)) return false;
  // Own properties only: a property named `constructor` must not find Object's.
  const raw = Object.hasOwn(values, condition.property) ? values[condition.property] : undefined;
  switch (definition.type) {
    case 'string':
      return evaluate(text, condition, raw);
    case 'number':
      return evaluate(number, condition, raw);
    case 'date':
      return evaluate(date, condition, raw);
    case 'enumeration':
      return evaluate(enumeration, condition, raw);
    case 'boolean':
      return evaluate(boolean, condition, raw);
  }
}

/** How one property type reads and compares values; `read` returns undefined for an unknown value. */
interface Comparison<T> {
  read(value: unknown): T | undefined;
  equals(a: T, b: T): boolean;
  /** Negative, zero or positive, for gt / lt. */
  order?(a: T, b: T): number;
  contains?(a: T, b: T): boolean;
  startsWith?(a: T, b: T): boolean;
}

function evaluate<T>(comparison: Comparison<T>, condition: FilterCondition, raw: unknown): boolean {
  const { operator } = condition;
  if (operator === 'known' || operator === 'unknown') {
    return (comparison.read(raw) !== undefined) === (operator === 'known');
  }
  const expected = operands(comparison, condition.value, operator === 'any_of' || operator === 'none_of');
  if (expected === undefined) return false;
  const actual = comparison.read(raw);
  if (actual === undefined) return operator === 'neq' || operator === 'none_of';
  const [first] = expected;
  switch (operator) {
    case 'eq':
      return comparison.equals(actual, first);
    case 'neq':
      return !comparison.equals(actual, first);
    case 'any_of':
      return expected.some((value) => comparison.equals(actual, value));
    case 'none_of':
      return !expected.some((value) => comparison.equals(actual, value));
    case 'contains':
      return comparison.contains?.(actual, first) ?? false;
    case 'starts_with':
      return comparison.startsWith?.(actual, first) ?? false;
    case 'gt':
      return comparison.order ? comparison.order(actual, first) > 0 : false;
    case 'lt':
      return comparison.order ? comparison.order(actual, first) < 0 : false;
  }
}

/** The condition's value(s) read as the property's type; undefined when missing, of the wrong shape or unreadable. */
function operands<T>(
  comparison: Comparison<T>,
  value: FilterValue | undefined,
  list: boolean,
): [T, ...T[]] | undefined {
  if (value === undefined || Array.isArray(value) !== list) return undefined;
  const read: T[] = [];
  for (const entry of Array.isArray(value) ? value : [value]) {
    const operand = comparison.read(entry);
    if (operand === undefined) return undefined;
    read.push(operand);
  }
  return read.length ? (read as [T, ...T[]]) : undefined;
}

/** Text of a scalar (numbers and booleans as written), undefined for null, objects and arrays. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint'
    ? String(value)
    : undefined;
}

const text: Comparison<string> = {
  read(value) {
    const normalised = scalarText(value)?.trim().toLowerCase();
    return normalised ? normalised : undefined;
  },
  equals: (a, b) => a === b,
  contains: (a, b) => a.includes(b),
  startsWith: (a, b) => a.startsWith(b),
};

const decimal = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

const number: Comparison<number> = {
  read(value) {
    if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
    if (typeof value === 'bigint') return Number(value);
    if (typeof value !== 'string' || !decimal.test(value.trim())) return undefined;
    const parsed = Number(value.trim());
    return Number.isFinite(parsed) ? parsed : undefined;
  },
  equals: (a, b) => a === b,
  order: (a, b) => a - b,
};

const dayMs = 86_400_000;

const date: Comparison<number> = {
  read(value) {
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
    return typeof value === 'string' ? instantOf(value.trim()) : undefined;
  },
  equals: (a, b) => Math.floor(a / dayMs) === Math.floor(b / dayMs),
  order: (a, b) => a - b,
};

const enumeration: Comparison<string> = {
  read(value) {
    const raw = scalarText(value);
    return raw === '' ? undefined : raw;
  },
  equals: (a, b) => a === b,
};

const boolean: Comparison<boolean> = {
  read(value) {
    if (typeof value === 'boolean') return value;
    return value === 'true' ? true : value === 'false' ? false : undefined;
  },
  equals: (a, b) => a === b,
};

const isoInstant =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Milliseconds since the epoch of an ISO date or date-time, or undefined when it is not a real one. */
function instantOf(value: string): number | undefined {
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
