// The SQL behind tickets.portal.list, compiled outside the service with the service's own code
// (apps/tickets/dist), so EXPLAIN sees exactly what the service runs for a request.
import { root } from './common.mjs';

/**
 * The tickets service's list compiler, imported from its build. Imported on demand, not at load
 * time: other people's `npm run build` empties dist/ for a few seconds, and callers wait for it first.
 */
export async function loadTicketsCode() {
  const query = await import(`${root}apps/tickets/dist/tickets/ticket-query.js`);
  const properties = await import(`${root}apps/tickets/dist/tickets/ticket-properties.js`);
  return {
    compileTicketList: query.compileTicketList,
    decodeTicketListCursor: query.decodeTicketListCursor,
    encodeTicketListCursor: query.encodeTicketListCursor,
    ticketProperties: properties.ticketProperties,
  };
}

/**
 * The account's ticket property definitions as `TicketsService.portalList` builds them: the built-ins
 * with the account's pipelines and stages (pipelines in display order, each one's stages in display
 * order), then the custom properties.
 */
export async function loadDefinitions(code, client, accountId) {
  const { rows: pipelines } = await client.query(
    'select id, label from tickets.pipeline where account_id = $1 order by display_order, id',
    [accountId],
  );
  const { rows: stages } = await client.query(
    'select id, label, pipeline_id from tickets.stage where account_id = $1 order by display_order, id',
    [accountId],
  );
  const { rows: custom } = await client.query(
    'select name, label, type, options from tickets.ticket_property where account_id = $1',
    [accountId],
  );
  return code.ticketProperties(
    custom.map(({ name, label, type, options }) => ({ name, label, type, ...(options ? { options } : {}) })),
    {
      pipelines: pipelines.map((p) => ({ value: p.id, label: p.label })),
      stages: pipelines.flatMap((p) =>
        stages.filter((s) => s.pipeline_id === p.id).map((s) => ({ value: s.id, label: s.label })),
      ),
    },
  );
}

/** A request with the defaults the contract's schema fills in (what the service's handler receives). */
export function withDefaults(request) {
  return {
    show: 'organization',
    filters: { groups: [] },
    sort: { property: 'created_at', direction: 'desc' },
    limit: 25,
    ...request,
    ...(request.search === undefined ? {} : { search: request.search.trim() }),
  };
}

/**
 * `{ sql, params }` of a tickets.portal.list request, as the service compiles it. `limit` overrides
 * the page size (to read many rows of the same order at once).
 */
export function compileRequest(code, definitions, request, { limit } = {}) {
  const r = withDefaults(request);
  return code.compileTicketList({
    accountId: r.accountId,
    scope: { ...r.viewer, show: r.show },
    visibility: r.visibility,
    filters: r.filters,
    search: r.search,
    sort: r.sort,
    after: r.after === undefined ? undefined : code.decodeTicketListCursor(r.sort, r.after),
    limit: limit ?? r.limit,
    definitions,
  });
}

/**
 * The ids the service's SQL returns for a request, `rows` of them (the statement's own extra row
 * dropped), and the cursor that continues after the last one, made as the service makes it.
 */
export async function idsInOrder(code, definitions, client, request, rows) {
  const r = withDefaults(request);
  const { sql, params } = compileRequest(code, definitions, r, { limit: rows });
  const result = (await client.query(sql, params)).rows.slice(0, rows);
  const last = result.at(-1);
  return {
    ids: result.map((row) => row.id),
    cursorAfterLast: last
      ? code.encodeTicketListCursor(r.sort, { value: last.sortValue, id: last.id })
      : null,
  };
}

/** `EXPLAIN (ANALYZE, BUFFERS)` of a request's SQL, with the same bound parameters; the plan as text. */
export async function explain(code, definitions, client, request) {
  const { sql, params } = compileRequest(code, definitions, request);
  const { rows } = await client.query(`explain (analyze, buffers) ${sql}`, params);
  return { sql, params, plan: rows.map((row) => row['QUERY PLAN']).join('\n') };
}

/** What a plan costs in a line: execution and planning time, the top node's shared buffers, and its first node types. */
export function planSummary(plan) {
  const execution = /Execution Time: ([\d.]+) ms/.exec(plan)?.[1];
  const planning = /Planning Time: ([\d.]+) ms/.exec(plan)?.[1];
  const buffers = /Buffers: shared ([^\n]+)/.exec(plan)?.[1] ?? '';
  const nodes = [
    ...plan.matchAll(/^\s*(?:->\s+)?([A-Z][A-Za-z ]+?)(?: using ([\w.]+))?(?: on [\w.]+)?\s+\(cost=/gm),
  ]
    .slice(0, 4)
    .map(([, node, index]) => (index ? `${node} (${index})` : node));
  return {
    executionMs: execution ? Number(execution) : null,
    planningMs: planning ? Number(planning) : null,
    sharedHit: Number(/hit=(\d+)/.exec(buffers)?.[1] ?? 0),
    sharedRead: Number(/read=(\d+)/.exec(buffers)?.[1] ?? 0),
    rowsRemovedByFilter: Number(/Rows Removed by Filter: (\d+)/.exec(plan)?.[1] ?? 0),
    nodes,
  };
}
