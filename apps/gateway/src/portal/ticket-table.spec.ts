import { describe, expect, it } from '@jest/globals';
import {
  activeFiltersHtml,
  filterControlsHtml,
  headerCellsHtml,
  hiddenFieldsHtml,
  ticketRowsHtml,
} from './ticket-table.js';

const hostile = `<script>alert("x")</script> & 'q'`;
const escaped = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;';
const removeIcon =
  '<svg aria-hidden="true" viewBox="0 0 20 20" width="14" height="14"><path d="m6.1 5 3.9 3.9L13.9 5 15 6.1 11.1 10l3.9 3.9-1.1 1.1-3.9-3.9L6.1 15 5 13.9 8.9 10 5 6.1 6.1 5Z" fill="currentColor"/></svg>';

describe('ticketRowsHtml', () => {
  it('renders each kind of cell with every value escaped', () => {
    const html = ticketRowsHtml([
      {
        closed: true,
        cells: [
          {
            property: 'subject',
            label: 'Sub"ject',
            text: '<script>x</script>',
            href: '/s/tickets/1?a=1&b=2',
          },
          { property: 'status', label: 'Status', text: 'Closed', tone: 'closed' },
          {
            property: 'created_at',
            label: 'Created',
            text: '27 Nov 2026',
            datetime: '2026-11-27T10:00:00.000Z',
            title: '27 Nov 2026, 12:00',
          },
          { property: 'owner', label: 'Owner', text: 'Unassigned', tone: 'muted' },
          { property: 'region', label: 'Region', text: "O'Hare & co" },
        ],
      },
    ]);
    expect(html).toBe(
      '<tr class="is-closed">' +
        '<td class="col-subject" data-label="Sub&quot;ject"><a class="ticket-link" href="/s/tickets/1?a=1&amp;b=2">&lt;script&gt;x&lt;/script&gt;</a></td>' +
        '<td class="col-status" data-label="Status"><span class="badge badge-closed">Closed</span></td>' +
        '<td class="col-created_at" data-label="Created"><time datetime="2026-11-27T10:00:00.000Z" title="27 Nov 2026, 12:00">27 Nov 2026</time></td>' +
        '<td class="col-owner" data-label="Owner"><span class="muted">Unassigned</span></td>' +
        '<td class="col-region" data-label="Region"><span>O&#39;Hare &amp; co</span></td>' +
        '</tr>\n',
    );
  });

  it('marks only closed rows and renders nothing for no rows', () => {
    expect(ticketRowsHtml([{ closed: false, cells: [] }])).toBe('<tr></tr>\n');
    expect(ticketRowsHtml([])).toBe('');
  });
});

describe('headerCellsHtml', () => {
  it('renders sort links with the sorted direction, and plain text for an unsortable column', () => {
    const html = headerCellsHtml([
      {
        property: 'subject',
        label: 'Subject',
        sortable: true,
        sortHref: '/s/tickets?sort=subject&dir=desc',
        ariaSort: 'ascending',
        sortLabel: 'Sort by Subject (sorted ascending)',
      },
      {
        property: 'created_at',
        label: 'Created',
        sortable: true,
        sortHref: '/s/tickets?sort=created_at&dir=asc',
        ariaSort: 'descending',
        sortLabel: 'Sort by Created (sorted descending)',
      },
      {
        property: 'owner',
        label: 'Owner',
        sortable: true,
        sortHref: '/s/tickets?sort=owner&dir=asc',
        ariaSort: null,
        sortLabel: 'Sort by Owner',
      },
      {
        property: 'content',
        label: 'Description',
        sortable: false,
        sortHref: '/s/tickets?sort=content&dir=asc',
        ariaSort: null,
        sortLabel: 'Sort by Description',
      },
    ]);
    expect(html).toBe(
      '<th scope="col" class="col-subject" aria-sort="ascending"><a class="sort-link" href="/s/tickets?sort=subject&amp;dir=desc" aria-label="Sort by Subject (sorted ascending)">Subject<span class="sort-icon sort-ascending" aria-hidden="true"></span></a></th>\n' +
        '<th scope="col" class="col-created_at" aria-sort="descending"><a class="sort-link" href="/s/tickets?sort=created_at&amp;dir=asc" aria-label="Sort by Created (sorted descending)">Created<span class="sort-icon sort-descending" aria-hidden="true"></span></a></th>\n' +
        '<th scope="col" class="col-owner"><a class="sort-link" href="/s/tickets?sort=owner&amp;dir=asc" aria-label="Sort by Owner">Owner<span class="sort-icon" aria-hidden="true"></span></a></th>\n' +
        '<th scope="col" class="col-content">Description</th>\n',
    );
  });

  it('escapes the property, label, link and its label', () => {
    const column = {
      property: hostile,
      label: hostile,
      sortHref: hostile,
      ariaSort: null,
      sortLabel: hostile,
    };
    expect(
      headerCellsHtml([
        { ...column, sortable: true },
        { ...column, sortable: false },
      ]),
    ).toBe(
      `<th scope="col" class="col-${escaped}"><a class="sort-link" href="${escaped}" aria-label="${escaped}">${escaped}<span class="sort-icon" aria-hidden="true"></span></a></th>\n` +
        `<th scope="col" class="col-${escaped}">${escaped}</th>\n`,
    );
  });
});

describe('filterControlsHtml', () => {
  it('renders a select with its chosen option, and number and date ranges', () => {
    const html = filterControlsHtml([
      {
        type: 'select',
        id: 'filter-category',
        name: 'category.is',
        label: 'Category',
        options: [
          { value: '', label: 'All', selected: false },
          { value: 'network', label: 'Network', selected: true },
        ],
      },
      {
        type: 'range',
        input: 'number',
        label: 'Devices',
        ends: [
          { id: 'filter-devices-from', name: 'devices.from', label: 'At least', value: '2' },
          { id: 'filter-devices-to', name: 'devices.to', label: 'At most', value: '' },
        ],
      },
      {
        type: 'range',
        input: 'date',
        label: 'Created',
        ends: [
          { id: 'filter-created_at-from', name: 'created_at.from', label: 'From', value: '2026-01-05' },
          { id: 'filter-created_at-to', name: 'created_at.to', label: 'To', value: '' },
        ],
      },
    ]);
    expect(html).toBe(
      '<div class="field"><label for="filter-category">Category</label><select id="filter-category" name="category.is">' +
        '<option value="">All</option><option value="network" selected>Network</option></select></div>\n' +
        '<fieldset class="filter-range"><legend>Devices</legend>' +
        '<div class="field"><label for="filter-devices-from">At least</label><input type="number" id="filter-devices-from" name="devices.from" value="2" step="any"></div>' +
        '<div class="field"><label for="filter-devices-to">At most</label><input type="number" id="filter-devices-to" name="devices.to" value="" step="any"></div>' +
        '</fieldset>\n' +
        '<fieldset class="filter-range"><legend>Created</legend>' +
        '<div class="field"><label for="filter-created_at-from">From</label><input type="date" id="filter-created_at-from" name="created_at.from" value="2026-01-05"></div>' +
        '<div class="field"><label for="filter-created_at-to">To</label><input type="date" id="filter-created_at-to" name="created_at.to" value=""></div>' +
        '</fieldset>\n',
    );
  });

  it('escapes ids, names, labels, option values and option labels', () => {
    const end = { id: hostile, name: hostile, label: hostile, value: hostile };
    const html = filterControlsHtml([
      {
        type: 'select',
        id: hostile,
        name: hostile,
        label: hostile,
        options: [{ value: hostile, label: hostile, selected: false }],
      },
      { type: 'range', input: 'date', label: hostile, ends: [end, end] },
    ]);
    const endHtml = `<div class="field"><label for="${escaped}">${escaped}</label><input type="date" id="${escaped}" name="${escaped}" value="${escaped}"></div>`;
    expect(html).toBe(
      `<div class="field"><label for="${escaped}">${escaped}</label><select id="${escaped}" name="${escaped}">` +
        `<option value="${escaped}">${escaped}</option></select></div>\n` +
        `<fieldset class="filter-range"><legend>${escaped}</legend>${endHtml}${endHtml}</fieldset>\n`,
    );
  });
});

describe('activeFiltersHtml', () => {
  it('renders a chip per filter that links to the view without it', () => {
    expect(
      activeFiltersHtml([
        {
          text: 'Category: Network',
          removeLabel: 'Remove filter Category: Network',
          removeHref: '/s/tickets?status=open&devices.from=2',
        },
        { text: 'Devices: at least 2', removeLabel: 'Remove filter Devices', removeHref: '/s/tickets' },
      ]),
    ).toBe(
      `<li><a class="filter-chip" href="/s/tickets?status=open&amp;devices.from=2" aria-label="Remove filter Category: Network">Category: Network${removeIcon}</a></li>\n` +
        `<li><a class="filter-chip" href="/s/tickets" aria-label="Remove filter Devices">Devices: at least 2${removeIcon}</a></li>\n`,
    );
  });

  it('escapes the link, its label and the chip text', () => {
    expect(activeFiltersHtml([{ text: hostile, removeLabel: hostile, removeHref: hostile }])).toBe(
      `<li><a class="filter-chip" href="${escaped}" aria-label="${escaped}">${escaped}${removeIcon}</a></li>\n`,
    );
  });

  it('renders nothing for no filters', () => {
    expect(activeFiltersHtml([])).toBe('');
  });
});

describe('hiddenFieldsHtml', () => {
  it('renders a hidden input per field, names and values escaped', () => {
    expect(
      hiddenFieldsHtml([
        ['status', 'open'],
        ['q', hostile],
        [hostile, 'x'],
      ]),
    ).toBe(
      '<input type="hidden" name="status" value="open">' +
        `<input type="hidden" name="q" value="${escaped}">` +
        `<input type="hidden" name="${escaped}" value="x">`,
    );
  });
});
