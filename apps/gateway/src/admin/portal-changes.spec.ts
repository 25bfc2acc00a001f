import { describe, expect, it } from '@jest/globals';
import { changesBetween, MAX_VALUE_LENGTH } from './portal-changes.js';

describe('changesBetween', () => {
  it('lists only the keys whose values differ, nested keys dotted', () => {
    expect(
      changesBetween(
        { label: 'Tickets', showStages: false, columns: [{ property: 'subject', label: 'Subject' }] },
        { label: 'Cases', showStages: false, columns: [{ property: 'subject', label: 'Topic' }] },
      ),
    ).toEqual([
      { key: 'label', before: '"Tickets"', after: '"Cases"' },
      { key: 'columns.0.label', before: '"Subject"', after: '"Topic"' },
    ]);
  });

  it('shows added and removed keys and list items as (none) on the other side', () => {
    expect(
      changesBetween(
        { columns: [{ property: 'subject' }, { property: 'status' }] },
        { columns: [{ property: 'subject' }], alias: null },
      ),
    ).toEqual([
      { key: 'alias', before: '(none)', after: 'null' },
      { key: 'columns.1.property', before: '"status"', after: '(none)' },
    ]);
  });

  it('tells a number from a string and an emptied list from an unchanged one', () => {
    expect(changesBetween({ minutes: '5', ids: ['a'] }, { minutes: 5, ids: [] })).toEqual([
      { key: 'minutes', before: '"5"', after: '5' },
      { key: 'ids', before: '(none)', after: '[]' },
      { key: 'ids.0', before: '"a"', after: '(none)' },
    ]);
    expect(changesBetween({ ids: [] }, { ids: [] })).toEqual([]);
  });

  it('lists every key of a first save', () => {
    expect(changesBetween(null, { enabled: true, oidc: { issuer: 'https://id.test' } })).toEqual([
      { key: 'enabled', before: '(none)', after: 'true' },
      { key: 'oidc.issuer', before: '(none)', after: '"https://id.test"' },
    ]);
  });

  it('shortens long values', () => {
    const [change] = changesBetween({ source: 'a' }, { source: 'x'.repeat(5_000) });
    expect(change.after).toHaveLength(MAX_VALUE_LENGTH);
    expect(change.after.endsWith('…')).toBe(true);
  });
});
