import { filterProblems, type Filter } from '@helpdesk/contracts';
import { describe, expect, it } from '@jest/globals';
import { filterBuilderView, parseFilter, removeAction, type FilterProperty } from './filter-form.js';

const properties: FilterProperty[] = [
  { name: 'email', label: 'Email', type: 'string', options: null },
  { name: 'seats', label: 'Seats', type: 'number', options: null },
  { name: 'renewal', label: 'Renewal', type: 'date', options: null },
  { name: 'vip', label: 'VIP', type: 'boolean', options: null },
  {
    name: 'tier',
    label: 'Tier',
    type: 'enumeration',
    options: [
      { value: 'gold', label: 'Gold' },
      { value: 'silver', label: 'Silver' },
    ],
  },
];

describe('parseFilter', () => {
  it('reads groups and conditions in index order, typing values by the property', () => {
    const body = {
      'segment.1.0.property': 'vip',
      'segment.1.0.operator': 'eq',
      'segment.1.0.value': 'true',
      'segment.0.10.property': 'renewal',
      'segment.0.10.operator': 'gt',
      'segment.0.10.value': '2026-01-31',
      'segment.0.2.property': 'seats',
      'segment.0.2.operator': 'any_of',
      'segment.0.2.value': ' 1, 2.5 ,,-3',
      'segment.0.3.property': 'tier',
      'segment.0.3.operator': 'none_of',
      'segment.0.3.value': ['gold', 'silver'],
      'segment.0.4.property': 'email',
      'segment.0.4.operator': 'known',
      'segment.0.4.value': 'ignored',
    };
    const filter = parseFilter(body, 'segment', properties);
    expect(filter).toEqual({
      groups: [
        [
          { property: 'seats', operator: 'any_of', value: [1, 2.5, -3] },
          { property: 'tier', operator: 'none_of', value: ['gold', 'silver'] },
          { property: 'email', operator: 'known' },
          { property: 'renewal', operator: 'gt', value: '2026-01-31' },
        ],
        [{ property: 'vip', operator: 'eq', value: true }],
      ],
    });
    expect(
      filterProblems(
        filter,
        properties.map((p) => ({ ...p, options: p.options ?? undefined })),
      ),
    ).toEqual({});
  });

  it('drops rows without a property, and so groups left empty', () => {
    const body = {
      'segment.0.0.property': '',
      'segment.0.0.operator': 'eq',
      'segment.0.0.value': 'x',
      'segment.1.0.property': 'email',
      'segment.1.0.operator': 'eq',
      'segment.1.0.value': 'a@b.test',
      'segment.1.1.property': '',
      'segment.1.1.operator': 'eq',
    };
    expect(parseFilter(body, 'segment', properties)).toEqual({
      groups: [[{ property: 'email', operator: 'eq', value: 'a@b.test' }]],
    });
    expect(parseFilter({}, 'segment', properties)).toEqual({ groups: [] });
  });

  it('leaves out the row or group whose remove button was pressed', () => {
    const body = {
      'v.0.0.property': 'email',
      'v.0.0.operator': 'known',
      'v.0.1.property': 'vip',
      'v.0.1.operator': 'unknown',
      'v.1.0.property': 'seats',
      'v.1.0.operator': 'known',
    };
    expect(parseFilter(body, 'v', properties, removeAction('v', 0, 1)).groups).toEqual([
      [{ property: 'email', operator: 'known' }],
      [{ property: 'seats', operator: 'known' }],
    ]);
    expect(parseFilter(body, 'v', properties, removeAction('v', 0)).groups).toEqual([
      [{ property: 'seats', operator: 'known' }],
    ]);
    // Another builder's remove button changes nothing here.
    expect(parseFilter(body, 'v', properties, removeAction('segment', 0)).groups).toHaveLength(2);
  });

  it('passes what cannot be typed as it was typed, for identity to refuse at the row', () => {
    const body = {
      'segment.0.0.property': 'seats',
      'segment.0.0.operator': 'gt',
      'segment.0.0.value': 'many',
      'segment.0.1.property': 'seats',
      'segment.0.1.operator': 'any_of',
      'segment.0.1.value': '1, two',
      'segment.0.2.property': 'vip',
      'segment.0.2.operator': 'eq',
      'segment.0.2.value': 'maybe',
      'segment.0.3.property': 'email',
      'segment.0.3.operator': 'any_of',
      'segment.0.3.value': ' , ',
      'segment.0.4.property': 'email',
      'segment.0.4.operator': 'eq',
      'segment.0.4.value': '   ',
      'segment.0.5.property': 'nickname',
      'segment.0.5.operator': 'bigger',
      'segment.0.5.value': '3',
    };
    const filter = parseFilter(body, 'segment', properties);
    expect(filter.groups[0]).toEqual([
      { property: 'seats', operator: 'gt', value: 'many' },
      { property: 'seats', operator: 'any_of', value: [1, 'two'] },
      { property: 'vip', operator: 'eq', value: 'maybe' },
      { property: 'email', operator: 'any_of', value: [] },
      { property: 'email', operator: 'eq' },
      { property: 'nickname', operator: 'bigger', value: '3' },
    ]);
    const problems = filterProblems(
      filter,
      properties.map((p) => ({ ...p, options: p.options ?? undefined })),
    );
    expect(Object.keys(problems).sort()).toEqual([
      'groups.0.0.value',
      'groups.0.1.value.1',
      'groups.0.2.value',
      'groups.0.3.value',
      'groups.0.4.value',
      'groups.0.5.operator',
    ]);
  });

  it('ignores fields that only look like rows', () => {
    const body = {
      'segment.x.0.property': 'email',
      'segmentx.0.0.property': 'email',
      'segment.0.0': 'email',
    };
    expect(parseFilter(body, 'segment', properties)).toEqual({ groups: [] });
  });
});

describe('filterBuilderView', () => {
  const filter: Filter = {
    groups: [
      [
        { property: 'tier', operator: 'any_of', value: ['gold'] },
        { property: 'seats', operator: 'gt', value: 5 },
      ],
      [{ property: 'email', operator: 'unknown' }],
    ],
  };
  const view = (errors: Record<string, string> = {}, shown = filter) =>
    filterBuilderView({ prefix: 'segment', legend: 'Segment', hint: '', filter: shown, properties, errors });

  it('shows every condition, a blank row per group and a blank group', () => {
    const { groups } = view();
    expect(groups.map((group) => group.conditions.map((row) => row.blank))).toEqual([
      [false, false, true],
      [false, true],
      [true],
    ]);
    expect(groups.map((group) => group.blank)).toEqual([false, false, true]);
    const tier = groups[0].conditions[0];
    expect(tier.name).toBe('segment.0.0');
    expect(tier.place).toBe('condition 1 in group 1');
    expect(tier.removeAction).toBe('filter-remove:segment.0.0');
    expect(tier.properties.find((property) => property.selected)?.name).toBe('tier');
    expect(tier.value).toMatchObject({ input: 'choices', key: 'choices:tier' });
    expect(tier.value.options).toEqual([
      { value: 'gold', label: 'Gold', selected: true },
      { value: 'silver', label: 'Silver', selected: false },
    ]);
    expect(groups[1].conditions[0].value.input).toBe('none');
    expect(groups[0].conditions[1].value).toMatchObject({ input: 'number', text: '5' });
  });

  it('offers only the operators of the property’s type, by readable names', () => {
    const seats = view().groups[0].conditions[1];
    expect(seats.operators.map((operator) => operator.text)).toEqual([
      'equals',
      'does not equal',
      'is greater than',
      'is less than',
      'is known',
      'is unknown',
      'is any of',
      'is none of',
    ]);
    expect(seats.operators.find((operator) => operator.selected)?.value).toBe('gt');
    const dates = view({}, { groups: [[{ property: 'renewal', operator: 'lt', value: '2026-01-01' }]] });
    expect(dates.groups[0].conditions[0].operators.map((operator) => operator.text)).toContain('is before');
    // A blank row offers every operator: without script the menu cannot follow the property.
    expect(view().groups[2].conditions[0].operators).toHaveLength(10);
  });

  it('shows identity’s errors at their rows and controls', () => {
    const { groups, error } = view({
      'segment.groups.0.1.value': 'must be a number',
      'segment.groups.0.0.value.0': 'must be one of the options',
      'segment.groups.1.0.operator': 'does not apply',
      'segment.groups': 'can have at most 10 groups',
      label: 'not this builder’s',
    });
    expect(error).toBe('can have at most 10 groups');
    expect(groups[0].conditions[1].error).toBe('Value: must be a number');
    expect(groups[0].conditions[0].errors.value).toBe('value 1: must be one of the options');
    expect(groups[1].conditions[0].errors).toEqual({ operator: 'does not apply' });
    expect(groups[1].conditions[0].error).toBe('Operator: does not apply');
  });

  it('keeps a condition on an unknown property visible, and has templates for script', () => {
    const built = view({}, { groups: [[{ property: 'nickname', operator: 'eq', value: 'x' }]] });
    expect(built.groups[0].conditions[0].unknownProperty).toBe('nickname');
    expect(built.valueTemplates.map((control) => control.key)).toEqual([
      'text',
      'number',
      'date',
      'boolean',
      'list',
      'choice:tier',
      'choices:tier',
    ]);
    expect(built.operatorSets.map((set) => set.type)).toEqual([
      'any',
      'string',
      'number',
      'date',
      'boolean',
      'enumeration',
    ]);
    expect(built.blankRow.removable).toBe(true);
    expect(built.blankGroup.conditions).toHaveLength(1);
  });
});
