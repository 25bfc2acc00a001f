import type { Filter, FilterCondition, PropertyDefinition } from '@helpdesk/contracts';
import {
  operatorsFor,
  readBoolean,
  readInstant,
  readNumber,
  readOperands,
  readOptionValue,
  readText,
  utcDay,
} from '@helpdesk/contracts';

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
 * Per type (values are read with the readers of `@helpdesk/contracts`' `filter-values.ts`)
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
  // The condition's value(s) read as the property's type; undefined when missing, of the wrong shape or unreadable.
  const list = operator === 'any_of' || operator === 'none_of';
  const expected = readOperands(condition.value, list, (entry) => comparison.read(entry));
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

const text: Comparison<string> = {
  read: (value) => readText(value)?.toLowerCase(),
  equals: (a, b) => a === b,
  contains: (a, b) => a.includes(b),
  startsWith: (a, b) => a.startsWith(b),
};

const number: Comparison<number> = {
  read: readNumber,
  equals: (a, b) => a === b,
  order: (a, b) => a - b,
};

const date: Comparison<number> = {
  read: readInstant,
  equals: (a, b) => utcDay(a).start === utcDay(b).start,
  order: (a, b) => a - b,
};

const enumeration: Comparison<string> = {
  read: readOptionValue,
  equals: (a, b) => a === b,
};

const boolean: Comparison<boolean> = {
  read: readBoolean,
  equals: (a, b) => a === b,
};
