import type {
  Filter,
  FilterCondition,
  PortalTicketRow,
  PropertyOption,
  ResolvedPortal,
  TicketPropertyView,
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
  /** `is`: one of the property's options; `from` / `to`: the first / last day (YYYY-MM-DD) of a range. */
  part: 'is' | 'from' | 'to';
  value: string;
}

/** A filter the list offers on one of its columns (P1): one option of a choice, or a range of days. */
export type ListFilter =
  | { property: string; type: 'enumeration'; options: readonly PropertyOption[] }
  | { property: string; type: 'date' };

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
 * a choice (an enumeration with options) or a date. Status has its own filter. A property that is no
 * column is never offered, so a customer cannot probe values the portal does not show; what they
 * choose only narrows the list further, as tickets ANDs it with the portal's visibility filter.
 */
export function listFilters(portal: ResolvedPortal, properties: readonly TicketPropertyView[]): ListFilter[] {
  const byName = new Map(properties.map((definition) => [definition.name, definition]));
  return portal.ticketDisplay.columns.flatMap(({ property }): ListFilter[] => {
    const definition = byName.get(property);
    if (!definition || property === 'status' || UNSHOWN.has(property)) return [];
    if (definition.type === 'date') return [{ property, type: 'date' }];
    if (definition.type === 'enumeration' && definition.options?.length)
      return [{ property, type: 'enumeration', options: definition.options }];
    return [];
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

/** The query field of a property filter. */
const filterField = (filter: Pick<PropertyFilter, 'property' | 'part'>) =>
  `${filter.property}.${filter.part}`;

function parseFilters(query: Record<string, unknown>, offered: readonly ListFilter[]): PropertyFilter[] {
  return offered.flatMap((filter): PropertyFilter[] => {
    const read = (part: PropertyFilter['part']) => {
      const value = first(query[filterField({ property: filter.property, part })]);
      return value === undefined ? [] : [{ property: filter.property, part, value }];
    };
    if (filter.type === 'enumeration')
      return read('is').filter(({ value }) => filter.options.some((option) => option.value === value));
    return [...read('from'), ...read('to')].filter(({ value }) => dayStart(value) !== undefined);
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
 * A property filter as a condition: a day range's ends are compared as instants, from the first
 * day's midnight to the end of the last day.
 */
function conditionOf({ property, part, value }: PropertyFilter): FilterCondition {
  if (part === 'is') return { property, operator: 'eq', value };
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

export type FilterControl =
  | {
      type: 'enumeration';
      id: string;
      name: string;
      label: string;
      options: { value: string; label: string; selected: boolean }[];
    }
  | {
      type: 'date';
      label: string;
      from: { id: string; name: string; value: string };
      to: { id: string; name: string; value: string };
    };

/**
 * The filter panel's controls (labelled by their columns' headings) and the filters in force, each
 * with the address of the same view without it.
 */
export function filterPanel(
  view: ListView,
  offered: readonly ListFilter[],
  labels: ReadonlyMap<string, string>,
  t: Translator,
  listPath: string,
): { controls: FilterControl[]; active: { text: string; removeLabel: string; removeHref: string }[] } {
  const valueOf = (property: string, part: PropertyFilter['part']) =>
    view.filters.find((filter) => filter.property === property && filter.part === part)?.value ?? '';
  const controls = offered.map((filter): FilterControl => {
    const label = labels.get(filter.property) ?? filter.property;
    const id = `filter-${filter.property}`;
    if (filter.type === 'date') {
      const end = (part: 'from' | 'to') => ({
        id: `${id}-${part}`,
        name: filterField({ property: filter.property, part }),
        value: valueOf(filter.property, part),
      });
      return { type: 'date', label, from: end('from'), to: end('to') };
    }
    const chosen = valueOf(filter.property, 'is');
    return {
      type: 'enumeration',
      id,
      name: filterField({ property: filter.property, part: 'is' }),
      label,
      options: [
        { value: '', label: t.t('filterAll'), selected: chosen === '' },
        ...filter.options.map((option) => ({
          value: option.value,
          label: optionLabel(filter.property, option, t),
          selected: option.value === chosen,
        })),
      ],
    };
  });
  const active = view.filters.map((filter) => {
    const label = labels.get(filter.property) ?? filter.property;
    let text: string;
    if (filter.part === 'is') {
      const offer = offered.find((candidate) => candidate.property === filter.property);
      const option =
        offer?.type === 'enumeration' ? offer.options.find((o) => o.value === filter.value) : undefined;
      text = `${label}: ${option ? optionLabel(filter.property, option, t) : filter.value}`;
    } else {
      const date = t.formatDate(dayStart(filter.value)!.toISOString());
      text = t.t(filter.part === 'from' ? 'filterFrom' : 'filterTo', { label, date });
    }
    const rest = view.filters.filter((other) => other !== filter);
    return {
      text,
      removeLabel: t.t('removeFilter', { filter: text }),
      removeHref: `${listPath}${viewQuery(view, { filters: rest, after: undefined, prev: [] })}`,
    };
  });
  return { controls, active };
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

/** One cell of a ticket row as the portal shows it, in the page's language. */
export function cellFor(
  property: string,
  row: PortalTicketRow,
  portal: ResolvedPortal,
  t: Translator,
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
      return customCell(row.properties[property], t);
  }
}

function customCell(value: unknown, t: Translator): Cell {
  if (value === null || value === undefined || value === '') return { text: '—', tone: 'muted' };
  if (typeof value === 'boolean') return { text: t.t(value ? 'yes' : 'no') };
  if (typeof value === 'number') return { text: t.formatNumber(value) };
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(value))
    return { text: t.formatDate(value), datetime: value };
  return { text: typeof value === 'string' ? value : JSON.stringify(value) };
}
