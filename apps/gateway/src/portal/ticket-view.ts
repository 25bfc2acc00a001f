import {
  readNumber,
  type Filter,
  type FilterCondition,
  type PortalTicketRow,
  type PropertyOption,
  type ResolvedPortal,
  type TicketPropertyView,
} from '@helpdesk/contracts';
import type { MessageKey, Translator } from './i18n.js';

/**
 * What a customer is looking at on the ticket list, as it travels in the page's query string:
 * the Show switch, the status filter, the search words, the property filters, the sort and the
 * keyset page. Every link on the page (sorting, paging, clearing) and the export are built from it,
 * so each one keeps the rest.
 */
export interface ListView {
  show: 'organization' | 'mine';
  status: 'all' | 'open' | 'closed';
  q: string;
  /** In the order the list offers them. */
  filters: PropertyFilter[];
  sort: string;
  dir: 'asc' | 'desc';
  /** The cursor of this page (none on the first). */
  after?: string;
  /** The cursors of the pages before this one except the first, oldest first (for Previous). */
  prev: string[];
}

/**
 * One property filter in force, carried as the query field `<property>.<part>` (a property name
 * has no dot, so these never meet the view's own fields or each other).
 */
export interface PropertyFilter {
  property: string;
  /** The offered filter's type: what `value` is. */
  type: ListFilter['type'];
  /**
   * `is`: one of a choice's options, or `true` / `false` of a yes/no property; `from` / `to`: the
   * first / last day (YYYY-MM-DD) of a range of days, or the smallest / largest number of a range.
   */
  part: 'is' | 'from' | 'to';
  value: string;
}

/**
 * A filter the list offers on one of its columns (P1): one option of a choice, yes or no, a range of
 * days or a range of numbers.
 */
export type ListFilter =
  | { property: string; type: 'enumeration'; options: readonly PropertyOption[] }
  | { property: string; type: 'boolean' }
  | { property: string; type: 'date' }
  | { property: string; type: 'number' };

/** A column of these shows no value (see `cellFor`), so neither may it be filtered on. */
const UNSHOWN = new Set(['pipeline', 'company', 'content']);

const DEFAULT_SORT = 'created_at';
/** A cursor (base64url); the stack joins them with dots. */
const cursor = /^[A-Za-z0-9_-]{1,4096}$/;
/** Previous pages remembered in the address; beyond that, Previous leads back to the first page. */
const MAX_STACK = 30;
const first = (value: unknown): string | undefined =>
  typeof value === 'string'
    ? value
    : Array.isArray(value) && typeof value[0] === 'string'
      ? value[0]
      : undefined;

/** Dates sort newest first by default, text A to Z. */
const defaultDirection = (property: string): 'asc' | 'desc' => (/_at$/.test(property) ? 'desc' : 'asc');

/** The properties the list may be sorted by: the configured columns (the description is not sortable). */
export const sortableProperties = (portal: ResolvedPortal): Set<string> =>
  new Set([
    DEFAULT_SORT,
    ...portal.ticketDisplay.columns.map((column) => column.property).filter((name) => name !== 'content'),
  ]);

/**
 * The filters the list offers: one per configured column whose values the portal shows and that is
 * a choice (an enumeration with options), a yes/no property, a date or a number. Status has its own filter. A property that is no
 * column is never offered, so a customer cannot probe values the portal does not show; what they
 * choose only narrows the list further, as tickets ANDs it with the portal's visibility filter.
 */
export function listFilters(portal: ResolvedPortal, properties: readonly TicketPropertyView[]): ListFilter[] {
  const byName = new Map(properties.map((definition) => [definition.name, definition]));
  return portal.ticketDisplay.columns.flatMap(({ property }): ListFilter[] => {
    const definition = byName.get(property);
    if (!definition || property === 'status' || UNSHOWN.has(property)) return [];
    switch (definition.type) {
      case 'enumeration':
        return definition.options?.length
          ? [{ property, type: 'enumeration', options: definition.options }]
          : [];
      case 'boolean':
      case 'date':
      case 'number':
        return [{ property, type: definition.type }];
      case 'string':
        return [];
    }
  });
}

/** The view of a request (the list's query string, the export's form) with the filters on offer. */
export function listViewOf(
  properties: TicketPropertyView[],
  portal: ResolvedPortal,
  fields: Record<string, unknown>,
): { view: ListView; offered: ListFilter[] } {
  const offered = listFilters(portal, properties);
  return { view: parseListView(fields, portal, offered), offered };
}

/** Midnight starting a day written YYYY-MM-DD, in the time zone dates are shown in; undefined when no such day. */
function dayStart(day: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;
  const [year, month, date] = match.slice(1).map(Number) as [number, number, number];
  const start = new Date(year, month - 1, date);
  return start.getFullYear() === year && start.getMonth() === month - 1 && start.getDate() === date
    ? start
    : undefined;
}

/**
 * A number a customer typed as a range's end, or undefined when it is none. Its neighbours must be
 * numbers too (`below` / `above`), so the largest doubles are left out.
 */
function rangeNumber(text: string): number | undefined {
  const value = readNumber(text);
  return value !== undefined && Number.isFinite(below(value)) && Number.isFinite(above(value))
    ? value
    : undefined;
}

/**
 * The largest number below `value`. There is no number between them, so `> below(x)` holds exactly
 * where `>= x` does: the filter model has only `gt` / `lt`, and a range's ends belong to it.
 */
export function below(value: number): number {
  if (value === 0) return -Number.MIN_VALUE;
  const float = new Float64Array([value]);
  // Doubles of one sign are ordered as their bits: one step down in magnitude, or up for a negative number.
  new BigInt64Array(float.buffer)[0] += value > 0 ? -1n : 1n;
  return float[0];
}

/** The smallest number above `value`: `< above(x)` holds exactly where `<= x` does. */
export const above = (value: number): number => -below(-value);

/** The query field of a property filter. */
const filterField = (filter: Pick<PropertyFilter, 'property' | 'part'>) =>
  `${filter.property}.${filter.part}`;

function parseFilters(query: Record<string, unknown>, offered: readonly ListFilter[]): PropertyFilter[] {
  return offered.flatMap((filter): PropertyFilter[] => {
    const { property, type } = filter;
    const read = (part: PropertyFilter['part']) => {
      const value = first(query[filterField({ property, part })]);
      return value === undefined ? [] : [{ property, type, part, value }];
    };
    switch (filter.type) {
      case 'enumeration':
        return read('is').filter(({ value }) => filter.options.some((option) => option.value === value));
      case 'boolean':
        return read('is').filter(({ value }) => value === 'true' || value === 'false');
      case 'date':
        return [...read('from'), ...read('to')].filter(({ value }) => dayStart(value) !== undefined);
      case 'number':
        // Kept as the number reads back (`1e3` is `1000`), so the field and its chip agree.
        return [...read('from'), ...read('to')].flatMap((end) => {
          const value = rangeNumber(end.value);
          return value === undefined ? [] : [{ ...end, value: String(value) }];
        });
    }
  });
}

/**
 * Reads the view from the query string (or a posted form); anything unknown falls back to the
 * default and a filter that is not on offer is dropped: never an error.
 */
export function parseListView(
  query: Record<string, unknown>,
  portal: ResolvedPortal,
  offered: readonly ListFilter[] = [],
): ListView {
  const show = first(query.show) === 'mine' ? 'mine' : 'organization';
  const statusText = first(query.status);
  const status = statusText === 'open' || statusText === 'closed' ? statusText : 'all';
  const q = (first(query.q) ?? '').trim().slice(0, 200);
  const sortText = first(query.sort) ?? DEFAULT_SORT;
  const sort = sortableProperties(portal).has(sortText) ? sortText : DEFAULT_SORT;
  const dirText = first(query.dir);
  const dir = dirText === 'asc' || dirText === 'desc' ? dirText : defaultDirection(sort);
  const afterText = first(query.after);
  const after = afterText && cursor.test(afterText) ? afterText : undefined;
  const prevText = first(query.prev) ?? '';
  const prev = after
    ? prevText
        .split('.')
        .filter((part) => cursor.test(part))
        .slice(-MAX_STACK)
    : [];
  return { show, status, q, filters: parseFilters(query, offered), sort, dir, after, prev };
}

/**
 * A property filter as a condition. A range includes its ends: a day range's ends are compared as
 * instants, from the first day's midnight to the end of the last day; a number range's with the
 * neighbouring numbers.
 */
function conditionOf({ property, type, part, value }: PropertyFilter): FilterCondition {
  if (part === 'is')
    return { property, operator: 'eq', value: type === 'boolean' ? value === 'true' : value };
  if (type === 'number') {
    const end = Number(value);
    return part === 'from'
      ? { property, operator: 'gt', value: below(end) }
      : { property, operator: 'lt', value: above(end) };
  }
  const start = dayStart(value)!;
  return part === 'from'
    ? { property, operator: 'gt', value: new Date(start.getTime() - 1).toISOString() }
    : {
        property,
        operator: 'lt',
        value: new Date(start.getFullYear(), start.getMonth(), start.getDate() + 1).toISOString(),
      };
}

/** The customer's own filters as the filter model: one group, so every one of them must hold. */
export function customerFilters(view: ListView): Filter {
  const conditions = view.filters.map(conditionOf);
  if (view.status !== 'all') conditions.unshift({ property: 'status', operator: 'eq', value: view.status });
  return { groups: conditions.length ? [conditions] : [] };
}

/** The view's fields as name and value (defaults left out), with some parts replaced. */
export function viewFields(view: ListView, change: Partial<ListView> = {}): [string, string][] {
  const next = { ...view, ...change };
  const fields: [string, string][] = [];
  if (next.show !== 'organization') fields.push(['show', next.show]);
  if (next.status !== 'all') fields.push(['status', next.status]);
  if (next.q) fields.push(['q', next.q]);
  for (const filter of next.filters) fields.push([filterField(filter), filter.value]);
  if (next.sort !== DEFAULT_SORT || next.dir !== defaultDirection(next.sort))
    fields.push(['sort', next.sort], ['dir', next.dir]);
  if (next.after) {
    fields.push(['after', next.after]);
    if (next.prev.length) fields.push(['prev', next.prev.join('.')]);
  }
  return fields;
}

/** The view's query string (defaults left out), with some parts replaced. */
export function viewQuery(view: ListView, change: Partial<ListView> = {}): string {
  const text = new URLSearchParams(viewFields(view, change)).toString();
  return text ? `?${text}` : '';
}

/** Links to the neighbouring pages: Next pushes this page's cursor, Previous pops one. */
export function pageLinks(view: ListView, nextCursor: string | null) {
  const next = nextCursor
    ? viewQuery(view, {
        after: nextCursor,
        prev: view.after ? [...view.prev, view.after].slice(-MAX_STACK) : [],
      })
    : null;
  const previous = view.after
    ? viewQuery(view, { after: view.prev.at(-1), prev: view.prev.slice(0, -1) })
    : null;
  return { next, previous };
}

/** An option as the list's cells name it: built-in priorities and sources in the page's language. */
function optionLabel(property: string, option: PropertyOption, t: Translator): string {
  if (property === 'priority') return t.t(`priority_${option.value}` as MessageKey);
  if (property === 'source') return t.t(`source_${option.value}` as MessageKey);
  return option.label;
}

/** A control of the filter panel: a select (a choice, yes/no) or a range's two inputs (days, numbers). */
export type FilterControl =
  | {
      type: 'select';
      id: string;
      name: string;
      label: string;
      options: { value: string; label: string; selected: boolean }[];
    }
  | {
      type: 'range';
      /** The inputs' type. */
      input: 'date' | 'number';
      label: string;
      /** From, to. */
      ends: [RangeEnd, RangeEnd];
    };

interface RangeEnd {
  id: string;
  name: string;
  label: string;
  value: string;
}

/** The labels of a range's inputs, by what the range is of. */
const rangeEndLabels = {
  date: { from: 'dateFrom', to: 'dateTo' },
  number: { from: 'numberFrom', to: 'numberTo' },
} as const satisfies Record<'date' | 'number', Record<'from' | 'to', MessageKey>>;

/** A filter in force as its chip shows it, with the address of the same view without it. */
export interface ActiveFilter {
  text: string;
  removeLabel: string;
  removeHref: string;
}

/** The filter panel's controls (labelled by their columns' headings) and the filters in force. */
export function filterPanel(
  view: ListView,
  offered: readonly ListFilter[],
  labels: ReadonlyMap<string, string>,
  t: Translator,
  listPath: string,
): { controls: FilterControl[]; active: ActiveFilter[] } {
  const valueOf = (property: string, part: PropertyFilter['part']) =>
    view.filters.find((filter) => filter.property === property && filter.part === part)?.value ?? '';
  const controls = offered.map((filter): FilterControl => {
    const label = labels.get(filter.property) ?? filter.property;
    const id = `filter-${filter.property}`;
    if (filter.type === 'date' || filter.type === 'number') {
      const end = (part: 'from' | 'to'): RangeEnd => ({
        id: `${id}-${part}`,
        name: filterField({ property: filter.property, part }),
        label: t.t(rangeEndLabels[filter.type][part]),
        value: valueOf(filter.property, part),
      });
      return { type: 'range', input: filter.type, label, ends: [end('from'), end('to')] };
    }
    const chosen = valueOf(filter.property, 'is');
    const choices =
      filter.type === 'boolean'
        ? [
            { value: '', label: t.t('filterAny') },
            { value: 'true', label: t.t('yes') },
            { value: 'false', label: t.t('no') },
          ]
        : [
            { value: '', label: t.t('filterAll') },
            ...filter.options.map((option) => ({
              value: option.value,
              label: optionLabel(filter.property, option, t),
            })),
          ];
    return {
      type: 'select',
      id,
      name: filterField({ property: filter.property, part: 'is' }),
      label,
      options: choices.map((choice) => ({ ...choice, selected: choice.value === chosen })),
    };
  });
  const active = view.filters.map((filter) => {
    const label = labels.get(filter.property) ?? filter.property;
    const text = filterText(filter, label, offered, t);
    const rest = view.filters.filter((other) => other !== filter);
    return {
      text,
      removeLabel: t.t('removeFilter', { filter: text }),
      removeHref: `${listPath}${viewQuery(view, { filters: rest, after: undefined, prev: [] })}`,
    };
  });
  return { controls, active };
}

/** A filter in force in words: `Category: Network`, `Warranty: Yes`, `Created date: from 5 Jan 2026`. */
function filterText(
  filter: PropertyFilter,
  label: string,
  offered: readonly ListFilter[],
  t: Translator,
): string {
  switch (filter.type) {
    case 'boolean':
      return `${label}: ${t.t(filter.value === 'true' ? 'yes' : 'no')}`;
    case 'enumeration': {
      const offer = offered.find((candidate) => candidate.property === filter.property);
      const option =
        offer?.type === 'enumeration' ? offer.options.find((o) => o.value === filter.value) : undefined;
      return `${label}: ${option ? optionLabel(filter.property, option, t) : filter.value}`;
    }
    case 'date': {
      const date = t.formatDate(dayStart(filter.value)!.toISOString());
      return t.t(filter.part === 'from' ? 'filterFrom' : 'filterTo', { label, date });
    }
    case 'number': {
      const value = t.formatNumber(Number(filter.value));
      return t.t(filter.part === 'from' ? 'filterAtLeast' : 'filterAtMost', { label, value });
    }
  }
}

/** Sorting by a column: the same column flips the direction, another starts with its default. */
export function sortLink(view: ListView, property: string): string {
  const dir = view.sort === property ? (view.dir === 'asc' ? 'desc' : 'asc') : defaultDirection(property);
  return viewQuery(view, { sort: property, dir, after: undefined, prev: [] });
}

const recommendedLabels: Record<string, string> = {
  subject: 'Subject',
  content: 'Description',
  requester: 'Requester',
  requester_email: 'Requester email',
  created_at: 'Created date',
  owner: 'Ticket owner',
  last_activity_at: 'Last activity date',
  status: 'Status',
  priority: 'Priority',
  closed_at: 'Close date',
  source: 'Source',
  pipeline: 'Pipeline',
  stage: 'Stage',
  company: 'Company',
};

/**
 * A column's heading: the admin's label, except that a built-in property still carrying its default
 * English label is shown in the page's language.
 */
export function columnLabel(column: { property: string; label: string }, t: Translator): string {
  const builtIn = recommendedLabels[column.property];
  return builtIn && builtIn === column.label ? t.t(`col_${column.property}` as MessageKey) : column.label;
}

export interface Cell {
  text: string;
  /** ISO time for a `<time>` element (with the full date and time as its title). */
  datetime?: string;
  title?: string;
  /** `open` / `closed` for a status badge; `muted` for a missing value. */
  tone?: 'open' | 'closed' | 'muted';
  /** The subject links to the ticket. */
  href?: string;
}

/** Open / Closed, or the stage's name when the portal shows stages (S7). */
export const statusText = (
  row: Pick<PortalTicketRow, 'closed' | 'stageLabel'>,
  portal: ResolvedPortal,
  t: Translator,
) =>
  portal.ticketDisplay.showStages && row.stageLabel
    ? row.stageLabel
    : t.t(row.closed ? 'statusClosed' : 'statusOpen');

/** Option labels by option value, per property: what a custom choice's cells show. */
export type ChoiceLabels = ReadonlyMap<string, ReadonlyMap<string, string>>;

/**
 * The option labels of the custom choices among these columns (built-in ones have their own words),
 * made once per page for all its cells.
 */
export function choiceLabelsOf(
  columns: readonly { property: string }[],
  properties: readonly TicketPropertyView[],
): ChoiceLabels {
  const byName = new Map(properties.map((definition) => [definition.name, definition]));
  const labels = new Map<string, ReadonlyMap<string, string>>();
  for (const { property } of columns) {
    const definition = byName.get(property);
    if (definition?.type === 'enumeration' && !definition.builtIn)
      labels.set(property, new Map((definition.options ?? []).map((option) => [option.value, option.label])));
  }
  return labels;
}

/** One cell of a ticket row as the portal shows it, in the page's language. */
export function cellFor(
  property: string,
  row: PortalTicketRow,
  portal: ResolvedPortal,
  t: Translator,
  choices: ChoiceLabels,
  href: string,
  now = Date.now(),
): Cell {
  const date = (iso: string | null, relative = false): Cell =>
    iso
      ? {
          text: relative ? t.formatRelative(iso, now) : t.formatDate(iso),
          datetime: iso,
          title: t.formatDateTime(iso),
        }
      : { text: '—', tone: 'muted' };
  if (UNSHOWN.has(property)) return { text: '—', tone: 'muted' };
  switch (property) {
    case 'subject':
      return { text: row.subject, href };
    case 'requester':
      return row.requesterName || row.requesterEmail
        ? { text: row.requesterName || row.requesterEmail }
        : { text: '—', tone: 'muted' };
    case 'requester_email':
      return row.requesterEmail ? { text: row.requesterEmail } : { text: '—', tone: 'muted' };
    case 'owner':
      return row.ownerName.trim() ? { text: row.ownerName } : { text: t.t('unassigned'), tone: 'muted' };
    case 'status':
      return { text: statusText(row, portal, t), tone: row.closed ? 'closed' : 'open' };
    case 'stage':
      return { text: row.stageLabel };
    case 'priority':
      return row.priority ? { text: t.t(`priority_${row.priority}`) } : { text: '—', tone: 'muted' };
    case 'source':
      return { text: t.t(`source_${row.source}`) };
    case 'created_at':
      return date(row.createdAt);
    case 'last_activity_at':
      return date(row.lastActivityAt, true);
    case 'closed_at':
      return date(row.closedAt);
    default:
      return customCell(row.properties[property], t, choices.get(property));
  }
}

/** A custom property's value in words: a choice's (`options`) by its option's label. */
function customCell(value: unknown, t: Translator, options?: ReadonlyMap<string, string>): Cell {
  if (value === null || value === undefined || value === '') return { text: '—', tone: 'muted' };
  // A value that is no longer one of the options shows as it is stored.
  if (options && typeof value === 'string') return { text: options.get(value) ?? value };
  if (typeof value === 'boolean') return { text: t.t(value ? 'yes' : 'no') };
  if (typeof value === 'number') return { text: t.formatNumber(value) };
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(value))
    return { text: t.formatDate(value), datetime: value };
  return { text: typeof value === 'string' ? value : JSON.stringify(value) };
}
