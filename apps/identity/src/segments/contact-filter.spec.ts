import { describe, expect, it } from '@jest/globals';
import {
  filterProblems,
  type Filter,
  type FilterCondition,
  type FilterOperator,
  type FilterValue,
  type PropertyDefinition,
} from '@helpdesk/contracts';
import { matchesFilter } from './contact-filter.js';

const definitions: PropertyDefinition[] = [
  { name: 'name', label: 'Name', type: 'string' },
  { name: 'seats', label: 'Seats', type: 'number' },
  { name: 'signedUp', label: 'Signed up', type: 'date' },
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
  { name: 'vip', label: 'VIP', type: 'boolean' },
  { name: 'constructor', label: 'Constructor', type: 'string' },
];

/** Stands for a contact that has no value at all for the property (the key is absent). */
const absent = Symbol('missing key');

/** One row: operator, the condition's value, the contact's value, whether it matches, and why. */
type Row = [FilterOperator, FilterValue | undefined, unknown, boolean, string];

function condition(property: string, operator: FilterOperator, value?: FilterValue): FilterCondition {
  return value === undefined ? { property, operator } : { property, operator, value };
}

/** Evaluates a single-condition filter after checking it is one an admin could save. */
function matchesOne(property: string, [operator, value, contactValue]: Row): boolean {
  const filter: Filter = { groups: [[condition(property, operator, value)]] };
  expect(filterProblems(filter, definitions)).toEqual({});
  return matchesFilter(filter, contactValue === absent ? {} : { [property]: contactValue }, definitions);
}

const title = '%s %j on %p → %s: %s';

describe('matchesFilter on text', () => {
  it.each<Row>([
    ['eq', 'Alice', 'Alice', true, 'equal text matches'],
    ['eq', 'Alice', '  ALICE ', true, 'ignores case and surrounding spaces of the contact value'],
    ['eq', '  alice ', 'Alice', true, 'ignores case and surrounding spaces of the condition value'],
    ['eq', 'Alice', 'Alicia', false, 'different text does not match'],
    ['eq', 'Alice', 'Al ice', false, 'inner spaces count'],
    ['eq', 'Alice', absent, false, 'a missing value equals nothing'],
    ['eq', '42', 42, true, 'a number stored in a text property is read as text'],
    ['neq', 'Alice', 'Bob', true, 'different text is not equal'],
    ['neq', 'Alice', 'aLiCe', false, 'the same text in another case is equal'],
    ['neq', 'Alice', null, true, 'a missing value is not equal to anything'],
    ['neq', 'Alice', '', true, 'an empty value is not equal to anything'],
    ['contains', 'CME', 'alice@acme.test', true, 'contains ignores case'],
    ['contains', 'acme', 'alice@globex.test', false, 'text without the part does not match'],
    ['contains', 'acme', absent, false, 'a missing value contains nothing'],
    ['starts_with', 'al', '  Alice', true, 'starts_with ignores case and leading spaces'],
    ['starts_with', 'al', 'Malice', false, 'text containing the part later does not match'],
    ['starts_with', 'al', undefined, false, 'an undefined value starts with nothing'],
    ['any_of', ['Alice', 'Bob'], 'BOB', true, 'one of the listed values matches, ignoring case'],
    ['any_of', ['Alice', 'Bob'], 'Carol', false, 'a value not listed does not match'],
    ['any_of', ['Alice', 'Bob'], absent, false, 'a missing value is none of the listed'],
    [
      'none_of',
      ['Alice', 'Bob'],
      ' alice ',
      false,
      'a listed value does not match, ignoring case and spaces',
    ],
    ['none_of', ['Alice', 'Bob'], 'Carol', true, 'a value not listed matches'],
    ['none_of', ['Alice', 'Bob'], null, true, 'a missing value is none of the listed'],
    ['known', undefined, 'Alice', true, 'text is known'],
    ['known', undefined, 0, true, 'zero in a text property is known text'],
    ['known', undefined, false, true, 'false in a text property is known text'],
    ['known', undefined, '', false, 'an empty string is not known'],
    ['known', undefined, '   ', false, 'blank text is not known'],
    ['known', undefined, null, false, 'null is not known'],
    ['known', undefined, absent, false, 'a missing key is not known'],
    ['known', undefined, { first: 'Alice' }, false, 'an object is not readable text'],
    ['known', undefined, ['Alice'], false, 'a list is not readable text'],
    ['unknown', undefined, absent, true, 'a missing key is unknown'],
    ['unknown', undefined, ' ', true, 'blank text is unknown'],
    ['unknown', undefined, 'Alice', false, 'text is not unknown'],
  ])(title, (...row) => {
    expect(matchesOne('name', row)).toBe(row[3]);
  });
});

describe('matchesFilter on numbers', () => {
  it.each<Row>([
    ['eq', 5, 5, true, 'the same number matches'],
    ['eq', 5, '5', true, 'a numeric string is read as a number'],
    ['eq', 5, ' 5.0 ', true, 'numeric strings compare by value, not by text'],
    ['eq', 1000, '1e3', true, 'exponent notation is a number'],
    ['eq', 5, 5n, true, 'a bigint is a number'],
    ['eq', 0, -0, true, 'zero equals negative zero'],
    ['eq', 5, 6, false, 'a different number does not match'],
    ['eq', 5, 'five', false, 'a non-numeric value is unknown'],
    ['eq', 16, '0x10', false, 'hexadecimal is not a number here'],
    ['neq', 5, 6, true, 'a different number is not equal'],
    ['neq', 5, '5', false, 'a numeric string of the same number is equal'],
    ['neq', 5, 'five', true, 'a non-numeric value is unknown, so not equal'],
    ['neq', 5, absent, true, 'a missing value is not equal'],
    ['gt', 5, 6, true, 'a larger number is greater'],
    ['gt', 5, 5, false, 'gt is strict'],
    ['gt', 5, 4.99, false, 'a smaller number is not greater'],
    ['gt', 5, '10', true, 'numeric strings compare numerically ("10" > 5), not as text'],
    ['gt', -1, null, false, 'a missing value is not greater than anything'],
    ['gt', -1, '', false, 'an empty string is missing, not zero'],
    ['lt', 5, 4, true, 'a smaller number is less'],
    ['lt', 5, 5, false, 'lt is strict'],
    ['lt', 5, '-1.5', true, 'negative decimals are numbers'],
    ['lt', 100, '1e3', false, '1e3 is a thousand'],
    ['lt', 100, absent, false, 'a missing value is not less than anything'],
    ['any_of', [1, 2, 3], '2', true, 'a listed number matches'],
    ['any_of', [1, 2, 3], 4, false, 'a number not listed does not match'],
    ['any_of', [1, 2, 3], undefined, false, 'a missing value is none of the listed'],
    ['none_of', [1, 2], 3, true, 'a number not listed matches'],
    ['none_of', [1, 2], 1, false, 'a listed number does not match'],
    ['none_of', [1, 2], 'lots', true, 'a non-numeric value is none of the listed'],
    ['known', undefined, 0, true, 'zero is known'],
    ['known', undefined, '0', true, 'the string "0" is known'],
    ['known', undefined, 'abc', false, 'a non-numeric string is not known'],
    ['known', undefined, Number.NaN, false, 'NaN is not known'],
    ['known', undefined, Number.POSITIVE_INFINITY, false, 'Infinity is not known'],
    ['known', undefined, true, false, 'a boolean is not a number'],
    ['known', undefined, '  ', false, 'blank is not known'],
    ['unknown', undefined, 'n/a', true, 'a non-numeric string is unknown'],
    ['unknown', undefined, 7, false, 'a number is not unknown'],
  ])(title, (...row) => {
    expect(matchesOne('seats', row)).toBe(row[3]);
  });
});

describe('matchesFilter on dates', () => {
  it.each<Row>([
    ['eq', '2026-11-27', '2026-11-27', true, 'the same day matches'],
    ['eq', '2026-11-27', '2026-11-27T00:00:00.000Z', true, 'the first instant of the UTC day matches'],
    ['eq', '2026-11-27', '2026-11-27T23:59:59.999Z', true, 'the last instant of the UTC day matches'],
    ['eq', '2026-11-27', '2026-11-28T00:00:00Z', false, 'midnight belongs to the next day'],
    [
      'eq',
      '2026-11-27',
      '2026-11-26T23:59:59.999Z',
      false,
      'the instant before midnight is the previous day',
    ],
    [
      'eq',
      '2026-11-27',
      '2026-11-27T23:30:00-02:00',
      false,
      'offsets are converted: that is 28 Nov 01:30 UTC',
    ],
    [
      'eq',
      '2026-11-27',
      '2026-11-28T01:00:00+02:00',
      true,
      'offsets are converted: that is 27 Nov 23:00 UTC',
    ],
    [
      'eq',
      '2026-11-27',
      '2026-11-27 18:45',
      true,
      'a space separator and no zone (read as UTC) are accepted',
    ],
    ['eq', '2026-11-27', new Date('2026-11-27T12:00:00Z'), true, 'a Date is compared by its UTC day'],
    ['eq', '2026-11-27T09:30:00Z', '2026-11-27T20:00:00Z', true, 'eq with a date and time compares days too'],
    ['eq', '2026-11-27', '27.11.2026', false, 'an unreadable date is unknown'],
    ['eq', '2026-11-27', absent, false, 'a missing date equals nothing'],
    ['neq', '2026-11-27', '2026-11-28', true, 'another day is not equal'],
    ['neq', '2026-11-27', '2026-11-27T18:00:00Z', false, 'another time of the same day is equal'],
    ['neq', '2026-11-27', null, true, 'a missing date is not equal'],
    ['neq', '2026-11-27', '2026-02-30', true, 'an impossible date is unknown, so not equal'],
    ['gt', '2026-11-27', '2026-11-27', false, 'a date-only value is that day at 00:00 UTC, so not after it'],
    [
      'gt',
      '2026-11-27',
      '2026-11-27T00:00:00.001Z',
      true,
      'gt compares instants: one millisecond later is after',
    ],
    ['gt', '2026-11-27', '2026-11-26T23:59:59.999Z', false, 'just before midnight is not after'],
    ['gt', '2026-11-27', '2026-11-28', true, 'the next day is after'],
    [
      'gt',
      '2026-11-27',
      '2026-11-27T01:00:00+02:00',
      false,
      'offsets are converted: 26 Nov 23:00 UTC is before',
    ],
    ['gt', '2026-11-27T12:00:00Z', '2026-11-27T12:00:01Z', true, 'a second later is after a date and time'],
    ['gt', '2026-11-27T12:00:00Z', '2026-11-27', false, 'the start of the day is before noon'],
    ['gt', '2026-11-27T12:00:00+02:00', '2026-11-27T10:30:00Z', true, 'condition offsets are converted too'],
    ['gt', '2026-11-27', absent, false, 'a missing date is not after anything'],
    ['lt', '2026-11-27', '2026-11-26T23:59:59.999Z', true, 'the last instant before midnight is before'],
    ['lt', '2026-11-27', '2026-11-27T00:00:00Z', false, 'midnight itself is not before'],
    ['lt', '2026-11-27', '2026-11-26', true, 'the previous day is before'],
    [
      'lt',
      '2026-11-27',
      '2026-11-27T00:30:00+01:00',
      true,
      'offsets are converted: 26 Nov 23:30 UTC is before',
    ],
    ['lt', '2026-11-27', '2026-11-27T00:30:00+0100', true, 'offsets without a colon are read too'],
    ['lt', '2026-11-27', 'soon', false, 'an unreadable date is not before anything'],
    ['known', undefined, '2028-02-29', true, 'a leap day is a date'],
    ['known', undefined, '2026-11-27T09:30:00.123456Z', true, 'fractions beyond milliseconds are read'],
    ['known', undefined, new Date('2026-11-27'), true, 'a Date is known'],
    ['known', undefined, new Date('nonsense'), false, 'an invalid Date is not known'],
    ['known', undefined, '2027-02-29', false, 'a leap day in a common year is not a date'],
    ['known', undefined, '2026-11-27T24:00:00Z', false, 'hour 24 is not a time'],
    ['known', undefined, '2026-11-27T10:00:00+25:00', false, 'an offset past 23:59 is not a zone'],
    ['known', undefined, 1764201600000, false, 'epoch milliseconds are not read as a date'],
    ['known', undefined, '', false, 'an empty string is not known'],
    ['unknown', undefined, 'tomorrow', true, 'an unreadable date is unknown'],
    ['unknown', undefined, '2026-11-27', false, 'a date is not unknown'],
  ])(title, (...row) => {
    expect(matchesOne('signedUp', row)).toBe(row[3]);
  });

  it('reads years before 100 as they are written', () => {
    const filter: Filter = { groups: [[condition('signedUp', 'lt', '0100-01-01')]] };
    expect(matchesFilter(filter, { signedUp: '0050-06-01' }, definitions)).toBe(true);
    expect(matchesFilter(filter, { signedUp: '1950-06-01' }, definitions)).toBe(false);
  });
});

describe('matchesFilter on enumerations', () => {
  it.each<Row>([
    ['eq', 'pro', 'pro', true, 'the same option value matches'],
    ['eq', 'pro', 'Pro', false, 'option values compare exactly, case included'],
    ['eq', 'pro', ' pro', false, 'option values compare exactly, spaces included'],
    ['eq', 'pro', 'free', false, 'another option does not match'],
    ['eq', 'pro', null, false, 'a missing value equals nothing'],
    ['neq', 'pro', 'free', true, 'another option is not equal'],
    ['neq', 'pro', 'pro', false, 'the same option is equal'],
    ['neq', 'pro', '', true, 'an empty value is not equal'],
    ['any_of', ['pro', 'enterprise'], 'enterprise', true, 'a listed option matches'],
    ['any_of', ['pro', 'enterprise'], 'free', false, 'an option not listed does not match'],
    ['any_of', ['pro', 'enterprise'], absent, false, 'a missing value is none of the listed'],
    ['none_of', ['pro', 'enterprise'], 'free', true, 'an option not listed matches'],
    ['none_of', ['pro', 'enterprise'], 'pro', false, 'a listed option does not match'],
    ['none_of', ['pro', 'enterprise'], undefined, true, 'a missing value is none of the listed'],
    ['known', undefined, 'legacy', true, 'a value that is no longer an option is still known'],
    ['known', undefined, '', false, 'an empty string is not known'],
    ['unknown', undefined, null, true, 'null is unknown'],
    ['unknown', undefined, 'free', false, 'an option is not unknown'],
  ])(title, (...row) => {
    expect(matchesOne('plan', row)).toBe(row[3]);
  });
});

describe('matchesFilter on booleans', () => {
  it.each<Row>([
    ['eq', true, true, true, 'true equals true'],
    ['eq', true, 'true', true, 'the string "true" is true'],
    ['eq', true, false, false, 'false is not true'],
    ['eq', true, 'false', false, 'the string "false" is false'],
    ['eq', false, false, true, 'false equals false'],
    ['eq', false, 'false', true, 'the string "false" equals false'],
    ['eq', false, null, false, 'a missing value is not false'],
    ['eq', true, 'TRUE', false, 'only lower-case "true" is read'],
    ['eq', true, 1, false, 'one is not true'],
    ['eq', false, 0, false, 'zero is not false'],
    ['neq', true, false, true, 'false is not true'],
    ['neq', true, 'false', true, 'the string "false" is not true'],
    ['neq', true, true, false, 'true is not unequal to true'],
    ['neq', true, absent, true, 'a missing value is not true'],
    ['neq', false, 'yes', true, 'an unreadable value is unknown, so not false'],
    ['known', undefined, false, true, 'false is known'],
    ['known', undefined, 'false', true, 'the string "false" is known'],
    ['known', undefined, 'yes', false, 'other text is not a boolean'],
    ['known', undefined, '', false, 'an empty string is not known'],
    ['unknown', undefined, absent, true, 'a missing key is unknown'],
    ['unknown', undefined, true, false, 'true is not unknown'],
  ])(title, (...row) => {
    expect(matchesOne('vip', row)).toBe(row[3]);
  });
});

describe('matchesFilter groups', () => {
  const isAcme = condition('name', 'contains', '@acme.test');
  const isPro = condition('plan', 'eq', 'pro');
  const isVip = condition('vip', 'eq', true);
  const alice = { name: 'alice@acme.test', plan: 'pro', vip: false };
  const bob = { name: 'bob@acme.test', plan: 'free', vip: false };
  const carol = { name: 'carol@globex.test', plan: 'free', vip: 'true' };
  const dave = { name: 'dave@globex.test', plan: 'pro' };

  it.each<[string, Filter, Record<string, unknown>, boolean]>([
    ['no groups match every contact', { groups: [] }, {}, true],
    ['no groups match every contact, whatever its values', { groups: [] }, carol, true],
    ['a group matches when all its conditions do', { groups: [[isAcme, isPro]] }, alice, true],
    ['a group fails when one condition fails', { groups: [[isAcme, isPro]] }, bob, false],
    ['a group fails when another condition fails', { groups: [[isAcme, isPro]] }, dave, false],
    ['groups match when any group does', { groups: [[isPro], [isVip]] }, carol, true],
    ['groups match when the first group does', { groups: [[isPro], [isVip]] }, dave, true],
    ['groups fail when no group does', { groups: [[isPro], [isVip]] }, bob, false],
    ['(acme AND pro) OR vip matches a pro at Acme', { groups: [[isAcme, isPro], [isVip]] }, alice, true],
    ['(acme AND pro) OR vip matches a VIP elsewhere', { groups: [[isAcme, isPro], [isVip]] }, carol, true],
    [
      '(acme AND pro) OR vip fails a free non-VIP at Acme',
      { groups: [[isAcme, isPro], [isVip]] },
      bob,
      false,
    ],
    ['(acme AND pro) OR vip fails a pro elsewhere', { groups: [[isAcme, isPro], [isVip]] }, dave, false],
    ['a contact with no values fails positive conditions', { groups: [[isAcme], [isPro]] }, {}, false],
    [
      'a contact with no values passes negative conditions',
      { groups: [[condition('plan', 'neq', 'pro'), condition('seats', 'none_of', [1])]] },
      {},
      true,
    ],
  ])('%s', (_behaviour, filter, values, expected) => {
    expect(filterProblems(filter, definitions)).toEqual({});
    expect(matchesFilter(filter, values, definitions)).toBe(expected);
  });

  it('reads the contact’s own values only, not inherited object members', () => {
    const unknownConstructor: Filter = { groups: [[condition('constructor', 'unknown')]] };
    expect(matchesFilter(unknownConstructor, {}, definitions)).toBe(true);
    expect(matchesFilter(unknownConstructor, { constructor: 'x' }, definitions)).toBe(false);
    const knownName: Filter = { groups: [[condition('name', 'known')]] };
    expect(
      matchesFilter(knownName, Object.create({ name: 'inherited' }) as Record<string, unknown>, definitions),
    ).toBe(false);
  });
});

describe('matchesFilter with a filter that would not pass validation', () => {
  it.each<[string, Filter]>([
    ['an undefined property never matches, not even neq', { groups: [[condition('tier', 'neq', 'gold')]] }],
    ['an undefined property is not unknown either', { groups: [[condition('tier', 'unknown')]] }],
    ['an operator the type does not allow never matches', { groups: [[condition('name', 'gt', 'a')]] }],
    [
      'a value of the wrong type never matches, not even neq',
      { groups: [[condition('seats', 'neq', 'many')]] },
    ],
    ['a blank text value never matches, not even neq', { groups: [[condition('name', 'neq', ' ')]] }],
    ['a list for a single-value operator never matches', { groups: [[condition('name', 'neq', ['a'])]] }],
    ['a single value for a list operator never matches', { groups: [[condition('name', 'none_of', 'a')]] }],
    [
      'a list with an unreadable entry never matches',
      { groups: [[condition('seats', 'none_of', [1, 'x'])]] },
    ],
    ['an empty list never matches', { groups: [[condition('name', 'none_of', [])]] }],
    ['a missing value never matches', { groups: [[condition('name', 'neq')]] }],
    ['an empty group matches nothing', { groups: [[]] }],
  ])('%s', (_behaviour, filter) => {
    expect(Object.keys(filterProblems(filter, definitions))).not.toHaveLength(0);
    expect(matchesFilter(filter, {}, definitions)).toBe(false);
    expect(matchesFilter(filter, { name: 'b', seats: 3, tier: 'silver' }, definitions)).toBe(false);
  });

  it('stops matching a condition whose property has been deleted since the filter was saved', () => {
    const filter: Filter = { groups: [[condition('plan', 'neq', 'pro')]] };
    expect(matchesFilter(filter, { plan: 'free' }, definitions)).toBe(true);
    const withoutPlan = definitions.filter((definition) => definition.name !== 'plan');
    expect(matchesFilter(filter, { plan: 'free' }, withoutPlan)).toBe(false);
  });
});
