import type { ResolvedPortal, TicketPropertyView } from '@helpdesk/contracts';
import { RECOMMENDED_COLUMNS } from '@helpdesk/contracts';
import { describe, expect, it } from '@jest/globals';
import { translatorFor } from './i18n.js';
import {
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
    // Not a column of this portal: never offered, never applied.
    property('internal_tier', 'enumeration', [{ value: 'gold', label: 'Gold' }]),
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
  );
  const offered = listFilters(shown, properties);
  const view = (query: Record<string, unknown>) => parseListView(query, shown, offered);

  it('offers choices and date ranges on the columns whose values the portal shows', () => {
    expect(offered).toEqual([
      { property: 'priority', type: 'enumeration', options: properties[0].options },
      { property: 'created_at', type: 'date' },
      { property: 'category', type: 'enumeration', options: [{ value: 'hw', label: 'Hardware' }] },
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
      { property: 'priority', part: 'is', value: 'high' },
      { property: 'created_at', part: 'from', value: '2026-01-05' },
      { property: 'created_at', part: 'to', value: '2026-01-31' },
      { property: 'category', part: 'is', value: 'hw' },
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
    ).toEqual([{ property: 'category', part: 'is', value: 'hw' }]);
    expect(view({ 'created_at.from': { nested: 'x' }, 'priority.is': '' }).filters).toEqual([]);
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
      type: 'enumeration',
      id: 'filter-priority',
      name: 'priority.is',
      label: 'Prioriteetti',
      options: [
        { value: '', label: 'Kaikki', selected: false },
        { value: 'low', label: 'Matala', selected: false },
        { value: 'high', label: 'Korkea', selected: true },
      ],
    });
    expect(controls[1]).toMatchObject({
      type: 'date',
      from: { id: 'filter-created_at-from', name: 'created_at.from', value: '2026-01-05' },
      to: { id: 'filter-created_at-to', name: 'created_at.to', value: '' },
    });
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
