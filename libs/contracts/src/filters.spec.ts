import { describe, expect, it } from '@jest/globals';
import {
  Filter,
  FilterLimits,
  FilterOperator,
  filterProblems,
  operatorsFor,
  PropertyDefinition,
  PropertyType,
  type FilterCondition,
} from './filters.js';

const definitions: PropertyDefinition[] = [
  { name: 'email', label: 'Email', type: 'string' },
  { name: 'seats', label: 'Seats', type: 'number' },
  { name: 'signedUpAt', label: 'Signed up', type: 'date' },
  {
    name: 'plan',
    label: 'Plan',
    type: 'enumeration',
    options: [
      { value: 'free', label: 'Free' },
      { value: 'pro', label: 'Pro' },
      { value: 'enterprise', label: 'Enterprise' },
    ],
  },
  {
    name: 'country',
    label: 'Country',
    type: 'enumeration',
    options: 'ab ad ae af ag ai al am ao aq ar'.split(' ').map((code) => ({ value: code, label: code })),
  },
  { name: 'legacy', label: 'Legacy', type: 'enumeration' },
  { name: 'vip', label: 'VIP', type: 'boolean' },
];

/** A condition as an admin might send it, right or wrong. */
const c = (property: string, operator: string, value?: unknown) =>
  value === undefined ? { property, operator } : { property, operator, value };

/** The problems of a filter with one condition. */
const problemsOf = (condition: unknown) => filterProblems({ groups: [[condition]] }, definitions);

describe('operatorsFor', () => {
  it.each<[PropertyType, FilterOperator[]]>([
    ['string', ['eq', 'neq', 'contains', 'starts_with', 'known', 'unknown', 'any_of', 'none_of']],
    ['number', ['eq', 'neq', 'gt', 'lt', 'known', 'unknown', 'any_of', 'none_of']],
    ['date', ['eq', 'neq', 'gt', 'lt', 'known', 'unknown']],
    ['enumeration', ['eq', 'neq', 'any_of', 'none_of', 'known', 'unknown']],
    ['boolean', ['eq', 'neq', 'known', 'unknown']],
  ])('offers %s properties exactly %j', (type, operators) => {
    expect([...operatorsFor(type)].sort()).toEqual([...operators].sort());
  });

  it('offers every operator for at least one type', () => {
    const offered = new Set(PropertyType.options.flatMap((type) => operatorsFor(type)));
    expect([...offered].sort()).toEqual([...FilterOperator.options].sort());
  });
});

describe('Filter schema', () => {
  it('accepts no groups, meaning no filter', () => {
    expect(Filter.parse({ groups: [] })).toEqual({ groups: [] });
  });

  it('keeps a condition without a value as it is', () => {
    expect(Filter.parse({ groups: [[{ property: 'email', operator: 'known' }]] })).toEqual({
      groups: [[{ property: 'email', operator: 'known' }]],
    });
  });

  it.each([
    ['text', 'x'],
    ['a number', 4.5],
    ['a boolean', false],
    ['a list of text', ['a', 'b']],
    ['a list of numbers', [1, 2]],
  ])('accepts %s as a value', (_kind, value) => {
    expect(Filter.safeParse({ groups: [[{ property: 'p', operator: 'eq', value }]] }).success).toBe(true);
  });

  it('accepts the largest filter the limits allow', () => {
    const group = Array.from({ length: FilterLimits.conditionsPerGroup }, () => ({
      property: 'email',
      operator: 'any_of',
      value: Array.from({ length: FilterLimits.values }, () => 'x'.repeat(FilterLimits.textLength)),
    }));
    const groups = Array.from({ length: FilterLimits.groups }, () => group);
    expect(Filter.safeParse({ groups }).success).toBe(true);
    expect(filterProblems({ groups }, definitions)).toEqual({});
  });
});

describe('filterProblems', () => {
  it('finds nothing wrong with a valid filter using every type and operator', () => {
    const filter: Filter = {
      groups: [
        [
          { property: 'email', operator: 'eq', value: 'alice@acme.test' },
          { property: 'email', operator: 'neq', value: 'bob@acme.test' },
          { property: 'email', operator: 'contains', value: '@acme' },
          { property: 'email', operator: 'starts_with', value: 'alice' },
          { property: 'email', operator: 'any_of', value: ['a@acme.test', 'b@acme.test'] },
          { property: 'email', operator: 'none_of', value: ['c@acme.test'] },
          { property: 'email', operator: 'known' },
        ],
        [
          { property: 'seats', operator: 'gt', value: 10 },
          { property: 'seats', operator: 'lt', value: 100.5 },
          { property: 'seats', operator: 'eq', value: 0 },
          { property: 'seats', operator: 'neq', value: -1 },
          { property: 'seats', operator: 'any_of', value: [1, 2, 3] },
          { property: 'seats', operator: 'none_of', value: [4] },
          { property: 'seats', operator: 'unknown' },
        ],
        [
          { property: 'signedUpAt', operator: 'eq', value: '2026-11-27' },
          { property: 'signedUpAt', operator: 'neq', value: '2026-11-27T09:30:00Z' },
          { property: 'signedUpAt', operator: 'gt', value: '2026-11-27T09:30:00.250+02:00' },
          { property: 'signedUpAt', operator: 'lt', value: '2028-02-29' },
          { property: 'signedUpAt', operator: 'known' },
        ],
        [
          { property: 'plan', operator: 'eq', value: 'pro' },
          { property: 'plan', operator: 'neq', value: 'free' },
          { property: 'plan', operator: 'any_of', value: ['pro', 'enterprise'] },
          { property: 'plan', operator: 'none_of', value: ['free'] },
          { property: 'plan', operator: 'known' },
        ],
        [
          { property: 'vip', operator: 'eq', value: true },
          { property: 'vip', operator: 'neq', value: false },
          { property: 'vip', operator: 'unknown' },
        ],
      ],
    };
    expect(filterProblems(filter, definitions)).toEqual({});
  });

  it('finds nothing wrong with no groups', () => {
    expect(filterProblems({ groups: [] }, definitions)).toEqual({});
  });

  const dateMessage =
    'must be a date (2026-11-27) or a date and time with a time zone (2026-11-27T09:30:00Z)';
  const numbers = (count: number) => Array.from({ length: count }, (_, i) => i);
  const planOptions = 'must be one of the options of "plan": free, pro, enterprise';

  /** Problem, condition, where it is reported (under `groups.0.0.`), message. */
  it.each<[string, unknown, string, string]>([
    ['an undefined property', c('tier', 'eq', 'gold'), 'property', 'property "tier" is not defined'],
    ['a property name in another case', c('Email', 'known'), 'property', 'property "Email" is not defined'],
    ['gt on text', c('email', 'gt', 'a'), 'operator', 'operator "gt" does not apply to text properties'],
    [
      'contains on a number',
      c('seats', 'contains', 1),
      'operator',
      'operator "contains" does not apply to number properties',
    ],
    [
      'any_of on a date',
      c('signedUpAt', 'any_of', ['2026-11-27']),
      'operator',
      'operator "any_of" does not apply to date properties',
    ],
    [
      'lt on an enumeration',
      c('plan', 'lt', 'pro'),
      'operator',
      'operator "lt" does not apply to choice properties',
    ],
    [
      'starts_with on a boolean',
      c('vip', 'starts_with', 't'),
      'operator',
      'operator "starts_with" does not apply to yes/no properties',
    ],
    [
      'an operator that does not exist',
      c('email', 'like', 'a%'),
      'operator',
      'must be one of: eq, neq, contains, starts_with, known, unknown, any_of, none_of, gt, lt',
    ],
    ['a value for known', c('email', 'known', 'x'), 'value', 'operator "known" takes no value'],
    ['a value for unknown', c('vip', 'unknown', false), 'value', 'operator "unknown" takes no value'],
    ['no value for eq', c('email', 'eq'), 'value', 'is required'],
    ['no value for gt', c('seats', 'gt'), 'value', 'is required'],
    ['a list for eq', c('email', 'eq', ['a']), 'value', 'operator "eq" takes a single value, not a list'],
    [
      'a single value for any_of',
      c('plan', 'any_of', 'pro'),
      'value',
      'operator "any_of" needs a list of values',
    ],
    ['no value for none_of', c('plan', 'none_of'), 'value', 'operator "none_of" needs a list of values'],
    ['an empty list', c('plan', 'any_of', []), 'value', 'must list at least one value'],
    ['a list over 100 values', c('seats', 'any_of', numbers(101)), 'value', 'can list at most 100 values'],
    [
      'a list of other things than text or numbers',
      c('email', 'any_of', ['a', true]),
      'value',
      'must be a list of text or numbers',
    ],
    [
      'null as a value',
      c('email', 'eq', null),
      'value',
      'must be text, a number, true or false, or a list of values',
    ],
    [
      'an object as a value',
      c('email', 'eq', { text: 'a' }),
      'value',
      'must be text, a number, true or false, or a list of values',
    ],
    [
      'text over 1000 characters',
      c('email', 'contains', 'x'.repeat(1001)),
      'value',
      'must be at most 1000 characters',
    ],
    [
      'text over 1000 characters in a list',
      c('email', 'any_of', ['a', 'x'.repeat(1001)]),
      'value.1',
      'must be at most 1000 characters',
    ],
    ['a number for text', c('email', 'eq', 42), 'value', 'must be text'],
    ['a number in a list for text', c('email', 'any_of', ['a', 7]), 'value.1', 'must be text'],
    [
      'blank text',
      c('email', 'contains', '  '),
      'value',
      'must not be blank (use the operator "unknown" to find missing values)',
    ],
    ['a numeric string for a number', c('seats', 'gt', '5'), 'value', 'must be a number'],
    ['text in a list of numbers', c('seats', 'none_of', [1, 'two', 3]), 'value.1', 'must be a number'],
    ['a date in another format', c('signedUpAt', 'eq', '27.11.2026'), 'value', dateMessage],
    ['a day that does not exist', c('signedUpAt', 'eq', '2026-11-31'), 'value', dateMessage],
    ['a leap day in a common year', c('signedUpAt', 'eq', '2026-02-29'), 'value', dateMessage],
    ['a date and time without a zone', c('signedUpAt', 'gt', '2026-11-27T09:30:00'), 'value', dateMessage],
    ['a date and time with a space', c('signedUpAt', 'gt', '2026-11-27 09:30:00Z'), 'value', dateMessage],
    ['hour 24', c('signedUpAt', 'lt', '2026-11-27T24:00:00Z'), 'value', dateMessage],
    ['a relative date', c('signedUpAt', 'lt', 'yesterday'), 'value', dateMessage],
    ['epoch milliseconds for a date', c('signedUpAt', 'lt', 1764201600000), 'value', dateMessage],
    ['a value that is not an option', c('plan', 'eq', 'gold'), 'value', planOptions],
    ['an option label instead of its value', c('plan', 'neq', 'Pro'), 'value', planOptions],
    ['a non-option in a list', c('plan', 'none_of', ['pro', 'gold']), 'value.1', planOptions],
    [
      'a non-option, listing the first 10 options',
      c('country', 'eq', 'zz'),
      'value',
      'must be one of the options of "country": ab, ad, ae, af, ag, ai, al, am, ao, aq, …',
    ],
    [
      'a value for an enumeration without options',
      c('legacy', 'eq', 'x'),
      'value',
      'property "legacy" has no options to choose from',
    ],
    ['the string "true" for a boolean', c('vip', 'eq', 'true'), 'value', 'must be true or false'],
  ])('reports %s', (_problem, condition, path, message) => {
    expect(problemsOf(condition)).toEqual({ [`groups.0.0.${path}`]: [message] });
  });

  it('reports a condition without property and operator', () => {
    expect(problemsOf({})).toEqual({
      'groups.0.0.property': ['is required'],
      'groups.0.0.operator': ['is required'],
    });
  });

  it.each<[string, unknown, Record<string, string[]>]>([
    ['no filter at all', undefined, { '(root)': ['is required'] }],
    ['a filter that is not an object', 'plan = pro', { '(root)': ['must be a filter: { groups: [...] }'] }],
    ['missing groups', {}, { groups: ['is required'] }],
    ['groups that are not a list', { groups: {} }, { groups: ['must be a list of groups'] }],
    [
      'a group that is not a list',
      { groups: [{ property: 'email', operator: 'known' }] },
      {
        'groups.0': ['must be a list of conditions'],
      },
    ],
    [
      'an empty group',
      { groups: [[{ property: 'email', operator: 'known' }], []] },
      {
        'groups.1': ['needs at least one condition'],
      },
    ],
    [
      'more than 10 groups',
      { groups: Array.from({ length: 11 }, () => [{ property: 'email', operator: 'known' }]) },
      {
        groups: ['can have at most 10 groups'],
      },
    ],
    [
      'more than 20 conditions in a group',
      { groups: [Array.from({ length: 21 }, () => ({ property: 'email', operator: 'known' }))] },
      {
        'groups.0': ['can have at most 20 conditions'],
      },
    ],
  ])('reports %s', (_problem, filter, expected) => {
    expect(filterProblems(filter, definitions)).toEqual(expected);
  });

  it('reports every problem at once, each at its own path', () => {
    const filter = {
      groups: [
        [
          { property: 'email', operator: 'contains', value: 'acme' },
          { property: 'tier', operator: 'eq', value: 'gold' },
        ],
        [
          { property: 'seats', operator: 'gt', value: 'ten' },
          { property: 'plan', operator: 'any_of', value: ['pro', 'gold', 'silver'] },
          { property: 'vip' },
        ],
      ],
    };
    expect(filterProblems(filter, definitions)).toEqual({
      'groups.0.1.property': ['property "tier" is not defined'],
      'groups.1.0.value': ['must be a number'],
      'groups.1.1.value.1': ['must be one of the options of "plan": free, pro, enterprise'],
      'groups.1.1.value.2': ['must be one of the options of "plan": free, pro, enterprise'],
      'groups.1.2.operator': ['is required'],
    });
  });

  it('checks the meaning of conditions in a group that is too large', () => {
    const group = Array.from({ length: 21 }, (): FilterCondition => ({
      property: 'email',
      operator: 'known',
    }));
    group[20] = { property: 'tier', operator: 'known' };
    expect(filterProblems({ groups: [group] }, definitions)).toEqual({
      'groups.0': ['can have at most 20 conditions'],
      'groups.0.20.property': ['property "tier" is not defined'],
    });
  });

  it('knows only the properties it is given', () => {
    const filter: Filter = { groups: [[{ property: 'email', operator: 'known' }]] };
    expect(filterProblems(filter, [])).toEqual({
      'groups.0.0.property': ['property "email" is not defined'],
    });
  });
});

describe('PropertyDefinition schema', () => {
  it('accepts an enumeration with options', () => {
    expect(PropertyDefinition.safeParse(definitions[3]).success).toBe(true);
  });

  it.each([['first name'], ['1st'], ['plan-type'], ['']])('rejects %j as a property name', (name) => {
    expect(PropertyDefinition.safeParse({ name, label: 'X', type: 'string' }).success).toBe(false);
  });

  it('rejects a type it does not know', () => {
    expect(
      PropertyDefinition.safeParse({ name: 'x', label: 'X', type: 'json' }).error?.issues[0]?.message,
    ).toBe('must be one of: string, number, date, enumeration, boolean');
  });
});
