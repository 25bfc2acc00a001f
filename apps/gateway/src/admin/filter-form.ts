import {
  FilterOperator,
  operatorsFor,
  type Filter,
  type FilterCondition,
  type FilterValue,
  type PropertyType,
} from '@helpdesk/contracts';
import { formField } from '../http/form-fields.js';
import type { FormBody } from './portal-settings-form.js';

/**
 * The admin's filter builder (`views/admin/filter-builder.liquid`, SPEC S4 segments and S7 ticket
 * visibility): a `Filter` turned into rows of form controls, and the posted form turned back into a
 * `Filter`. Field names are flat (`<prefix>.<group>.<condition>.property|operator|value`). Rows are
 * read in index order whatever their numbers; a row without a property is dropped, and so is a
 * group left without rows. Values are typed by the property's type (numbers, booleans, lists), so
 * that identity's `filterProblems` speaks about what they mean; what cannot be typed is passed on
 * as typed, and the refusal names it at its row.
 */

/** A property the builder offers (contact or ticket property). */
export interface FilterProperty {
  name: string;
  label: string;
  type: PropertyType;
  options?: { value: string; label: string }[] | null;
}

/** How a condition's value is entered. */
export type ValueInput = 'none' | 'text' | 'number' | 'date' | 'boolean' | 'list' | 'choice' | 'choices';

const OPERATOR_TEXT: Record<FilterOperator, string> = {
  eq: 'equals',
  neq: 'does not equal',
  contains: 'contains',
  starts_with: 'starts with',
  known: 'is known',
  unknown: 'is unknown',
  any_of: 'is any of',
  none_of: 'is none of',
  gt: 'is greater than',
  lt: 'is less than',
};
/** Dates read better as before / after. */
const DATE_OPERATOR_TEXT: Partial<Record<FilterOperator, string>> = { gt: 'is after', lt: 'is before' };

export const operatorText = (operator: FilterOperator, type?: PropertyType): string =>
  (type === 'date' ? DATE_OPERATOR_TEXT[operator] : undefined) ?? OPERATOR_TEXT[operator];

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const isList = (operator: string) => operator === 'any_of' || operator === 'none_of';
const takesNoValue = (operator: string) => operator === 'known' || operator === 'unknown';

/** The control a value is entered with, for a property type (none: a row without a property yet). */
export function valueInput(type: PropertyType | undefined, operator: string): ValueInput {
  if (takesNoValue(operator)) return 'none';
  if (isList(operator)) return type === 'enumeration' ? 'choices' : 'list';
  switch (type) {
    case 'number':
      return 'number';
    case 'date':
      return 'date';
    case 'boolean':
      return 'boolean';
    case 'enumeration':
      return 'choice';
    case 'string':
    case undefined:
      return 'text';
  }
}

/** A button's `action` that drops a condition (`filter-remove:segment.0.1`) or a group (`segment.0`). */
export const removeAction = (prefix: string, group: number, condition?: number) =>
  `filter-remove:${prefix}.${group}${condition === undefined ? '' : `.${condition}`}`;

/**
 * The filter posted with field names under `prefix`, values typed by `properties`. `action` is the
 * pressed button's value: a remove button's row or group is left out.
 */
export function parseFilter(
  body: FormBody,
  prefix: string,
  properties: readonly FilterProperty[],
  action = '',
): Filter {
  const byName = new Map(properties.map((property) => [property.name, property]));
  const rows = new Map<number, Map<number, FilterCondition>>();
  const pattern = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d{1,3})\\.(\\d{1,3})\\.property$`);
  for (const key of Object.keys(body)) {
    const match = pattern.exec(key);
    const property = formField(body, key).trim();
    if (!match || !property) continue;
    const [g, c] = [Number(match[1]), Number(match[2])];
    if (action === removeAction(prefix, g) || action === removeAction(prefix, g, c)) continue;
    const field = `${prefix}.${g}.${c}`;
    // Anything but a known operator is passed on as typed, for identity to refuse at the row.
    const operator = formField(body, `${field}.operator`) as FilterOperator;
    const value = typedValue(body, `${field}.value`, byName.get(property)?.type, operator);
    if (!rows.has(g)) rows.set(g, new Map());
    rows.get(g)!.set(c, { property, operator, ...(value === undefined ? {} : { value }) });
  }
  const byIndex = <T>(entries: Map<number, T>) =>
    [...entries.entries()].sort(([a], [b]) => a - b).map(([, entry]) => entry);
  return { groups: byIndex(rows).map(byIndex) };
}

/** The posted value of one condition as its property's type reads it. */
function typedValue(
  body: FormBody,
  name: string,
  type: PropertyType | undefined,
  operator: string,
): FilterValue | undefined {
  if (takesNoValue(operator)) return undefined;
  if (isList(operator)) {
    const raw = body[name];
    // A multi-select posts its choices as repeated fields; a text input a comma-separated list.
    const entries = (Array.isArray(raw) ? raw : [formField(body, name)].flatMap((text) => text.split(',')))
      .filter((entry): entry is string => typeof entry === 'string')
      .map((entry) => entry.trim())
      .filter(Boolean);
    return type === 'number' ? entries.map(typedNumber) : entries;
  }
  const text = formField(body, name);
  if (!text.trim()) return undefined;
  if (type === 'number') return typedNumber(text.trim());
  if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

/** A number typed as one; anything else as typed, which identity names "must be a number". */
const typedNumber = (text: string): string | number =>
  /^-?(\d+\.?\d*|\.\d+)$/.test(text.trim()) ? Number(text) : text;

// ---- The builder's view model ------------------------------------------------------------------

export interface OperatorChoice {
  value: string;
  text: string;
  input: ValueInput;
  selected: boolean;
}

export interface ValueControl {
  input: ValueInput;
  /** Which of the builder's value templates this control is (`text`, `choice:priority`), for admin.js. */
  key: string;
  /** The text of a text, number, date or list input; the selected value of a single choice. */
  text: string;
  /** Choices of a select (choice, choices, boolean). */
  options: { value: string; label: string; selected: boolean }[];
}

export interface ConditionRow {
  group: number;
  index: number;
  /** Rendered empty so that a condition can be added without script. */
  blank: boolean;
  name: string;
  id: string;
  /** "condition 2 in group 1", for the controls' accessible names. */
  place: string;
  properties: { name: string; label: string; type: PropertyType; selected: boolean }[];
  /** The property's name when it is not one of `properties` (shown so that the error makes sense). */
  unknownProperty: string | null;
  operators: OperatorChoice[];
  value: ValueControl;
  errors: { property?: string; operator?: string; value?: string };
  /** The row's problems in one sentence, shown under it. */
  error: string | null;
  /** Blank rows rendered for adding without script have no remove button. */
  removable: boolean;
  removeAction: string;
}

export interface FilterBuilderView {
  prefix: string;
  /** The builder's element id (also the prefix of its controls' ids). */
  id: string;
  legend: string;
  hint: string;
  /** Problems of the whole filter (too many groups). */
  error: string | null;
  groups: {
    index: number;
    number: number;
    blank: boolean;
    error: string | null;
    conditions: ConditionRow[];
    removeAction: string;
  }[];
  /** For admin.js: operator choices per property type and value controls per input. */
  /** Keyed by type; `any` while no property is chosen. */
  operatorSets: { type: PropertyType | 'any'; operators: OperatorChoice[] }[];
  valueTemplates: ValueControl[];
  /** What admin.js adds: a row, and a group of one row. */
  blankRow: ConditionRow;
  blankGroup: FilterBuilderView['groups'][number];
}

/**
 * The builder for `filter` with the rows the form shows: every condition, one blank row per group
 * and one blank group (the no-script way to add). `errors` are the section's errors by path
 * (`segment.groups.0.1.value`); those under `prefix` are shown at their rows.
 */
export function filterBuilderView(options: {
  prefix: string;
  legend: string;
  hint: string;
  filter: Filter;
  properties: readonly FilterProperty[];
  errors: Record<string, string>;
}): FilterBuilderView {
  const { prefix, filter, properties, errors } = options;
  const id = `filter-${prefix}`;
  const byName = new Map(properties.map((property) => [property.name, property]));
  const errorAt = (path: string) => errors[`${prefix}.${path}`] ?? null;
  const valueErrors = (path: string) =>
    Object.entries(errors)
      .filter(([key]) => key === `${prefix}.${path}.value` || key.startsWith(`${prefix}.${path}.value.`))
      .map(([key, message]) => {
        const entry = /\.value\.(\d+)$/.exec(key);
        return entry ? `value ${Number(entry[1]) + 1}: ${message}` : message;
      })
      .join('; ');

  const row = (group: number, index: number, condition: FilterCondition | null): ConditionRow => {
    const property = condition ? byName.get(condition.property) : undefined;
    const operator = condition?.operator ?? '';
    const path = `groups.${group}.${index}`;
    const rowErrors = {
      property: errorAt(`${path}.property`) ?? undefined,
      operator: errorAt(`${path}.operator`) ?? undefined,
      value: valueErrors(path) || undefined,
    };
    const described = Object.entries(rowErrors).filter(([, message]) => message);
    return {
      group,
      index,
      blank: !condition,
      name: `${prefix}.${group}.${index}`,
      id: `${id}-${group}-${index}`,
      place: `condition ${index + 1} in group ${group + 1}`,
      properties: properties.map(({ name, label, type }) => ({
        name,
        label,
        type,
        selected: name === condition?.property,
      })),
      unknownProperty: condition && !property ? condition.property : null,
      operators: operatorChoices(property?.type, operator),
      value: valueControl(property, operator, condition?.value),
      errors: rowErrors,
      error: described.length
        ? described.map(([field, message]) => `${capitalised(field)}: ${message}`).join('. ')
        : null,
      removable: Boolean(condition),
      removeAction: removeAction(prefix, group, index),
    };
  };

  const group = (g: number, conditions: FilterCondition[]) => ({
    index: g,
    number: g + 1,
    blank: conditions.length === 0,
    error: errorAt(`groups.${g}`),
    conditions: [...conditions.map((condition, c) => row(g, c, condition)), row(g, conditions.length, null)],
    removeAction: removeAction(prefix, g),
  });
  const blankRow = { ...row(0, 0, null), removable: true };
  const types = [...new Set(properties.map((property) => property.type))];
  return {
    prefix,
    id,
    legend: options.legend,
    hint: options.hint,
    error: errorAt('groups') ?? errors[prefix] ?? null,
    groups: [...filter.groups, []].map((conditions, g) => group(g, conditions)),
    operatorSets: [
      { type: 'any' as const, operators: operatorChoices(undefined, '') },
      ...types.map((type) => ({ type, operators: operatorChoices(type, '') })),
    ],
    valueTemplates: [
      ...(['text', 'number', 'date', 'boolean', 'list'] as const).map((input) =>
        valueControl(undefined, '', undefined, input),
      ),
      ...properties
        .filter((property) => property.type === 'enumeration')
        .flatMap((property) => [
          valueControl(property, 'eq', undefined),
          valueControl(property, 'any_of', undefined),
        ]),
    ],
    blankRow,
    blankGroup: { ...group(0, []), conditions: [blankRow] },
  };
}

/** The operator menu: the type's operators, or all of them while no property is chosen. */
function operatorChoices(type: PropertyType | undefined, selected: string): OperatorChoice[] {
  const operators = type ? operatorsFor(type) : FilterOperator.options;
  return operators.map((operator) => ({
    value: operator,
    text: operatorText(operator, type),
    input: valueInput(type, operator),
    selected: operator === selected,
  }));
}

function valueControl(
  property: FilterProperty | undefined,
  operator: string,
  value: FilterValue | undefined,
  input: ValueInput = valueInput(property?.type, operator),
): ValueControl {
  const chosen = new Set((Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String));
  const text = Array.isArray(value) ? value.join(', ') : value === undefined ? '' : String(value);
  const options =
    input === 'boolean'
      ? [
          { value: 'true', label: 'Yes' },
          { value: 'false', label: 'No' },
        ]
      : input === 'choice' || input === 'choices'
        ? (property?.options ?? [])
        : [];
  // A stored date and time (from the API) stays readable in a text input rather than blanked by a date one.
  const shown = input === 'date' && text && !/^\d{4}-\d{2}-\d{2}$/.test(text) ? 'text' : input;
  return {
    input: shown,
    key: (shown === 'choice' || shown === 'choices') && property ? `${shown}:${property.name}` : shown,
    text,
    options: options.map((option) => ({ ...option, selected: chosen.has(option.value) })),
  };
}
