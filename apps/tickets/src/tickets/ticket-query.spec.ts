import { describe, expect, it } from '@jest/globals';
import type { Filter, FilterCondition } from '@helpdesk/contracts';
import { filterProblems } from '@helpdesk/contracts';
import {
  builtinTicketPropertyNames,
  recommendedTicketColumns,
  ticketProperties,
  type TicketProperty,
} from './ticket-properties.js';
import {
  compileFilter,
  compileTicketList,
  decodeTicketListCursor,
  encodeTicketListCursor,
  pgTimestamp,
  SqlParams,
  ticketListPage,
  type TicketListInput,
  type TicketListRow,
} from './ticket-query.js';

const pipeline = '0b6c2b0e-4a57-4c6e-9d7a-1c2f3e4d5a6b';
const stages = ['1b6c2b0e-4a57-4c6e-9d7a-1c2f3e4d5a6b', '2b6c2b0e-4a57-4c6e-9d7a-1c2f3e4d5a6b'];
const definitions: TicketProperty[] = ticketProperties(
  [
    { name: 'seats', label: 'Seats', type: 'number' },
    { name: 'due_on', label: 'Due on', type: 'date' },
    { name: 'vip', label: 'VIP', type: 'boolean' },
    { name: 'nickname', label: 'Nickname', type: 'string' },
    {
      name: 'tier',
      label: 'Tier',
      type: 'enumeration',
      options: [
        { value: 'gold', label: 'Gold' },
        { value: 'silver', label: 'Silver' },
      ],
    },
    // A custom property may not redefine a built-in.
    { name: 'subject', label: 'Hijacked', type: 'number' },
  ],
  {
    pipelines: [{ value: pipeline, label: 'Support' }],
    stages: stages.map((value, i) => ({ value, label: `Stage ${i}` })),
  },
);

/** Compiles a one-condition filter that an admin could save. */
function one(condition: FilterCondition): { sql: string; params: unknown[] } {
  const filter: Filter = { groups: [[condition]] };
  expect(filterProblems(filter, definitions)).toEqual({});
  return compile(filter);
}

function compile(filter: Filter): { sql: string; params: unknown[] } {
  const params = new SqlParams();
  return { sql: compileFilter(filter, definitions, params), params: params.values };
}

const ids = {
  account: 'a0000000-0000-4000-8000-000000000001',
  contact: 'c0000000-0000-4000-8000-000000000001',
  company: 'd0000000-0000-4000-8000-000000000001',
  ticket: 'e0000000-0000-4000-8000-000000000001',
};

function list(overrides: Partial<TicketListInput> = {}): { sql: string; params: unknown[] } {
  return compileTicketList({
    accountId: ids.account,
    scope: { contactId: ids.contact, companyId: ids.company, seesCompanyTickets: true, show: 'organization' },
    visibility: { groups: [] },
    filters: { groups: [] },
    sort: { property: 'created_at', direction: 'desc' },
    limit: 25,
    definitions,
    ...overrides,
  });
}

describe('ticket properties', () => {
  it('defines every built-in once, then the custom properties that do not reuse a built-in name', () => {
    expect(definitions.map((definition) => definition.name)).toEqual([
      ...builtinTicketPropertyNames,
      'seats',
      'due_on',
      'vip',
      'nickname',
      'tier',
    ]);
    expect(definitions.find((definition) => definition.name === 'subject')?.type).toBe('string');
  });

  it('makes every property sortable except the content', () => {
    expect(definitions.filter((definition) => !definition.sortable).map((d) => d.name)).toEqual(['content']);
  });

  it('recommends the S7 default columns', () => {
    expect(recommendedTicketColumns).toEqual([
      'subject',
      'requester',
      'created_at',
      'owner',
      'last_activity_at',
      'status',
    ]);
  });
});

describe('SqlParams', () => {
  it('numbers placeholders in the order values are added', () => {
    const params = new SqlParams();
    expect([params.add('a'), params.add(2), params.add(['x'])]).toEqual(['$1', '$2', '$3']);
    expect(params.values).toEqual(['a', 2, ['x']]);
  });
});

describe('compileFilter structure', () => {
  const subjectIs = (value: string): FilterCondition => ({ property: 'subject', operator: 'eq', value });

  it('matches everything without groups', () => {
    expect(compile({ groups: [] })).toEqual({ sql: 'true', params: [] });
  });

  it('matches nothing with an empty group', () => {
    expect(compile({ groups: [[]] })).toEqual({ sql: 'false', params: [] });
  });

  it('ANDs inside a group and ORs between groups', () => {
    const { sql, params } = compile({
      groups: [[subjectIs('a'), subjectIs('b')], [subjectIs('c')]],
    });
    expect(sql).toMatch(/^\(\(coalesce\(.*\$1.*\) and coalesce\(.*\$2.*\)\) or coalesce\(.*\$3.*\)\)$/s);
    expect(params).toEqual(['a', 'b', 'c']);
  });

  it.each<[string, FilterCondition]>([
    ['an undefined property', { property: 'nope', operator: 'neq', value: 'x' }],
    ['an operator the type does not allow', { property: 'priority', operator: 'contains', value: 'h' }],
    ['a value of the wrong type', { property: 'seats', operator: 'neq', value: 'many' }],
    ['a blank text value', { property: 'subject', operator: 'neq', value: '   ' }],
    ['a list where one value is expected', { property: 'subject', operator: 'neq', value: ['a'] }],
    ['a single value where a list is expected', { property: 'subject', operator: 'none_of', value: 'a' }],
    ['no value', { property: 'subject', operator: 'neq' }],
    ['an impossible date', { property: 'created_at', operator: 'neq', value: '2026-02-29' }],
    ['a list with one unreadable value', { property: 'seats', operator: 'none_of', value: [1, 'x'] }],
  ])('fails a group closed on %s, binding nothing', (_why, condition) => {
    expect(compile({ groups: [[subjectIs('a'), condition]] })).toEqual({ sql: 'false', params: [] });
    expect(compile({ groups: [[condition], [subjectIs('a')]] }).params).toEqual(['a']);
  });

  it('is true as soon as one group is, and false when every group fails', () => {
    expect(compile({ groups: [[{ property: 'nope', operator: 'known' }], []] }).sql).toBe('false');
    // "not equal" to text no ticket can hold is true for every ticket; nothing else gets bound.
    const always: FilterCondition = { property: 'subject', operator: 'neq', value: 'a\u0000' };
    expect(compile({ groups: [[subjectIs('a')], [always]] })).toEqual({ sql: 'true', params: [] });
    expect(compile({ groups: [[subjectIs('a'), always]] }).params).toEqual(['a']);
  });
});

describe('compileFilter on built-in columns', () => {
  it('compares text trimmed and case-insensitively', () => {
    const { sql, params } = one({ property: 'subject', operator: 'eq', value: '  Printer ' });
    expect(sql).toContain('nullif(lower(btrim(subject, ');
    expect(sql).toContain('= lower($1::text)');
    expect(params).toEqual(['Printer']);
  });

  it('treats an unknown value as "not equal"', () => {
    expect(one({ property: 'subject', operator: 'neq', value: 'x' }).sql).toMatch(
      /^coalesce\(not .*, true\)$/s,
    );
  });

  it('finds text inside and at the start without LIKE wildcards', () => {
    expect(one({ property: 'requester', operator: 'contains', value: '50%' })).toEqual({
      sql: expect.stringContaining('strpos(nullif(lower(btrim(requester_name, '),
      params: ['50%'],
    });
    expect(one({ property: 'owner', operator: 'starts_with', value: 'Sa_' }).sql).toContain(
      "starts_with(nullif(lower(btrim(coalesce(owner_first_name, '') || ' ' || coalesce(owner_last_name, ''),",
    );
  });

  it('lower-cases a list of text values in SQL', () => {
    const { sql, params } = one({
      property: 'requester_email',
      operator: 'none_of',
      value: ['A@x.test', 'b'],
    });
    expect(sql).toMatch(
      /^coalesce\(not .* = any \(select lower\(v\) from unnest\(\$1::text\[\]\) as v\), true\)$/s,
    );
    expect(params).toEqual([['A@x.test', 'b']]);
  });

  it('compares enumerations exactly', () => {
    expect(one({ property: 'priority', operator: 'eq', value: 'high' })).toEqual({
      sql: "coalesce(nullif(priority, '') = $1::text, false)",
      params: ['high'],
    });
    expect(one({ property: 'status', operator: 'any_of', value: ['closed'] }).sql).toContain(
      "case when closed then 'closed' when not closed then 'open' end",
    );
  });

  it('compares pipelines and stages as ids, and never equal to text that is not one', () => {
    expect(one({ property: 'stage', operator: 'eq', value: stages[0] })).toEqual({
      sql: '(stage_id is not null and stage_id = $1::uuid)',
      params: [stages[0]],
    });
    const notAnId = { groups: [[{ property: 'stage', operator: 'eq' as const, value: 'STAGE' }]] };
    expect(compile(notAnId).sql).toBe('false');
    const neq = { groups: [[{ property: 'stage', operator: 'neq' as const, value: 'STAGE' }]] };
    expect(compile(neq).sql).toBe('true');
    const anyOf = {
      groups: [[{ property: 'pipeline', operator: 'any_of' as const, value: ['x', pipeline.toUpperCase()] }]],
    };
    expect(compile(anyOf)).toEqual({ sql: 'false', params: [] });
    const someIds = {
      groups: [[{ property: 'pipeline', operator: 'none_of' as const, value: ['x', pipeline] }]],
    };
    expect(compile(someIds).params).toEqual([[pipeline]]);
  });

  it('matches nothing with text PostgreSQL cannot store, without binding it', () => {
    const nul = (operator: 'eq' | 'neq' | 'contains', value: string) =>
      compile({ groups: [[{ property: 'subject', operator, value }]] });
    expect(nul('eq', 'a\u0000')).toEqual({ sql: 'false', params: [] });
    expect(nul('neq', 'a\u0000')).toEqual({ sql: 'true', params: [] });
    expect(nul('contains', '\u0000')).toEqual({ sql: 'false', params: [] });
    const anyOf = compile({
      groups: [[{ property: 'priority', operator: 'any_of', value: ['high', 'x\u0000'] }]],
    });
    expect(anyOf.params).toEqual([['high']]);
  });

  it('compares dates by UTC day for eq / neq, through bounds computed here', () => {
    expect(one({ property: 'created_at', operator: 'eq', value: '2026-11-28T01:30:00+02:00' })).toEqual({
      sql: '(created_at is not null and (created_at >= $1::timestamptz and created_at < $2::timestamptz))',
      params: ['2026-11-27 00:00:00.000+00', '2026-11-28 00:00:00.000+00'],
    });
    expect(one({ property: 'closed_at', operator: 'neq', value: '2026-11-27' }).sql).toBe(
      '(closed_at is null or not (closed_at >= $1::timestamptz and closed_at < $2::timestamptz))',
    );
  });

  it('compares dates by instant for gt / lt', () => {
    expect(
      one({ property: 'last_activity_at', operator: 'gt', value: '2026-11-27T10:00:00.5-05:30' }),
    ).toEqual({
      sql: '(last_activity_at is not null and last_activity_at > $1::timestamptz)',
      params: ['2026-11-27 15:30:00.500+00'],
    });
  });

  it('checks known and unknown without binding anything', () => {
    expect(one({ property: 'closed_at', operator: 'unknown' })).toEqual({
      sql: '(closed_at is null)',
      params: [],
    });
    expect(one({ property: 'priority', operator: 'known' })).toEqual({
      sql: "(nullif(priority, '') is not null)",
      params: [],
    });
  });
});

describe('compileFilter on custom properties', () => {
  it('binds the property name instead of writing it into the SQL', () => {
    const { sql, params } = one({ property: 'nickname', operator: 'eq', value: 'Al' });
    expect(sql).not.toContain('nickname');
    expect(sql).toContain('properties -> $1::text');
    expect(params).toEqual(['nickname', 'Al']);
  });

  it('binds even a name that would break out of a string literal', () => {
    const evil = "x') or true or ('";
    const custom: TicketProperty = {
      name: evil,
      label: 'Evil',
      type: 'string',
      source: { kind: 'custom' },
      sortable: true,
    };
    const params = new SqlParams();
    const sql = compileFilter({ groups: [[{ property: evil, operator: 'known' }]] }, [custom], params);
    expect(sql).not.toContain(evil);
    expect(params.values).toEqual([evil]);
  });

  it('reads numbers as float8 and compares them numerically', () => {
    const { sql, params } = one({ property: 'seats', operator: 'gt', value: 10 });
    expect(sql).toContain("jsonb_typeof((properties -> $1::text)) when 'number'");
    expect(sql).toMatch(/> \$2::float8, false\)$/);
    expect(params).toEqual(['seats', 10]);
    expect(one({ property: 'seats', operator: 'any_of', value: [1, 2.5] }).params).toEqual([
      'seats',
      [1, 2.5],
    ]);
  });

  it('reads a number condition written as decimal text, as the evaluator does', () => {
    expect(compile({ groups: [[{ property: 'seats', operator: 'eq', value: ' 1e3 ' }]] }).params).toEqual([
      'seats',
      1000,
    ]);
  });

  it('compares custom dates in epoch milliseconds', () => {
    const { sql, params } = one({ property: 'due_on', operator: 'eq', value: '2026-11-27T23:00:00-02:00' });
    expect(sql).toMatch(/between \$2::bigint and \$3::bigint, false\)$/);
    expect(params).toEqual(['due_on', Date.UTC(2026, 10, 28), Date.UTC(2026, 10, 29) - 1]);
    expect(one({ property: 'due_on', operator: 'lt', value: '2026-11-27' }).params).toEqual([
      'due_on',
      Date.UTC(2026, 10, 27),
    ]);
  });

  it('reads booleans from JSON booleans and the strings "true" / "false"', () => {
    const { sql, params } = one({ property: 'vip', operator: 'neq', value: true });
    expect(sql).toContain(`in ('true', '"true"') then true`);
    expect(sql).toMatch(/^coalesce\(not .* = \$2::boolean, true\)$/s);
    expect(params).toEqual(['vip', true]);
  });

  it('compares custom enumerations exactly', () => {
    const { sql, params } = one({ property: 'tier', operator: 'none_of', value: ['gold'] });
    expect(sql).toMatch(/^coalesce\(not nullif\(.* = any \(\$2::text\[\]\), true\)$/s);
    expect(params).toEqual(['tier', ['gold']]);
  });
});

describe('pgTimestamp', () => {
  it.each([
    [Date.UTC(2026, 10, 27, 9, 30, 1, 2), '2026-11-27 09:30:01.002+00'],
    [new Date('0001-01-01T00:00:00Z').getTime(), '0001-01-01 00:00:00.000+00'],
    [new Date('0000-06-15T00:00:00Z').getTime(), '0001-06-15 00:00:00.000+00 BC'],
    [new Date('-000001-12-31T23:59:59.999Z').getTime(), '0002-12-31 23:59:59.999+00 BC'],
    [new Date('+010000-01-01T00:00:00Z').getTime(), '10000-01-01 00:00:00.000+00'],
  ])('writes %p as %p', (ms, text) => {
    expect(pgTimestamp(ms)).toBe(text);
  });
});

describe('compileTicketList', () => {
  it('always scopes to the account and the contact, and asks for one row more than the page', () => {
    const { sql, params } = list({
      scope: {
        contactId: ids.contact,
        companyId: ids.company,
        seesCompanyTickets: false,
        show: 'organization',
      },
      limit: 10,
    });
    expect(sql).toContain('where account_id = $1::uuid\n    and requester_contact_id = $2::uuid\n');
    expect(sql).not.toContain('company_id =');
    expect(sql).toMatch(/order by created_at desc, id desc\s+limit \$3$/);
    expect(params).toEqual([ids.account, ids.contact, 11]);
  });

  it('adds the company only for organization tickets of a contact who may see them', () => {
    expect(list().sql).toContain('(requester_contact_id = $2::uuid or company_id = $3::uuid)');
    for (const scope of [
      { contactId: ids.contact, companyId: ids.company, seesCompanyTickets: true, show: 'mine' as const },
      { contactId: ids.contact, companyId: null, seesCompanyTickets: true, show: 'organization' as const },
    ]) {
      expect(list({ scope }).sql).not.toContain('company_id =');
    }
  });

  it('ANDs the visibility filter and the customer filters with the scope', () => {
    const { sql, params } = list({
      visibility: { groups: [[{ property: 'status', operator: 'eq', value: 'open' }]] },
      filters: { groups: [[{ property: 'priority', operator: 'eq', value: 'high' }]] },
    });
    expect(sql).toContain(
      "and coalesce(nullif(case when closed then 'closed' when not closed then 'open' end, '') = $4::text, false)",
    );
    expect(sql).toContain("and coalesce(nullif(priority, '') = $5::text, false)");
    expect(params.slice(3, 5)).toEqual(['open', 'high']);
  });

  it('takes the portal’s yes/no and number range filters: a boolean, and the ends bound exactly as float8', () => {
    // A range from 3 to 10 as the portal sends it: beyond the numbers next to its ends.
    const [justBelow3, justAbove10] = [2.9999999999999996, 10.000000000000002];
    const { sql, params } = list({
      filters: {
        groups: [
          [
            { property: 'vip', operator: 'eq', value: false },
            { property: 'seats', operator: 'gt', value: justBelow3 },
            { property: 'seats', operator: 'lt', value: justAbove10 },
          ],
        ],
      },
    });
    expect(sql).toContain(
      ' end) = $5::boolean, false) and coalesce((case jsonb_typeof((properties -> $6::text))',
    );
    expect(sql).toContain(
      ' end) > $7::float8, false) and coalesce((case jsonb_typeof((properties -> $8::text))',
    );
    expect(sql).toContain(' end) < $9::float8, false))\n');
    expect(params.slice(3, 9)).toEqual(['vip', false, 'seats', justBelow3, 'seats', justAbove10]);
  });

  it('reads the content only when asked for it', () => {
    expect(list().sql).not.toMatch(/\bcontent\b/);
    expect(list({ fields: ['subject', 'content'] }).sql).toMatch(
      /^select subject as "subject", content as "content"\s+from tickets\.ticket\s/,
    );
  });

  it('lists nothing when the visibility filter fails closed', () => {
    const visibility = { groups: [[{ property: 'gone', operator: 'known' as const }]] };
    expect(list({ visibility }).sql).toContain('\n    and false\n');
  });

  it('searches words in subject, content and messages and any part of the subject, escaping LIKE wildcards', () => {
    const { sql, params } = list({ search: '  50%_off\\ ' });
    expect(sql).toContain("(search @@ websearch_to_tsquery('simple', $4::text) or subject ilike $5::text)");
    expect(params.slice(3, 5)).toEqual(['50%_off\\', '%50\\%\\_off\\\\%']);
    expect(list({ search: '   ' }).sql).not.toContain('search @@');
    expect(list({ search: 'a\u0000b' }).params.slice(3, 5)).toEqual(['ab', '%ab%']);
  });

  it('refuses a search longer than a filter text', () => {
    expect(() => list({ search: 'a '.repeat(600) })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });

  it('continues after the cursor with unknown values last, in both directions', () => {
    const after = { value: '2026-11-27T00:00:00.000Z', id: ids.ticket };
    expect(list({ after, sort: { property: 'closed_at', direction: 'desc' } }).sql).toContain(
      'and ((closed_at, id) < ($4::timestamptz, $5::uuid) or closed_at is null)',
    );
    // A NOT NULL column: a plain row comparison and order, which an index can serve.
    const created = list({ after });
    expect(created.sql).toContain('and (created_at, id) < ($4::timestamptz, $5::uuid)\n');
    expect(created.sql).toContain('order by created_at desc, id desc');
    const asc = list({
      after: { value: null, id: ids.ticket },
      sort: { property: 'closed_at', direction: 'asc' },
    });
    expect(asc.sql).toContain('and (closed_at is null and id > $4::uuid)');
    expect(asc.sql).toContain('order by closed_at asc nulls last, id asc');
  });

  it('sorts enumerations by the position of their options', () => {
    const { sql, params } = list({ sort: { property: 'priority', direction: 'asc' } });
    expect(sql).toContain("order by array_position($4::text[], nullif(priority, '')) asc nulls last, id asc");
    expect(params[3]).toEqual(['low', 'medium', 'high', 'urgent']);
    expect(list({ sort: { property: 'stage', direction: 'asc' } }).params[3]).toEqual(stages);
  });

  it('returns the sort value of every row, timestamps as ISO text', () => {
    expect(list().sql).toContain(
      `to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "sortValue"`,
    );
  });

  it.each([
    ['the content', { property: 'content', direction: 'asc' as const }],
    ['an unknown property', { property: 'nope', direction: 'asc' as const }],
    ['a bad direction', { property: 'subject', direction: 'sideways' as 'asc' }],
  ])('refuses to sort by %s', (_what, sort) => {
    expect(() => list({ sort })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it.each([
    [
      'text for a date',
      { property: 'created_at', direction: 'desc' as const },
      { value: 'yesterday', id: ids.ticket },
    ],
    ['a number for text', { property: 'subject', direction: 'asc' as const }, { value: 3, id: ids.ticket }],
    [
      'a fraction for a position',
      { property: 'priority', direction: 'asc' as const },
      { value: 1.5, id: ids.ticket },
    ],
    [
      'a NUL in text',
      { property: 'subject', direction: 'asc' as const },
      { value: 'a\u0000', id: ids.ticket },
    ],
    [
      'an id that is not a uuid',
      { property: 'subject', direction: 'asc' as const },
      { value: 'a', id: '1; drop' },
    ],
  ])('refuses a cursor with %s', (_what, sort, after) => {
    expect(() => list({ sort, after })).toThrow(expect.objectContaining({ code: 'INVALID_CURSOR' }));
  });

  it('refuses ids that are not uuids and limits below one', () => {
    expect(() => list({ accountId: 'acme' })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => list({ limit: 0 })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});

describe('ticket list pages and cursors', () => {
  const row = (id: string, sortValue: string | number | null) => ({ id, sortValue }) as TicketListRow;

  it('continues after the last row of a full page, and not after the last page', () => {
    const rows = [row('a', 1), row('b', null), row('c', 3)];
    expect(ticketListPage(rows, 2)).toEqual({ rows: rows.slice(0, 2), after: { value: null, id: 'b' } });
    expect(ticketListPage(rows, 3)).toEqual({ rows, after: null });
  });

  it('round-trips a cursor for the sort it was made for', () => {
    const sort = { property: 'seats', direction: 'desc' as const };
    for (const value of ['text', 1.25, null]) {
      const after = { value, id: ids.ticket };
      expect(decodeTicketListCursor(sort, encodeTicketListCursor(sort, after))).toEqual(after);
    }
  });

  it('rejects a cursor made for another sort, or not made here', () => {
    const cursor = encodeTicketListCursor(
      { property: 'seats', direction: 'desc' },
      { value: 1, id: ids.ticket },
    );
    for (const sort of [
      { property: 'seats', direction: 'asc' as const },
      { property: 'subject', direction: 'desc' as const },
    ]) {
      expect(() => decodeTicketListCursor(sort, cursor)).toThrow(
        expect.objectContaining({ code: 'INVALID_CURSOR' }),
      );
    }
    const forged = Buffer.from(JSON.stringify(['seats', 'desc', '{"a":1}', ids.ticket])).toString(
      'base64url',
    );
    expect(() => decodeTicketListCursor({ property: 'seats', direction: 'desc' }, forged)).toThrow(
      expect.objectContaining({ code: 'INVALID_CURSOR' }),
    );
  });
});
