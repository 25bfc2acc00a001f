import { describe, expect, it } from '@jest/globals';
import { stringify } from 'csv-stringify/sync';
import type { TicketListRow } from '../tickets/ticket-query.js';
import {
  csvField,
  exportCsv,
  exportFields,
  exportFileName,
  exportRecords,
  formatDateTime,
  type CsvValue,
  type ExportLayout,
} from './export-format.js';

const stage = '00000000-0000-4000-8000-000000000001';
const pipeline = '00000000-0000-4000-8000-000000000002';

const row = (overrides: Partial<TicketListRow> = {}): TicketListRow => ({
  id: '00000000-0000-4000-8000-0000000000aa',
  subject: 'Printer on fire',
  content: 'Smoke, then flames.\nSent from my phone',
  priority: 'urgent',
  pipelineId: pipeline,
  stageId: stage,
  closed: false,
  ownerId: '00000000-0000-4000-8000-0000000000bb',
  ownerFirstName: 'Sam',
  ownerLastName: 'Agent',
  requesterContactId: null,
  requesterName: 'Alice Example',
  requesterEmail: 'alice@acme.test',
  companyId: null,
  source: 'portal',
  properties: {
    contract: 'C-12',
    seats: 5,
    vip: true,
    tags: ['a'],
    missing: null,
    plan: 'gold',
    tier: 'gold',
  },
  createdAt: '2026-11-27T14:05:59.999Z',
  lastActivityAt: '2026-01-07T09:03:00.000Z',
  closedAt: null,
  sortValue: null,
  ...overrides,
});

const layout = (overrides: Partial<ExportLayout> = {}): ExportLayout => ({
  columns: [
    { property: 'subject', label: 'Subject' },
    { property: 'status', label: 'Status' },
    { property: 'priority', label: 'Priority' },
    { property: 'owner', label: 'Owner' },
    { property: 'created_at', label: 'Created' },
    { property: 'last_activity_at', label: 'Last activity' },
    { property: 'closed_at', label: 'Closed' },
  ],
  showStages: false,
  language: 'en',
  ownerDisplay: { mode: 'first_name', alias: null },
  stageLabels: new Map([[stage, 'Waiting on us']]),
  pipelineLabels: new Map([[pipeline, 'Support']]),
  definitions: [
    { name: 'contract', label: 'Contract', type: 'string' },
    { name: 'seats', label: 'Seats', type: 'number' },
    {
      name: 'plan',
      label: 'Plan',
      type: 'enumeration',
      options: [
        { value: 'gold', label: 'Gold plan' },
        { value: 'basic', label: 'Basic plan' },
      ],
    },
  ],
  ...overrides,
});

describe('formatDateTime', () => {
  it('writes the portal’s English and Finnish formats in UTC, to the minute', () => {
    expect(formatDateTime('2026-11-27T14:05:59.999Z', 'en')).toBe('27 Nov 2026 14:05');
    expect(formatDateTime('2026-11-27T14:05:59.999Z', 'fi')).toBe('27.11.2026 14.05');
    expect(formatDateTime('2026-01-07T09:03:00.000Z', 'en')).toBe('7 Jan 2026 09:03');
    expect(formatDateTime('2026-01-07T09:03:00.000Z', 'fi')).toBe('7.1.2026 9.03');
    expect(formatDateTime('2026-01-07T23:30:00+02:00', 'en')).toBe('7 Jan 2026 21:30');
    expect(formatDateTime(null, 'fi')).toBe('');
  });
});

describe('formatDateTime, read by position', () => {
  // The pattern the positional reading replaces, as a reference.
  const reference = (value: string, language: 'en' | 'fi') => {
    const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value)!;
    const [, year, month, day, hour, minute] = match;
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    return language === 'fi'
      ? `${Number(day)}.${Number(month)}.${year} ${Number(hour)}.${minute}`
      : `${Number(day)} ${months[Number(month) - 1]} ${year} ${hour}:${minute}`;
  };

  it('writes timestamps across the years as the pattern did, also from its cache', () => {
    let at = Date.UTC(1999, 11, 31, 23, 59, 59, 999);
    for (let i = 0; i < 2_000; i++) {
      const iso = new Date(at).toISOString();
      for (const language of ['en', 'fi'] as const) {
        expect(formatDateTime(iso, language)).toBe(reference(iso, language));
        expect(formatDateTime(iso, language)).toBe(reference(iso, language));
      }
      at += 19_799_329_981; // about seven and a half months and odd minutes
    }
  });

  it('writes digits that are no real date or time as they are, as the pattern did', () => {
    for (const odd of [
      '2026-00-00T24:60Z',
      '0000-13-99T99:99:99.999Z',
      '2026-11-07T09:05Z',
      '2026-11-07T09:05:00Z',
    ])
      for (const language of ['en', 'fi'] as const)
        expect(formatDateTime(odd, language)).toBe(reference(odd, language));
    expect(formatDateTime('2026-11-07 09:05Z', 'en')).toBe('');
    expect(formatDateTime('Z', 'fi')).toBe('');
  });
});

describe('exportRecords', () => {
  it('gives the labels as the header and each column as the portal shows it, in English', () => {
    const { header, record } = exportRecords(layout());
    expect(header).toEqual(['Subject', 'Status', 'Priority', 'Owner', 'Created', 'Last activity', 'Closed']);
    expect(record(row())).toEqual([
      'Printer on fire',
      'Open',
      'Urgent',
      'Sam',
      '27 Nov 2026 14:05',
      '7 Jan 2026 09:03',
      '',
    ]);
    expect(
      record(row({ closed: true, priority: null, ownerId: null, closedAt: '2026-11-28T08:00:00.000Z' })),
    ).toEqual([
      'Printer on fire',
      'Closed',
      '',
      '',
      '27 Nov 2026 14:05',
      '7 Jan 2026 09:03',
      '28 Nov 2026 08:00',
    ]);
  });

  it('writes Finnish words and dates, and stage names when the portal shows stages', () => {
    const { record } = exportRecords(layout({ language: 'fi' }));
    expect(record(row()).slice(0, 3)).toEqual(['Printer on fire', 'Avoin', 'Kiireellinen']);
    expect(record(row({ closed: true, priority: 'medium' })).slice(1, 3)).toEqual(['Suljettu', 'Normaali']);
    expect(record(row({ priority: 'low' }))[2]).toBe('Matala');
    expect(record(row({ priority: 'high' }))[2]).toBe('Korkea');
    expect(record(row())[4]).toBe('27.11.2026 14.05');
    expect(exportRecords(layout({ showStages: true })).record(row())[1]).toBe('Waiting on us');
  });

  it.each([
    ['first_name', null, 'Sam'],
    ['last_name', null, 'Agent'],
    ['full_name', null, 'Sam Agent'],
    ['alias', 'Support team', 'Support team'],
  ] as const)('names the owner by %s', (mode, alias, expected) => {
    const { record } = exportRecords(
      layout({ columns: [{ property: 'owner', label: 'Owner' }], ownerDisplay: { mode, alias } }),
    );
    expect(record(row())).toEqual([expected]);
  });

  it('writes custom properties raw and the other built-ins by name', () => {
    const { record } = exportRecords(
      layout({
        columns: [
          'contract',
          'seats',
          'vip',
          'tags',
          'missing',
          'unknown',
          'pipeline',
          'stage',
          'source',
        ].map((property) => ({ property, label: property })),
      }),
    );
    expect(record(row())).toEqual(['C-12', 5, 'true', '["a"]', '', '', 'Support', 'Waiting on us', 'Portal']);
  });

  it('writes a custom choice by its option’s label, and a value that is no longer an option as stored', () => {
    const { record } = exportRecords(
      layout({ columns: ['plan', 'tier'].map((property) => ({ property, label: property })) }),
    );
    // `tier` holds the same text but is no choice: it is written as it is.
    expect(record(row())).toEqual(['Gold plan', 'gold']);
    expect(record(row({ properties: { plan: 'platinum' } }))).toEqual(['platinum', '']);
    expect(record(row({ properties: { plan: '' } }))).toEqual(['', '']);
  });

  it('writes the description', () => {
    const { record } = exportRecords(layout({ columns: [{ property: 'content', label: 'Description' }] }));
    expect(record(row())).toEqual(['Smoke, then flames.\nSent from my phone']);
    expect(record(row({ content: '' }))).toEqual(['']);
  });
});

describe('csvField', () => {
  // csv-stringify with the options the exports used, and line breaks quoted wherever they are.
  const reference = (values: CsvValue[]) =>
    stringify([values], { escape_formulas: true, record_delimiter: 'windows', quote_record_delimiter: true });
  const awkward: CsvValue[] = [
    '',
    'plain',
    'a,b',
    'say "hi"',
    '"',
    'line\r\nbreak',
    'lone\nLF',
    'lone\rCR',
    'ends in CR\r',
    '=1+2',
    '+49 123',
    '-5',
    '@SUM(A1)',
    '\tindented',
    '\rcarriage',
    '\uFF1D1',
    '\uFF0B1',
    '\uFF0D1',
    '\uFF20x',
    "'quoted already",
    '=HYPERLINK("http://x", "y, z")',
    ' spaced ',
    'Hämäläinen ✓ 日本',
    0,
    -1.5,
    42,
    Number.NaN,
    1e21,
  ];

  it('writes each value as csv-stringify does: formulas escaped, quotes doubled, separators quoted', () => {
    for (const value of awkward) expect(csvField(value) + ',x\r\n').toBe(reference([value, 'x']));
  });

  it('quotes a lone CR or LF, which would otherwise end the record in a spreadsheet', () => {
    expect(csvField('lone\nLF')).toBe('"lone\nLF"');
    expect(csvField('lone\rCR')).toBe('"lone\rCR"');
  });
});

const sampleRows = [
  row(),
  row({ subject: '=cmd|"/c calc"!A1, really', closed: true, priority: null, ownerId: null }),
  row({
    subject: '-',
    requesterName: '@bob',
    ownerFirstName: '+Sam',
    closedAt: '2026-11-28T08:00:00.000Z',
  }),
  row({ subject: 'two\r\nlines', properties: null, source: 'email' }),
];
const sampleLayouts = [
  layout(),
  layout({ language: 'fi', showStages: true }),
  layout({
    columns: [
      { property: 'requester', label: '=Requester' },
      { property: 'requester_email', label: 'Email, primary' },
      { property: 'contract', label: 'Contract' },
      { property: 'seats', label: 'Seats' },
      { property: 'tags', label: 'Tags' },
      { property: 'content', label: 'Description' },
      { property: 'source', label: 'Source' },
    ],
    ownerDisplay: { mode: 'full_name', alias: null },
  }),
];

describe('exportCsv', () => {
  it('writes the same file as exportRecords through csv-stringify: BOM, header, CRLF records', () => {
    for (const each of sampleLayouts) {
      const { header, record } = exportRecords(each);
      const { head, line } = exportCsv(each);
      const expected = stringify([header, ...sampleRows.map(record)], {
        bom: true,
        escape_formulas: true,
        record_delimiter: 'windows',
      });
      expect(Buffer.from(head + sampleRows.map(line).join(''), 'utf8')).toEqual(
        Buffer.from(expected, 'utf8'),
      );
    }
  });
});

describe('exportFields', () => {
  it('selects only the row fields the columns read', () => {
    expect(exportFields(layout())).toEqual([
      'subject',
      'closed',
      'priority',
      'ownerId',
      'ownerFirstName',
      'ownerLastName',
      'createdAt',
      'lastActivityAt',
      'closedAt',
    ]);
    expect(
      exportFields({
        columns: [
          { property: 'contract', label: 'C' },
          { property: 'seats', label: 'S' },
        ],
        showStages: false,
      }),
    ).toEqual(['properties']);
    expect(
      exportFields(layout({ showStages: true, columns: [{ property: 'status', label: 'Status' }] })),
    ).toEqual(['closed', 'stageId']);
    expect(exportFields(layout({ columns: [{ property: 'content', label: 'Description' }] }))).toEqual([
      'content',
    ]);
  });

  it('names every field a row needs: the cells read the same from those fields as from the whole row', () => {
    const fields = exportFields(sampleLayouts[2]);
    const picked = Object.fromEntries(fields.map((field) => [field, sampleRows[0][field]]));
    // Every cell gives the same value from the fields alone as from the whole row.
    expect(exportCsv(sampleLayouts[2]).line(picked as unknown as TicketListRow)).toBe(
      exportCsv(sampleLayouts[2]).line(sampleRows[0]),
    );
    for (const each of sampleLayouts) {
      const only = Object.fromEntries(exportFields(each).map((field) => [field, sampleRows[1][field]]));
      expect(exportCsv(each).line(only as unknown as TicketListRow)).toBe(
        exportCsv(each).line(sampleRows[1]),
      );
    }
  });
});

describe('exportFileName', () => {
  it('names the file after the list and when the export was started, in the portal’s language', () => {
    expect(exportFileName(new Date('2026-11-27T14:05:09Z'), 'en')).toBe('tickets-2026-11-27-1405.csv');
    expect(exportFileName(new Date('2026-11-27T14:05:09Z'), 'fi')).toBe('tiketit-2026-11-27-1405.csv');
  });
});
