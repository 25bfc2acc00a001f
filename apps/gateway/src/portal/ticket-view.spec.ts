import type { ResolvedPortal } from '@helpdesk/contracts';
import { RECOMMENDED_COLUMNS } from '@helpdesk/contracts';
import { describe, expect, it } from '@jest/globals';
import { translatorFor } from './i18n.js';
import {
  columnLabel,
  customerFilters,
  pageLinks,
  parseListView,
  sortLink,
  textToHtml,
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

describe('columnLabel', () => {
  it('translates default labels and keeps the ones an admin wrote', () => {
    const fi = translatorFor('fi');
    expect(columnLabel({ property: 'owner', label: 'Ticket owner' }, fi)).toBe('Käsittelijä');
    expect(columnLabel({ property: 'owner', label: 'Agent' }, fi)).toBe('Agent');
    expect(columnLabel({ property: 'region', label: 'Region' }, fi)).toBe('Region');
  });
});

describe('textToHtml', () => {
  it('keeps paragraphs and line breaks and escapes everything else', () => {
    expect(textToHtml('Hello\r\nthere\n\n\n<b>bold</b> & "so"\n')).toBe(
      '<p>Hello<br>there</p><p>&lt;b&gt;bold&lt;/b&gt; &amp; &quot;so&quot;</p>',
    );
    expect(textToHtml('  \n\n ')).toBe('');
  });
});
