import { describe, expect, it } from '@jest/globals';
import type { TicketListRow } from '../tickets/ticket-query.js';
import { exportFileName, exportRecords, formatDateTime, type ExportLayout } from './export-format.js';

const stage = '00000000-0000-4000-8000-000000000001';
const pipeline = '00000000-0000-4000-8000-000000000002';

const row = (overrides: Partial<TicketListRow> = {}): TicketListRow => ({
  id: '00000000-0000-4000-8000-0000000000aa',
  subject: 'Printer on fire',
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
  properties: { contract: 'C-12', seats: 5, vip: true, tags: ['a'], missing: null },
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
});

describe('exportFileName', () => {
  it('names the file after the list and when the export was started, in the portal’s language', () => {
    expect(exportFileName(new Date('2026-11-27T14:05:09Z'), 'en')).toBe('tickets-2026-11-27-1405.csv');
    expect(exportFileName(new Date('2026-11-27T14:05:09Z'), 'fi')).toBe('tiketit-2026-11-27-1405.csv');
  });
});
