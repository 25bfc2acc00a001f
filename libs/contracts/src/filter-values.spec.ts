import { describe, expect, it } from '@jest/globals';
import {
  parseIsoInstant,
  readBoolean,
  readInstant,
  readNumber,
  readOperands,
  readOptionValue,
  readText,
  utcDay,
} from './filter-values.js';

describe('readText', () => {
  it.each<[unknown, string | undefined, string]>([
    ['  Gold  ', 'Gold', 'trimmed, case kept'],
    ['\u00a0x\u3000', 'x', 'trimmed of what trim() removes'],
    [42, '42', 'a number as written'],
    [1.5, '1.5', 'a fraction as written'],
    [true, 'true', 'a boolean as written'],
    [10n, '10', 'a bigint as written'],
    ['', undefined, 'empty is unknown'],
    ['   ', undefined, 'blank is unknown'],
    [null, undefined, 'null is unknown'],
    [undefined, undefined, 'undefined is unknown'],
    [{}, undefined, 'an object is unknown'],
    [['a'], undefined, 'an array is unknown'],
  ])('%p → %p (%s)', (value, expected) => {
    expect(readText(value)).toBe(expected);
  });
});

describe('readOptionValue', () => {
  it.each<[unknown, string | undefined, string]>([
    [' gold ', ' gold ', 'exactly as written'],
    ['Gold', 'Gold', 'case counts'],
    [7, '7', 'a number as written'],
    ['', undefined, 'empty is unknown'],
    [null, undefined, 'null is unknown'],
    [{}, undefined, 'an object is unknown'],
  ])('%p → %p (%s)', (value, expected) => {
    expect(readOptionValue(value)).toBe(expected);
  });
});

describe('readNumber', () => {
  it.each<[unknown, number | undefined, string]>([
    [42, 42, 'a number'],
    [-0.5, -0.5, 'a negative fraction'],
    [' 42 ', 42, 'a decimal string, trimmed'],
    ['-1.5', -1.5, 'a signed decimal'],
    ['.5', 0.5, 'no leading digit'],
    ['5.', 5, 'no trailing digit'],
    ['1e3', 1000, 'an exponent'],
    ['1E-2', 0.01, 'an upper-case exponent'],
    [12n, 12, 'a bigint'],
    ['abc', undefined, 'text is unknown'],
    ['0x10', undefined, 'hexadecimal is unknown'],
    ['', undefined, 'empty is unknown'],
    ['1e400', undefined, 'beyond the largest double is unknown'],
    [Number.NaN, undefined, 'NaN is unknown'],
    [Number.POSITIVE_INFINITY, undefined, 'Infinity is unknown'],
    ['Infinity', undefined, 'the text Infinity is unknown'],
    [true, undefined, 'a boolean is unknown'],
    [null, undefined, 'null is unknown'],
  ])('%p → %p (%s)', (value, expected) => {
    expect(readNumber(value)).toBe(expected);
  });
});

describe('readBoolean', () => {
  it.each<[unknown, boolean | undefined]>([
    [true, true],
    [false, false],
    ['true', true],
    ['false', false],
    ['TRUE', undefined],
    [' true', undefined],
    [1, undefined],
    [null, undefined],
  ])('%p → %p', (value, expected) => {
    expect(readBoolean(value)).toBe(expected);
  });
});

describe('parseIsoInstant', () => {
  it.each<[string, number | undefined, string]>([
    ['2026-11-27', Date.parse('2026-11-27T00:00:00.000Z'), 'a date is that day at 00:00 UTC'],
    ['2026-11-27T09:30:00Z', Date.parse('2026-11-27T09:30:00.000Z'), 'a date and time in UTC'],
    ['2026-11-27 09:30', Date.parse('2026-11-27T09:30:00.000Z'), 'a space, no seconds, no zone is UTC'],
    ['2026-11-27t09:30z', Date.parse('2026-11-27T09:30:00.000Z'), 'lower-case t and z'],
    ['2026-11-27T09:30:00.1239Z', Date.parse('2026-11-27T09:30:00.123Z'), 'fractions truncated to ms'],
    ['2026-11-27T09:30:00+02:00', Date.parse('2026-11-27T07:30:00.000Z'), 'an offset'],
    ['2026-11-27T09:30:00-0530', Date.parse('2026-11-27T15:00:00.000Z'), 'an offset without a colon'],
    ['2028-02-29', Date.parse('2028-02-29T00:00:00.000Z'), 'a leap day'],
    ['0050-01-01', Date.parse('0050-01-01T00:00:00.000Z'), 'a year below 100 is that year'],
    ['2027-02-29', undefined, 'a leap day in a common year'],
    ['2026-13-01', undefined, 'month 13'],
    ['2026-11-27T24:00', undefined, 'hour 24'],
    ['2026-11-27T09:60', undefined, 'minute 60'],
    ['2026-11-27T09:30:60', undefined, 'second 60'],
    ['2026-11-27T09:30+24:00', undefined, 'an offset past 23:59'],
    ['2026-11-27T09:30+02:60', undefined, 'offset minutes past 59'],
    [' 2026-11-27', undefined, 'untrimmed'],
    ['27.11.2026', undefined, 'another format'],
    ['2026-11-27T09', undefined, 'an hour without minutes'],
  ])('%p → %p (%s)', (value, expected) => {
    expect(parseIsoInstant(value)).toBe(expected);
  });
});

describe('readInstant', () => {
  it('reads a valid Date and a trimmed ISO string', () => {
    expect(readInstant(new Date('2026-11-27T09:30:00Z'))).toBe(Date.parse('2026-11-27T09:30:00Z'));
    expect(readInstant(' 2026-11-27 ')).toBe(Date.parse('2026-11-27T00:00:00Z'));
  });

  it.each<[unknown, string]>([
    [new Date(Number.NaN), 'an invalid Date'],
    [1764201600000, 'epoch milliseconds'],
    ['tomorrow', 'unreadable text'],
    [null, 'null'],
  ])('%p is unknown (%s)', (value) => {
    expect(readInstant(value)).toBeUndefined();
  });
});

describe('utcDay', () => {
  const start = Date.parse('2026-11-27T00:00:00.000Z');
  const end = Date.parse('2026-11-28T00:00:00.000Z');

  it.each<[number, string]>([
    [start, 'the first millisecond'],
    [Date.parse('2026-11-27T12:00:00Z'), 'noon'],
    [end - 1, 'the last millisecond'],
  ])('bounds %p to its UTC day (%s)', (ms) => {
    expect(utcDay(ms)).toEqual({ start, end });
  });

  it('bounds instants before the epoch', () => {
    expect(utcDay(-1)).toEqual({ start: -86_400_000, end: 0 });
  });
});

describe('readOperands', () => {
  const read = (entry: string | number | boolean) => readNumber(entry);

  it('reads one value, or a list when asked for one', () => {
    expect(readOperands('5', false, read)).toEqual([5]);
    expect(readOperands([1, '2'], true, read)).toEqual([1, 2]);
  });

  it('is undefined when missing, of the wrong shape or with an unreadable entry', () => {
    expect(readOperands(undefined, false, read)).toBeUndefined();
    expect(readOperands([1], false, read)).toBeUndefined();
    expect(readOperands(1, true, read)).toBeUndefined();
    expect(readOperands([1, 'x'], true, read)).toBeUndefined();
    expect(readOperands([], true, read)).toBeUndefined();
  });
});
