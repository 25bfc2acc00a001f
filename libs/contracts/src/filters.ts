import { z } from 'zod';
import { IsoDateTime } from './common.js';
import type { FieldErrors } from './errors.js';
import { readText } from './filter-values.js';

/**
 * One filter model for everything an admin filters on properties: contact segments (identity, S4)
 * and ticket visibility (tickets, S7). A filter is groups of conditions: AND inside a group, OR
 * between groups; no groups at all means "no filter" and everything matches.
 *
 * Two layers of validation:
 * - the `Filter` schema checks the shape and the size (what `parseOrThrow` runs on a request);
 * - `filterProblems` checks the meaning against the property definitions of the account (property
 *   exists, operator fits its type, value fits operator and type). Settings are saved only when it
 *   returns no problems. Evaluation lives with the data: identity for contacts, tickets for tickets;
 *   both read values with the readers of `filter-values.ts`, which define what a value means.
 */

export const FilterLimits = {
  /** Groups are ORed. */
  groups: 10,
  /** Conditions in one group are ANDed. */
  conditionsPerGroup: 20,
  /** Entries in the list of `any_of` / `none_of`. */
  values: 100,
  /** Characters in one text value. */
  textLength: 1000,
} as const;

/**
 * `eq` equals, `neq` not equals, `contains`, `starts_with`, `known` (is known), `unknown` (is
 * unknown), `any_of` (is any of), `none_of` (is none of), `gt` / `lt` (greater / less than).
 */
const operators = [
  'eq',
  'neq',
  'contains',
  'starts_with',
  'known',
  'unknown',
  'any_of',
  'none_of',
  'gt',
  'lt',
] as const;
export const FilterOperator = z.enum(operators, {
  error: (issue) => (issue.input === undefined ? 'is required' : `must be one of: ${operators.join(', ')}`),
});
export type FilterOperator = z.infer<typeof FilterOperator>;

const propertyTypes = ['string', 'number', 'date', 'enumeration', 'boolean'] as const;
export const PropertyType = z.enum(propertyTypes, {
  error: (issue) =>
    issue.input === undefined ? 'is required' : `must be one of: ${propertyTypes.join(', ')}`,
});
export type PropertyType = z.infer<typeof PropertyType>;

/** Internal names of properties: stable identifiers, safe as JSON keys and in SQL identifiers. */
export const PropertyName = z
  .string()
  .min(1, 'is required')
  .max(100)
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must start with a letter and use only letters, digits and _');

export const PropertyOption = z.object({
  value: z.string().min(1, 'is required').max(255),
  label: z.string().trim().min(1, 'is required').max(255),
});
export type PropertyOption = z.infer<typeof PropertyOption>;

/** A property that can be filtered on; `options` lists the allowed values of an enumeration. */
export const PropertyDefinition = z.object({
  name: PropertyName,
  label: z.string().trim().min(1, 'is required').max(255),
  type: PropertyType,
  options: z.array(PropertyOption).max(1000).optional(),
});
export type PropertyDefinition = z.infer<typeof PropertyDefinition>;

const FilterText = z
  .string()
  .max(FilterLimits.textLength, `must be at most ${FilterLimits.textLength} characters`);

/**
 * What a condition compares with. Which form applies depends on the operator and the property type
 * (`filterProblems` checks it): none for `known` / `unknown`, a list for `any_of` / `none_of` (text or
 * option values, or numbers), one value for the others (text, an option value or a date as a string;
 * a number; a boolean).
 */
export const FilterValue = z.union(
  [
    FilterText,
    z.number(),
    z.boolean(),
    z
      .array(z.union([FilterText, z.number()]))
      .min(1, 'must list at least one value')
      // A refinement rather than .max(): zod aborts on .max(), and the union would then hide the message.
      .refine((list) => list.length <= FilterLimits.values, `can list at most ${FilterLimits.values} values`),
  ],
  {
    error: (issue) =>
      Array.isArray(issue.input)
        ? 'must be a list of text or numbers'
        : 'must be text, a number, true or false, or a list of values',
  },
);
export type FilterValue = z.infer<typeof FilterValue>;

export const FilterCondition = z.object({
  /** A `PropertyDefinition.name`. */
  property: z.string().min(1, 'is required').max(100),
  operator: FilterOperator,
  value: FilterValue.optional(),
});
export type FilterCondition = z.infer<typeof FilterCondition>;

export const Filter = z.object(
  {
    /** OR between groups, AND inside a group. `[]` is no filter: everything matches. */
    groups: z
      .array(
        z
          .array(FilterCondition, { error: 'must be a list of conditions' })
          .min(1, 'needs at least one condition')
          .max(
            FilterLimits.conditionsPerGroup,
            `can have at most ${FilterLimits.conditionsPerGroup} conditions`,
          ),
        { error: (issue) => (issue.input === undefined ? 'is required' : 'must be a list of groups') },
      )
      .max(FilterLimits.groups, `can have at most ${FilterLimits.groups} groups`),
  },
  { error: (issue) => (issue.input === undefined ? 'is required' : 'must be a filter: { groups: [...] }') },
);
export type Filter = z.infer<typeof Filter>;

const operatorsByType: Record<PropertyType, readonly FilterOperator[]> = {
  string: ['eq', 'neq', 'contains', 'starts_with', 'known', 'unknown', 'any_of', 'none_of'],
  number: ['eq', 'neq', 'gt', 'lt', 'known', 'unknown', 'any_of', 'none_of'],
  date: ['eq', 'neq', 'gt', 'lt', 'known', 'unknown'],
  enumeration: ['eq', 'neq', 'any_of', 'none_of', 'known', 'unknown'],
  boolean: ['eq', 'neq', 'known', 'unknown'],
};

/** The operators a property of this type can be filtered with (what the admin's operator menu offers). */
export function operatorsFor(type: PropertyType): readonly FilterOperator[] {
  return operatorsByType[type];
}

/** How messages name a type: `operator "gt" does not apply to text properties`. */
const typeNouns: Record<PropertyType, string> = {
  string: 'text',
  number: 'number',
  date: 'date',
  enumeration: 'choice',
  boolean: 'yes/no',
};

const IsoDate = z.iso.date();
const listedOptions = 10;

/**
 * Everything wrong with a filter, keyed by dotted path (`groups`, `groups.0`, `groups.0.1.value`),
 * one or more human messages each: the shape and size (as the `Filter` schema reports them) and, for
 * every well-formed condition, its meaning against `definitions`: the property is defined, the
 * operator applies to its type, the value is there only when the operator takes one, as a list only
 * for `any_of` / `none_of`, and of the property's type. Empty when the filter is valid.
 *
 * Takes unparsed input too, so one call gives an admin every problem at once.
 */
export function filterProblems(filter: unknown, definitions: readonly PropertyDefinition[]): FieldErrors {
  const problems: FieldErrors = {};
  const add = (path: string, message: string) => (problems[path] ??= []).push(message);

  const parsed = Filter.safeParse(filter);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      add(issue.path.length ? issue.path.join('.') : '(root)', issue.message);
  }

  const byName = new Map(definitions.map((definition) => [definition.name, definition]));
  const groups = rawGroups(filter);
  groups.forEach((group, g) => {
    if (!Array.isArray(group)) return;
    group.forEach((raw: unknown, c) => {
      const condition = FilterCondition.safeParse(raw);
      if (condition.success) checkCondition(condition.data, byName, `groups.${g}.${c}`, add);
    });
  });
  return problems;
}

function rawGroups(filter: unknown): unknown[] {
  if (typeof filter !== 'object' || filter === null) return [];
  const groups = (filter as { groups?: unknown }).groups;
  return Array.isArray(groups) ? (groups as unknown[]) : [];
}

function checkCondition(
  condition: FilterCondition,
  byName: ReadonlyMap<string, PropertyDefinition>,
  path: string,
  add: (path: string, message: string) => void,
): void {
  const { property, operator, value } = condition;
  const definition = byName.get(property);
  if (!definition) {
    add(`${path}.property`, `property "${property}" is not defined`);
    return;
  }
  if (!operatorsFor(definition.type).includes(operator)) {
    add(
      `${path}.operator`,
      `operator "${operator}" does not apply to ${typeNouns[definition.type]} properties`,
    );
    return;
  }

  switch (operator) {
    case 'known':
    case 'unknown':
      if (value !== undefined) add(`${path}.value`, `operator "${operator}" takes no value`);
      return;
    case 'any_of':
    case 'none_of':
      if (!Array.isArray(value)) {
        add(`${path}.value`, `operator "${operator}" needs a list of values`);
        return;
      }
      value.forEach((entry, i) => {
        const problem = valueProblem(definition, entry);
        if (problem) add(`${path}.value.${i}`, problem);
      });
      return;
    case 'eq':
    case 'neq':
    case 'contains':
    case 'starts_with':
    case 'gt':
    case 'lt': {
      if (value === undefined) {
        add(`${path}.value`, 'is required');
        return;
      }
      if (Array.isArray(value)) {
        add(`${path}.value`, `operator "${operator}" takes a single value, not a list`);
        return;
      }
      const problem = valueProblem(definition, value);
      if (problem) add(`${path}.value`, problem);
      return;
    }
  }
}

/** Why one value cannot be compared with a property of this definition, or undefined when it can. */
function valueProblem(definition: PropertyDefinition, value: string | number | boolean): string | undefined {
  switch (definition.type) {
    case 'string':
      if (typeof value !== 'string') return 'must be text';
      // A blank value can only be matched by "unknown": text is compared trimmed and blank text is not known.
      return readText(value) === undefined
        ? 'must not be blank (use the operator "unknown" to find missing values)'
        : undefined;
    case 'number':
      return typeof value === 'number' ? undefined : 'must be a number';
    case 'date':
      return typeof value === 'string' &&
        (IsoDate.safeParse(value).success || IsoDateTime.safeParse(value).success)
        ? undefined
        : 'must be a date (2026-11-27) or a date and time with a time zone (2026-11-27T09:30:00Z)';
    case 'enumeration': {
      const options = definition.options ?? [];
      if (typeof value === 'string' && options.some((option) => option.value === value)) return undefined;
      const names = options.slice(0, listedOptions).map((option) => option.value);
      if (options.length > listedOptions) names.push('…');
      return options.length
        ? `must be one of the options of "${definition.name}": ${names.join(', ')}`
        : `property "${definition.name}" has no options to choose from`;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
  }
}
