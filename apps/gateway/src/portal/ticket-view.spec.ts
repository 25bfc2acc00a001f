import type { PortalTicketRow, ResolvedPortal, TicketPropertyView } from '@helpdesk/contracts';
import { RECOMMENDED_COLUMNS } from '@helpdesk/contracts';
import { describe, expect, it } from '@jest/globals';
import { translatorFor } from './i18n.js';
import {
  above,
  below,
  cellFor,
  choiceLabelsOf,
  columnLabel,
  customerFilters,
  filterPanel,
  listFilters,
  pageLinks,
  parseListView,
  sortLink,
  viewFields,
  viewQuery,
} from './ticket-view.js';

const portal = {
  ticketDisplay: { columns: [...RECOMMENDED_COLUMNS, { property: 'content', label: 'Description' }] },
} as unknown as ResolvedPortal;

describe('the ticket list view in the address', () => {
  it('starts from the defaults and ignores what it does not know', () => {
    expect(parseListView({}, portal)).toEqual({
      show: 'organization',
      status: 'all',
      q: '',
      filters: [],
      sort: 'created_at',
      dir: 'desc',
      after: undefined,
      prev: [],
    });
    expect(
      parseListView(
        { show: 'everyone', status: 'deleted', sort: 'password', dir: 'up', after: 'a b' },
        portal,
      ),
    ).toMatchObject({
      show: 'organization',
      status: 'all',
      sort: 'created_at',
      dir: 'desc',
      after: undefined,
    });
    expect(parseListView({ sort: 'content' }, portal).sort).toBe('created_at');
  });

  it('keeps show, status, search and sort in every link, leaving defaults out', () => {
    const view = parseListView({ show: 'mine', status: 'open', q: 'printer', sort: 'subject' }, portal);
    expect(view.dir).toBe('asc');
    expect(viewQuery(view)).toBe('?show=mine&status=open&q=printer&sort=subject&dir=asc');
    expect(viewQuery(parseListView({}, portal))).toBe('');
  });

  it('pushes the page cursor on Next and pops it on Previous', () => {
    const first = parseListView({}, portal);
    const toSecond = pageLinks(first, 'c2');
    expect(toSecond).toEqual({ next: '?after=c2', previous: null });
    const second = parseListView(Object.fromEntries(new URLSearchParams(toSecond.next!)), portal);
    const toThird = pageLinks(second, 'c3');
    expect(toThird).toEqual({ next: '?after=c3&prev=c2', previous: '' });
    const third = parseListView(Object.fromEntries(new URLSearchParams(toThird.next!)), portal);
    const fromThird = pageLinks(third, null);
    expect(fromThird).toEqual({ next: null, previous: '?after=c2' });
  });

  it('flips the direction when the sorted column is clicked again and starts over at page one', () => {
    const view = parseListView({ after: 'c2', prev: 'c1' }, portal);
    expect(sortLink(view, 'created_at')).toBe('?sort=created_at&dir=asc');
    expect(sortLink(view, 'subject')).toBe('?sort=subject&dir=asc');
    expect(sortLink(parseListView({ sort: 'subject' }, portal), 'subject')).toBe('?sort=subject&dir=desc');
  });

  it('turns the status choice into the filter model', () => {
    expect(customerFilters(parseListView({}, portal))).toEqual({ groups: [] });
    expect(customerFilters(parseListView({ status: 'closed' }, portal))).toEqual({
      groups: [[{ property: 'status', operator: 'eq', value: 'closed' }]],
    });
  });
});

describe('the property filters of the list', () => {
  const property = (
    name: string,
    type: TicketPropertyView['type'],
    options: TicketPropertyView['options'] = null,
  ): TicketPropertyView => ({ name, label: name, type, options, builtIn: false, sortable: true });
  const properties = [
    property('priority', 'enumeration', [
      { value: 'low', label: 'Low' },
      { value: 'high', label: 'High' },
    ]),
    property('status', 'enumeration', [
      { value: 'open', label: 'Open' },
      { value: 'closed', label: 'Closed' },
    ]),
    property('created_at', 'date'),
    property('last_activity_at', 'date'),
    property('company', 'string'),
    property('pipeline', 'enumeration', [{ value: 'p1', label: 'Support' }]),
    property('requester', 'string'),
    property('category', 'enumeration', [{ value: 'hw', label: 'Hardware' }]),
    property('warranty', 'boolean'),
    property('devices', 'number'),
    property('nickname', 'string'),
    // Not a column of this portal: never offered, never applied.
    property('internal_tier', 'enumeration', [{ value: 'gold', label: 'Gold' }]),
    property('internal_score', 'number'),
  ];
  const withColumns = (...names: string[]) =>
    ({
      ticketDisplay: { columns: names.map((name) => ({ property: name, label: name })) },
    }) as unknown as ResolvedPortal;
  const shown = withColumns(
    'subject',
    'priority',
    'created_at',
    'status',
    'pipeline',
    'requester',
    'category',
    'warranty',
    'devices',
    'nickname',
  );
  const offered = listFilters(shown, properties);
  const view = (query: Record<string, unknown>) => parseListView(query, shown, offered);

  it('offers choices, yes/no, date and number ranges on the columns whose values the portal shows', () => {
    expect(offered).toEqual([
      { property: 'priority', type: 'enumeration', options: properties[0].options },
      { property: 'created_at', type: 'date' },
      { property: 'category', type: 'enumeration', options: [{ value: 'hw', label: 'Hardware' }] },
      { property: 'warranty', type: 'boolean' },
      { property: 'devices', type: 'number' },
    ]);
  });

  it('round-trips through the query string in the order the list offers them', () => {
    const parsed = view({
      'category.is': 'hw',
      'created_at.to': '2026-01-31',
      'priority.is': 'high',
      'created_at.from': '2026-01-05',
      q: 'printer',
    });
    expect(parsed.filters).toEqual([
      { property: 'priority', type: 'enumeration', part: 'is', value: 'high' },
      { property: 'created_at', type: 'date', part: 'from', value: '2026-01-05' },
      { property: 'created_at', type: 'date', part: 'to', value: '2026-01-31' },
      { property: 'category', type: 'enumeration', part: 'is', value: 'hw' },
    ]);
    const query = viewQuery(parsed);
    expect(query).toBe(
      '?q=printer&priority.is=high&created_at.from=2026-01-05&created_at.to=2026-01-31&category.is=hw',
    );
    expect(view(Object.fromEntries(new URLSearchParams(query)))).toEqual(parsed);
  });

  it('keeps the filters in sorting, paging and the export, and clears them on request', () => {
    const parsed = view({ 'priority.is': 'low', after: 'c2', prev: 'c1' });
    expect(sortLink(parsed, 'subject')).toBe('?priority.is=low&sort=subject&dir=asc');
    expect(pageLinks(parsed, 'c3')).toEqual({
      next: '?priority.is=low&after=c3&prev=c1.c2',
      previous: '?priority.is=low&after=c1',
    });
    expect(viewFields(parsed, { after: undefined, prev: [] })).toEqual([['priority.is', 'low']]);
    expect(viewQuery(parsed, { filters: [], after: undefined, prev: [] })).toBe('');
  });

  it('ignores values that are not options or days, and repeated fields after the first', () => {
    expect(
      view({
        'priority.is': 'whenever',
        'category.is': ['hw', 'sw'],
        'created_at.from': '2026-02-30',
        'created_at.to': 'yesterday',
      }).filters,
    ).toEqual([{ property: 'category', type: 'enumeration', part: 'is', value: 'hw' }]);
    expect(view({ 'created_at.from': { nested: 'x' }, 'priority.is': '' }).filters).toEqual([]);
  });

  it('reads yes/no as true or false and a number range’s ends as numbers, ignoring anything else', () => {
    expect(view({ 'warranty.is': 'true', 'devices.from': ' 1e1 ', 'devices.to': '-2.50' }).filters).toEqual([
      { property: 'warranty', type: 'boolean', part: 'is', value: 'true' },
      // As the number reads back, so the field and its chip say the same.
      { property: 'devices', type: 'number', part: 'from', value: '10' },
      { property: 'devices', type: 'number', part: 'to', value: '-2.5' },
    ]);
    for (const query of [
      { 'warranty.is': 'yes', 'devices.from': 'ten', 'devices.to': '0x10' },
      { 'warranty.is': 'TRUE', 'devices.from': '', 'devices.to': 'Infinity' },
      { 'warranty.is': '', 'devices.from': '1e400', 'devices.to': String(Number.MAX_VALUE) },
      { 'warranty.from': 'true', 'devices.is': '3', 'nickname.is': 'Al', 'internal_score.from': '1' },
    ])
      expect([query, view(query).filters]).toEqual([query, []]);
  });

  it('refuses properties the portal does not show, even when they exist', () => {
    const query = {
      'internal_tier.is': 'gold',
      'pipeline.is': 'p1',
      'last_activity_at.from': '2026-01-01',
      'requester.is': 'Alice',
      'status.is': 'closed',
    };
    expect(view(query).filters).toEqual([]);
    expect(customerFilters(view(query))).toEqual({ groups: [] });
  });

  it('turns them into one group of conditions, with whole days from midnight to midnight', () => {
    const filter = customerFilters(
      view({
        status: 'open',
        'priority.is': 'high',
        'created_at.from': '2026-03-28',
        'created_at.to': '2026-03-29',
      }),
    );
    expect(filter.groups).toHaveLength(1);
    const [status, priority, from, to] = filter.groups[0];
    expect([status, priority]).toEqual([
      { property: 'status', operator: 'eq', value: 'open' },
      { property: 'priority', operator: 'eq', value: 'high' },
    ]);
    expect(from).toMatchObject({ property: 'created_at', operator: 'gt' });
    expect(to).toMatchObject({ property: 'created_at', operator: 'lt' });
    // The days as the portal shows dates: in its own time zone.
    expect(new Date(from.value as string).getTime()).toBe(new Date(2026, 2, 28).getTime() - 1);
    expect(new Date(to.value as string).getTime()).toBe(new Date(2026, 2, 30).getTime());
  });

  it('turns yes/no into a boolean and a number range into one that includes its ends', () => {
    const [warranty, from, to] = customerFilters(
      view({ 'warranty.is': 'false', 'devices.from': '3', 'devices.to': '10' }),
    ).groups[0];
    expect(warranty).toEqual({ property: 'warranty', operator: 'eq', value: false });
    // Greater than the number just below 3, less than the one just above 10: 3 and 10 belong.
    expect(from).toEqual({ property: 'devices', operator: 'gt', value: 2.9999999999999996 });
    expect(to).toEqual({ property: 'devices', operator: 'lt', value: 10.000000000000002 });
    expect(customerFilters(view({ 'warranty.is': 'true' })).groups).toEqual([
      [{ property: 'warranty', operator: 'eq', value: true }],
    ]);
  });

  it('finds the neighbouring numbers, with nothing between them and the number', () => {
    for (const value of [3, 10, 0.1, -1, -0.1, 1e-300, 123456789.123, 2 ** 53, Number.MIN_VALUE, -0, 0]) {
      const [down, up] = [below(value), above(value)];
      expect([value, down < value, up > value]).toEqual([value, true, true]);
      // Halfway rounds to one of the two: no number lies strictly between.
      expect([value, [down, value].includes((down + value) / 2)]).toEqual([value, true]);
      expect([value, [value, up].includes((value + up) / 2)]).toEqual([value, true]);
    }
    expect(below(0)).toBe(-Number.MIN_VALUE);
    expect(above(0)).toBe(Number.MIN_VALUE);
  });

  it('describes the filters in force in the page language, each with a link that removes it', () => {
    const fi = translatorFor('fi');
    const labels = new Map([
      ['priority', 'Prioriteetti'],
      ['created_at', 'Luotu'],
    ]);
    const parsed = view({ 'priority.is': 'high', 'created_at.from': '2026-01-05', sort: 'subject' });
    const { controls, active } = filterPanel(parsed, offered, labels, fi, '/support/tickets');
    expect(active).toEqual([
      {
        text: 'Prioriteetti: Korkea',
        removeLabel: 'Poista suodatin Prioriteetti: Korkea',
        removeHref: '/support/tickets?created_at.from=2026-01-05&sort=subject&dir=asc',
      },
      {
        text: `Luotu: ${fi.formatDate(new Date(2026, 0, 5).toISOString())} alkaen`,
        removeLabel: expect.stringContaining('Poista suodatin Luotu'),
        removeHref: '/support/tickets?priority.is=high&sort=subject&dir=asc',
      },
    ]);
    expect(controls[0]).toEqual({
      type: 'select',
      id: 'filter-priority',
      name: 'priority.is',
      label: 'Prioriteetti',
      options: [
        { value: '', label: 'Kaikki', selected: false },
        { value: 'low', label: 'Matala', selected: false },
        { value: 'high', label: 'Korkea', selected: true },
      ],
    });
    expect(controls[1]).toEqual({
      type: 'range',
      input: 'date',
      label: 'Luotu',
      ends: [
        { id: 'filter-created_at-from', name: 'created_at.from', label: 'Alkaen', value: '2026-01-05' },
        { id: 'filter-created_at-to', name: 'created_at.to', label: 'Asti', value: '' },
      ],
    });
  });

  it('offers yes/no as Any, Yes or No and a number range as two number fields, with their chips', () => {
    const labels = new Map([
      ['warranty', 'Under warranty'],
      ['devices', 'Devices'],
    ]);
    const parsed = view({ 'warranty.is': 'true', 'devices.from': '1500.5', 'devices.to': '2000' });
    const en = filterPanel(parsed, offered, labels, translatorFor('en'), '/support/tickets');
    expect(en.controls.slice(3)).toEqual([
      {
        type: 'select',
        id: 'filter-warranty',
        name: 'warranty.is',
        label: 'Under warranty',
        options: [
          { value: '', label: 'Any', selected: false },
          { value: 'true', label: 'Yes', selected: true },
          { value: 'false', label: 'No', selected: false },
        ],
      },
      {
        type: 'range',
        input: 'number',
        label: 'Devices',
        ends: [
          { id: 'filter-devices-from', name: 'devices.from', label: 'From', value: '1500.5' },
          { id: 'filter-devices-to', name: 'devices.to', label: 'To', value: '2000' },
        ],
      },
    ]);
    expect(en.active).toEqual([
      {
        text: 'Under warranty: Yes',
        removeLabel: 'Remove filter Under warranty: Yes',
        removeHref: '/support/tickets?devices.from=1500.5&devices.to=2000',
      },
      {
        text: 'Devices: at least 1,500.5',
        removeLabel: 'Remove filter Devices: at least 1,500.5',
        removeHref: '/support/tickets?warranty.is=true&devices.to=2000',
      },
      {
        text: 'Devices: at most 2,000',
        removeLabel: 'Remove filter Devices: at most 2,000',
        removeHref: '/support/tickets?warranty.is=true&devices.from=1500.5',
      },
    ]);
    const fi = filterPanel(
      view({ 'warranty.is': 'false', 'devices.from': '1500.5' }),
      offered,
      labels,
      translatorFor('fi'),
      '/support/tickets',
    );
    expect(fi.active.map((chip) => chip.text)).toEqual([
      'Under warranty: Ei',
      'Devices: vähintään 1\u00a0500,5',
    ]);
    expect(fi.controls[3]).toMatchObject({
      options: [{ label: 'Mikä tahansa' }, { label: 'Kyllä' }, { label: 'Ei' }],
    });
    expect(fi.controls[4]).toMatchObject({ ends: [{ label: 'Vähintään' }, { label: 'Enintään' }] });
  });
});

describe('the cells of custom choices', () => {
  const row = {
    properties: { category: 'network', region: 'retired', note: 'network', empty: '' },
  } as unknown as PortalTicketRow;
  const portal = { ticketDisplay: { showStages: false } } as unknown as ResolvedPortal;
  const definitions: TicketPropertyView[] = [
    {
      name: 'category',
      label: 'Category',
      type: 'enumeration',
      options: [{ value: 'network', label: 'Network' }],
      builtIn: false,
      sortable: true,
    },
    {
      name: 'region',
      label: 'Region',
      type: 'enumeration',
      options: [{ value: 'emea', label: 'Europe' }],
      builtIn: false,
      sortable: true,
    },
    { name: 'note', label: 'Note', type: 'string', options: null, builtIn: false, sortable: true },
  ];
  const t = translatorFor('en');
  const cell = (property: string) => {
    const columns = ['category', 'region', 'note', 'empty'].map((name) => ({ property: name }));
    return cellFor(property, row, portal, t, choiceLabelsOf(columns, definitions), '');
  };

  it('shows the option’s label, and a value that is no longer an option as it is stored', () => {
    expect(cell('category')).toEqual({ text: 'Network' });
    expect(cell('region')).toEqual({ text: 'retired' });
    // Text that happens to equal an option elsewhere is not a choice.
    expect(cell('note')).toEqual({ text: 'network' });
    expect(cell('empty')).toEqual({ text: '—', tone: 'muted' });
  });

  it('knows the custom choices only of the columns shown', () => {
    const priority: TicketPropertyView = {
      name: 'priority',
      label: 'Priority',
      type: 'enumeration',
      options: [{ value: 'high', label: 'High' }],
      builtIn: true,
      sortable: true,
    };
    expect(
      choiceLabelsOf([{ property: 'category' }, { property: 'priority' }], [...definitions, priority]),
    ).toEqual(new Map([['category', new Map([['network', 'Network']])]]));
  });
});

describe('columnLabel', () => {
  it('translates default labels and keeps the ones an admin wrote', () => {
    const fi = translatorFor('fi');
    expect(columnLabel({ property: 'owner', label: 'Ticket owner' }, fi)).toBe('Käsittelijä');
    expect(columnLabel({ property: 'owner', label: 'Agent' }, fi)).toBe('Agent');
    expect(columnLabel({ property: 'region', label: 'Region' }, fi)).toBe('Region');
  });
});
