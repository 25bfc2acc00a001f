import type { Language, PortalListRequest, PortalColumn, PropertyDefinition } from '@helpdesk/contracts';
import type { z } from 'zod';
import { builtinTicketPropertyNames, type BuiltinTicketPropertyName } from '../tickets/ticket-properties.js';
import type { TicketListRow } from '../tickets/ticket-query.js';

/**
 * How a ticket reads in a CSV export: each configured column as the portal shows it (SPEC P4, S7),
 * in the portal's language, written as CSV text; and the row fields an export's statement selects.
 * Pure functions.
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
  /** The account's ticket properties: a custom choice's cells show its options' labels. */
  definitions: readonly PropertyDefinition[];
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
  const iso = value.endsWith('Z') ? value : new Date(value).toISOString();
  // An export formats millions of these: read the digits by position, no regular expression, and
  // reuse the text of days and minutes already written.
  if (startsIsoMinute(iso)) return dayText(iso, language) + ' ' + minuteText(iso, language);
  const match = isoUtc.exec(iso);
  if (!match) return '';
  const [, year, month, day, hour, minute] = match;
  return language === 'fi'
    ? `${Number(day)}.${Number(month)}.${year} ${Number(hour)}.${minute}`
    : `${Number(day)} ${months[Number(month) - 1]} ${year} ${hour}:${minute}`;
}

const isDigit = (value: string, at: number) => {
  const code = value.charCodeAt(at);
  return code >= 0x30 && code <= 0x39;
};

/** Whether `value` starts with `DDDD-DD-DDTDD:DD` (D a digit), the part of `isoUtc` that is read. */
function startsIsoMinute(value: string): boolean {
  return (
    value.length >= 16 &&
    isDigit(value, 0) &&
    isDigit(value, 1) &&
    isDigit(value, 2) &&
    isDigit(value, 3) &&
    value.charCodeAt(4) === 0x2d && // -
    isDigit(value, 5) &&
    isDigit(value, 6) &&
    value.charCodeAt(7) === 0x2d &&
    isDigit(value, 8) &&
    isDigit(value, 9) &&
    value.charCodeAt(10) === 0x54 && // T
    isDigit(value, 11) &&
    isDigit(value, 12) &&
    value.charCodeAt(13) === 0x3a && // :
    isDigit(value, 14) &&
    isDigit(value, 15)
  );
}

const digits = (value: string, at: number) =>
  (value.charCodeAt(at) - 0x30) * 10 + value.charCodeAt(at + 1) - 0x30;

/** The day's text by language, keyed by yyyymmdd: a million tickets fall on about a thousand days. */
const days: Record<Language, Map<number, string>> = { en: new Map(), fi: new Map() };

function dayText(iso: string, language: Language): string {
  const key = (digits(iso, 0) * 100 + digits(iso, 2)) * 10_000 + digits(iso, 5) * 100 + digits(iso, 8);
  const cache = days[language];
  let text = cache.get(key);
  if (text === undefined) {
    const [year, month, day] = [iso.slice(0, 4), digits(iso, 5), digits(iso, 8)];
    text = language === 'fi' ? `${day}.${month}.${year}` : `${day} ${months[month - 1]} ${year}`;
    // Bounded: a data set spread over more days than this only costs the formatting again.
    if (cache.size >= 20_000) cache.clear();
    cache.set(key, text);
  }
  return text;
}

/** `HH:MI` (English) or `H.MI` (Finnish) of every minute of a day, made on first use. */
const minutes: Partial<Record<Language, string[]>> = {};

function minuteText(iso: string, language: Language): string {
  const hour = digits(iso, 11);
  const minute = digits(iso, 14);
  // Only a real time of day is in the table; whatever else the digits say is written as they are.
  if (hour > 23 || minute > 59) return language === 'fi' ? `${hour}.${iso.slice(14, 16)}` : iso.slice(11, 16);
  const table = (minutes[language] ??= Array.from({ length: 24 * 60 }, (_, i) => {
    const [h, m] = [Math.floor(i / 60), String(i % 60).padStart(2, '0')];
    return language === 'fi' ? `${h}.${m}` : `${String(h).padStart(2, '0')}:${m}`;
  }));
  return table[hour * 60 + minute];
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

/**
 * A custom property's value in the file: a choice's (`options`, labels by value) as its option's
 * label, or as stored when it is no longer an option; text and numbers as they are, true/false,
 * JSON for anything else.
 */
function customValue(value: unknown, options?: ReadonlyMap<string, string>): CsvValue {
  if (value === null || value === undefined) return '';
  if (options && typeof value === 'string') return options.get(value) ?? value;
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
      return (row) => row.content ?? '';
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

function cellsOf(layout: ExportLayout): Cell[] {
  return layout.columns.map(({ property }): Cell => {
    if (builtins.has(property)) return builtinCell(property as BuiltinTicketPropertyName, layout);
    // The last definition of a name wins, as in the list's filters.
    const definition = layout.definitions.findLast((candidate) => candidate.name === property);
    const options =
      definition?.type === 'enumeration'
        ? new Map((definition.options ?? []).map((option) => [option.value, option.label]))
        : undefined;
    return (row) => customValue(row.properties?.[property], options);
  });
}

/**
 * Turns list rows into CSV records for the layout: the header (the columns' labels) and one
 * function per row, built once so the per-row work is a few property reads.
 */
export function exportRecords(layout: ExportLayout): {
  header: string[];
  record: (row: TicketListRow) => CsvValue[];
} {
  const cells = cellsOf(layout);
  return {
    header: layout.columns.map((column) => column.label),
    record: (row) => cells.map((cell) => cell(row)),
  };
}

/** The fields of a list row each built-in column reads; custom properties read `properties`. */
const fieldsOf: Record<BuiltinTicketPropertyName, readonly (keyof TicketListRow)[]> = {
  subject: ['subject'],
  content: ['content'],
  priority: ['priority'],
  status: ['closed', 'stageId'], // the stage only when the portal shows stages
  pipeline: ['pipelineId'],
  stage: ['stageId'],
  owner: ['ownerId', 'ownerFirstName', 'ownerLastName'],
  requester: ['requesterName'],
  requester_email: ['requesterEmail'],
  company: ['companyId'],
  source: ['source'],
  created_at: ['createdAt'],
  last_activity_at: ['lastActivityAt'],
  closed_at: ['closedAt'],
};

/**
 * The row fields (the list statement's column names) the layout's columns read, so an export can
 * select only those: never empty (`id` when no column reads anything).
 */
export function exportFields(layout: Pick<ExportLayout, 'columns' | 'showStages'>): (keyof TicketListRow)[] {
  const fields = new Set<keyof TicketListRow>();
  for (const { property } of layout.columns) {
    const read: readonly (keyof TicketListRow)[] = !builtins.has(property)
      ? ['properties']
      : property === 'status' && !layout.showStages
        ? ['closed']
        : fieldsOf[property as BuiltinTicketPropertyName];
    for (const field of read) fields.add(field);
  }
  return fields.size ? [...fields] : ['id'];
}

/** The UTF-8 byte order mark: spreadsheet programs then read the file as UTF-8. */
export const BOM = '\uFEFF';
/** Windows line ends, which every spreadsheet program reads. */
export const CSV_EOL = '\r\n';

/** A field that must be quoted: it holds the delimiter, a quote or a line break. */
const mustQuote = /[",\r\n]/;

/**
 * One CSV field, as csv-stringify writes it with `escape_formulas` (OWASP CSV injection): text that
 * starts with = + - @ a tab or CR (or their full-width forms) gets a leading `'`, so a spreadsheet
 * shows it instead of evaluating it; a negative number stays a number. A field with a comma, a quote,
 * or a CR or LF anywhere is quoted, quotes doubled (csv-stringify with `record_delimiter: 'windows'`
 * leaves a lone CR or LF unquoted, which splits the record in any reader; quoting it is RFC 4180).
 */
export function csvField(value: CsvValue): string {
  if (typeof value === 'number') return String(value);
  if (value === '') return value;
  let text = value;
  switch (value.charCodeAt(0)) {
    case 0x3d: // =
    case 0x2b: // +
    case 0x2d: // -
    case 0x40: // @
    case 0x09: // tab
    case 0x0d: // CR
    case 0xff1d: // full-width =
    case 0xff0b: // full-width +
    case 0xff0d: // full-width -
    case 0xff20: // full-width @
      text = `'${value}`;
  }
  return mustQuote.test(value) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV record: the fields, comma-separated, and the line end. */
export function csvRecord(values: readonly CsvValue[]): string {
  return values.map(csvField).join(',') + CSV_EOL;
}

/**
 * The CSV text of an export: `head` (the byte order mark and the header of the columns' labels) and
 * `line(row)`, one record per list row with its line end. The same values as `exportRecords`, written
 * straight into text: no array per row, no CSV library call per chunk.
 */
export function exportCsv(layout: ExportLayout): { head: string; line: (row: TicketListRow) => string } {
  const cells = cellsOf(layout);
  return {
    head: BOM + csvRecord(layout.columns.map((column) => column.label)),
    line: (row) => {
      let text = '';
      for (let i = 0; i < cells.length; i++) text += (i ? ',' : '') + csvField(cells[i](row));
      return text + CSV_EOL;
    },
  };
}

/** The name a downloaded export gets: `tickets-2026-11-27-1405.csv` (`tiketit-…` in Finnish), UTC. */
export function exportFileName(createdAt: Date, language: Language): string {
  const stamp = createdAt.toISOString().slice(0, 16).replace('T', '-').replace(':', '');
  return `${words[language].fileName}-${stamp}.csv`;
}
