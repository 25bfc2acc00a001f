import { describe, expect, it } from '@jest/globals';
import { ticketRowsHtml } from './ticket-table.js';

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
