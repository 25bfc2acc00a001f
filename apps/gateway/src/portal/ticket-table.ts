import { escapeHtml } from '@helpdesk/kit';
import type { ActiveFilter, Cell, FilterControl } from './ticket-view.js';

// The list page's repeated parts are built here rather than in tickets.liquid: LiquidJS costs a
// generator step per tag, which made the page's loops most of what a list page cost the gateway
// (about 3 ms for the table body's up to 250 cells, and still ~0.6 ms for the headers, the filter
// panel, the chips and the export's fields). Every value goes through the one escaping function.

export interface TableRow {
  closed: boolean;
  cells: (Cell & { property: string; label: string })[];
}

/** The list's table body. */
export function ticketRowsHtml(rows: TableRow[]): string {
  let html = '';
  for (const row of rows) {
    html += row.closed ? '<tr class="is-closed">' : '<tr>';
    for (const cell of row.cells) {
      html += `<td class="col-${escapeHtml(cell.property)}" data-label="${escapeHtml(cell.label)}">${cellHtml(cell)}</td>`;
    }
    html += '</tr>\n';
  }
  return html;
}

function cellHtml(cell: TableRow['cells'][number]): string {
  const text = escapeHtml(cell.text);
  if (cell.href) return `<a class="ticket-link" href="${escapeHtml(cell.href)}">${text}</a>`;
  if (cell.property === 'status') return `<span class="badge badge-${cell.tone ?? 'open'}">${text}</span>`;
  if (cell.datetime) {
    const title = cell.title ? ` title="${escapeHtml(cell.title)}"` : '';
    return `<time datetime="${escapeHtml(cell.datetime)}"${title}>${text}</time>`;
  }
  return cell.tone === 'muted' ? `<span class="muted">${text}</span>` : `<span>${text}</span>`;
}

/** A column of the list's header: a sort link unless it cannot be sorted by. */
export interface HeaderColumn {
  property: string;
  label: string;
  sortable: boolean;
  sortHref: string;
  /** How the list is sorted by this column, if it is. */
  ariaSort: 'ascending' | 'descending' | null;
  sortLabel: string;
}

/** The cells of the table's header row. */
export function headerCellsHtml(columns: HeaderColumn[]): string {
  let html = '';
  for (const column of columns) {
    const sort = column.ariaSort ? escapeHtml(column.ariaSort) : null;
    const label = escapeHtml(column.label);
    const content = column.sortable
      ? `<a class="sort-link" href="${escapeHtml(column.sortHref)}" aria-label="${escapeHtml(column.sortLabel)}">${label}<span class="sort-icon${sort ? ` sort-${sort}` : ''}" aria-hidden="true"></span></a>`
      : label;
    html += `<th scope="col" class="col-${escapeHtml(column.property)}"${sort ? ` aria-sort="${sort}"` : ''}>${content}</th>\n`;
  }
  return html;
}

/** The filter panel's controls: a labelled select, or a fieldset with a range's two inputs. */
export function filterControlsHtml(controls: FilterControl[]): string {
  let html = '';
  for (const control of controls) {
    html += control.type === 'select' ? selectControlHtml(control) : rangeControlHtml(control);
  }
  return html;
}

function selectControlHtml(control: Extract<FilterControl, { type: 'select' }>): string {
  const id = escapeHtml(control.id);
  let options = '';
  for (const option of control.options) {
    options += `<option value="${escapeHtml(option.value)}"${option.selected ? ' selected' : ''}>${escapeHtml(option.label)}</option>`;
  }
  return (
    `<div class="field"><label for="${id}">${escapeHtml(control.label)}</label>` +
    `<select id="${id}" name="${escapeHtml(control.name)}">${options}</select></div>\n`
  );
}

function rangeControlHtml(control: Extract<FilterControl, { type: 'range' }>): string {
  const input = escapeHtml(control.input);
  const step = control.input === 'number' ? ' step="any"' : '';
  let html = `<fieldset class="filter-range"><legend>${escapeHtml(control.label)}</legend>`;
  for (const end of control.ends) {
    const id = escapeHtml(end.id);
    html +=
      `<div class="field"><label for="${id}">${escapeHtml(end.label)}</label>` +
      `<input type="${input}" id="${id}" name="${escapeHtml(end.name)}" value="${escapeHtml(end.value)}"${step}></div>`;
  }
  return `${html}</fieldset>\n`;
}

const REMOVE_ICON =
  '<svg aria-hidden="true" viewBox="0 0 20 20" width="14" height="14"><path d="m6.1 5 3.9 3.9L13.9 5 15 6.1 11.1 10l3.9 3.9-1.1 1.1-3.9-3.9L6.1 15 5 13.9 8.9 10 5 6.1 6.1 5Z" fill="currentColor"/></svg>';

/** The filters in force as list items, each a chip that removes it. */
export function activeFiltersHtml(filters: ActiveFilter[]): string {
  let html = '';
  for (const filter of filters) {
    html += `<li><a class="filter-chip" href="${escapeHtml(filter.removeHref)}" aria-label="${escapeHtml(filter.removeLabel)}">${escapeHtml(filter.text)}${REMOVE_ICON}</a></li>\n`;
  }
  return html;
}

/** Hidden inputs carrying these fields (name, value) in a form. */
export function hiddenFieldsHtml(fields: [string, string][]): string {
  let html = '';
  for (const [name, value] of fields) {
    html += `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
  }
  return html;
}
