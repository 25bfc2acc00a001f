import type { Language, PortalListRequest, PortalColumn } from '@helpdesk/contracts';
import type { z } from 'zod';
import { builtinTicketPropertyNames, type BuiltinTicketPropertyName } from '../tickets/ticket-properties.js';
import type { TicketListRow } from '../tickets/ticket-query.js';

/**
 * How a ticket reads in a CSV export: each configured column as the portal shows it (SPEC P4, S7),
 * in the portal's language. Pure functions; the CSV writer escapes and quotes what they return.
 */

export type OwnerDisplaySetting = z.output<typeof PortalListRequest>['ownerDisplay'];
export type CsvValue = string | number;

export interface ExportLayout {
  columns: readonly z.output<typeof PortalColumn>[];
  /** S7 ticket stages: the status column shows the stage's name instead of Open / Closed. */
  showStages: boolean;
  language: Language;
  ownerDisplay: OwnerDisplaySetting;
  /** The account's stages and pipelines by id. */
  stageLabels: ReadonlyMap<string, string>;
  pipelineLabels: ReadonlyMap<string, string>;
}

interface Words {
  status: { open: string; closed: string };
  priority: Record<'low' | 'medium' | 'high' | 'urgent', string>;
  source: Record<'portal' | 'form' | 'email' | 'api', string>;
  fileName: string;
}

const words: Record<Language, Words> = {
  en: {
    status: { open: 'Open', closed: 'Closed' },
    priority: { low: 'Low', medium: 'Medium', high: 'High', urgent: 'Urgent' },
    source: { portal: 'Portal', form: 'Form', email: 'Email', api: 'API' },
    fileName: 'tickets',
  },
  fi: {
    status: { open: 'Avoin', closed: 'Suljettu' },
    priority: { low: 'Matala', medium: 'Normaali', high: 'Korkea', urgent: 'Kiireellinen' },
    source: { portal: 'Portaali', form: 'Lomake', email: 'Sähköposti', api: 'API' },
    fileName: 'tiketit',
  },
};

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const isoUtc = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/;

/**
 * A timestamp as the portal shows it, in UTC to the minute: `7 Nov 2026 09:05` in English,
 * `7.11.2026 9.05` in Finnish (the Finnish convention: no leading zeros, a dot between hours and
 * minutes). Empty for no value.
 */
export function formatDateTime(value: string | null, language: Language): string {
  if (!value) return '';
  // Rows carry `YYYY-MM-DDTHH:MI:SS.MSSZ` from PostgreSQL; anything else goes through Date first.
  const match = isoUtc.exec(value.endsWith('Z') ? value : new Date(value).toISOString());
  if (!match) return '';
  const [, year, month, day, hour, minute] = match;
  return language === 'fi'
    ? `${Number(day)}.${Number(month)}.${year} ${Number(hour)}.${minute}`
    : `${Number(day)} ${months[Number(month) - 1]} ${year} ${hour}:${minute}`;
}

/** SPEC S7: owners are named by first name (default), full name, last name or one alias for all. */
export function ownerName(
  row: Pick<TicketListRow, 'ownerId' | 'ownerFirstName' | 'ownerLastName'>,
  display: OwnerDisplaySetting,
): string {
  if (!row.ownerId) return '';
  const first = row.ownerFirstName ?? '';
  const last = row.ownerLastName ?? '';
  switch (display.mode) {
    case 'first_name':
      return first || last;
    case 'last_name':
      return last || first;
    case 'full_name':
      return `${first} ${last}`.trim();
    case 'alias':
      return display.alias ?? '';
  }
}

/** A custom property's value as stored: text and numbers as they are, true/false, JSON for anything else. */
function rawValue(value: unknown): CsvValue {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return JSON.stringify(value);
}

type Cell = (row: TicketListRow) => CsvValue;

const builtins: ReadonlySet<string> = new Set(builtinTicketPropertyNames);

function builtinCell(name: BuiltinTicketPropertyName, layout: ExportLayout): Cell {
  const w = words[layout.language];
  const date = (value: string | null) => formatDateTime(value, layout.language);
  const openOrClosed = (row: TicketListRow) => (row.closed ? w.status.closed : w.status.open);
  switch (name) {
    case 'subject':
      return (row) => row.subject;
    case 'content':
      // The list carries no descriptions; the portal's list shows none either.
      return () => '';
    case 'priority':
      return (row) =>
        row.priority ? (w.priority[row.priority as keyof Words['priority']] ?? row.priority) : '';
    case 'status':
      return layout.showStages
        ? (row) => layout.stageLabels.get(row.stageId) ?? openOrClosed(row)
        : openOrClosed;
    case 'pipeline':
      return (row) => layout.pipelineLabels.get(row.pipelineId) ?? '';
    case 'stage':
      return (row) => layout.stageLabels.get(row.stageId) ?? '';
    case 'owner':
      return (row) => ownerName(row, layout.ownerDisplay);
    case 'requester':
      return (row) => row.requesterName ?? '';
    case 'requester_email':
      return (row) => row.requesterEmail ?? '';
    case 'company':
      return (row) => row.companyId ?? '';
    case 'source':
      return (row) => w.source[row.source as keyof Words['source']] ?? row.source;
    case 'created_at':
      return (row) => date(row.createdAt);
    case 'last_activity_at':
      return (row) => date(row.lastActivityAt);
    case 'closed_at':
      return (row) => date(row.closedAt);
  }
}

/**
 * Turns list rows into CSV records for the layout: the header (the columns' labels) and one
 * function per row, built once so the per-row work is a few property reads.
 */
export function exportRecords(layout: ExportLayout): {
  header: string[];
  record: (row: TicketListRow) => CsvValue[];
} {
  const cells = layout.columns.map(({ property }): Cell => {
    if (builtins.has(property)) return builtinCell(property as BuiltinTicketPropertyName, layout);
    return (row) => rawValue(row.properties?.[property]);
  });
  return {
    header: layout.columns.map((column) => column.label),
    record: (row) => cells.map((cell) => cell(row)),
  };
}

/** The name a downloaded export gets: `tickets-2026-11-27-1405.csv` (`tiketit-…` in Finnish), UTC. */
export function exportFileName(createdAt: Date, language: Language): string {
  const stamp = createdAt.toISOString().slice(0, 16).replace('T', '-').replace(':', '');
  return `${words[language].fileName}-${stamp}.csv`;
}
