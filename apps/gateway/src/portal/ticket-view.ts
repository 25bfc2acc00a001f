import type { Filter, PortalTicketRow, ResolvedPortal } from '@helpdesk/contracts';
import type { MessageKey, Translator } from './i18n.js';

/**
 * What a customer is looking at on the ticket list, as it travels in the page's query string:
 * the Show switch, the status filter, the search words, the sort and the keyset page. Every link on
 * the page (sorting, paging, clearing) and the export are built from it, so each one keeps the rest.
 */
export interface ListView {
  show: 'organization' | 'mine';
  status: 'all' | 'open' | 'closed';
  q: string;
  sort: string;
  dir: 'asc' | 'desc';
  /** The cursor of this page (none on the first). */
  after?: string;
  /** The cursors of the pages before this one except the first, oldest first (for Previous). */
  prev: string[];
}

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

/** Reads the view from the query string; anything unknown falls back to the default, never an error. */
export function parseListView(query: Record<string, unknown>, portal: ResolvedPortal): ListView {
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
  return { show, status, q, sort, dir, after, prev };
}

/** The customer's own filters as the filter model (status only, for now). */
export function customerFilters(view: ListView): Filter {
  return view.status === 'all'
    ? { groups: [] }
    : { groups: [[{ property: 'status', operator: 'eq', value: view.status }]] };
}

/** The view's query string (defaults left out), with some parts replaced. */
export function viewQuery(view: ListView, change: Partial<ListView> = {}): string {
  const next = { ...view, ...change };
  const params = new URLSearchParams();
  if (next.show !== 'organization') params.set('show', next.show);
  if (next.status !== 'all') params.set('status', next.status);
  if (next.q) params.set('q', next.q);
  if (next.sort !== DEFAULT_SORT || next.dir !== defaultDirection(next.sort)) {
    params.set('sort', next.sort);
    params.set('dir', next.dir);
  }
  if (next.after) {
    params.set('after', next.after);
    if (next.prev.length) params.set('prev', next.prev.join('.'));
  }
  const text = params.toString();
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
    case 'pipeline':
    case 'company':
    case 'content':
      return { text: '—', tone: 'muted' };
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

/** Plain text (a textarea without script) as the paragraphs and line breaks of an HTML body. */
export function textToHtml(text: string): string {
  const escape = (value: string) =>
    value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) => `<p>${paragraph.split('\n').map(escape).join('<br>')}</p>`)
    .join('');
}
