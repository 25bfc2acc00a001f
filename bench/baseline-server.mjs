// The baselines the benchmarks compare the system with: the least code that answers the same request,
// node:http + pg.Pool in one process: no NATS, no Nest, no validation library.
//
// - GET /api/v1/tickets (run.mjs; env ACCOUNT_ID): no session. The same SQL as TicketsService.list()
//   (apps/tickets/src/tickets/tickets.service.ts) for one account, the same JSON, with the same opaque
//   cursor format, so one URL works against both.
// - GET /<slug>/tickets and /<slug>/tickets.json (portal-list.mjs; env BASELINE_PORTAL): a logged-in
//   customer's ticket list as a minimal HTML page or as JSON. The session as the gateway keeps it
//   (the signed `hd.sid` cookie, the session's JSON from Redis, a contact of this account whose idle
//   time has not run out), then the SQL the tickets service runs for tickets.portal.list, compiled by
//   the service's own code (lib/portal-list.mjs) once at start for each contact it is given.
// - BASELINE_ROLE=edge or service, with NATS_URL (portal-list.mjs's "floor" of the system's shape):
//   the same portal list split over two processes and NATS, where the gateway and the tickets service
//   split it. The edge keeps the session and builds the page; the service runs the SQL and answers
//   the rows (one NATS request-reply on FLOOR_SUBJECT, JSON, a queue group as the services use). No
//   framework on either side: what the shape itself costs, before Nest, Express, passport or MikroORM.
//   The service listens on PORT too (it answers 404) once it is subscribed, so "it answers TCP"
//   means "it is ready".
//
// Started with fork() (run.mjs; it reports its port over IPC) or with PORT set. Env: DATABASE_URL.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import pg from 'pg';
import { root } from './lib/common.mjs';
import { compileRequest, loadDefinitions, loadTicketsCode } from './lib/portal-list.mjs';

const accountId = process.env.ACCOUNT_ID;
// Same pool size as the tickets service's MikroORM pool (max 10).
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: 10,
  application_name: 'bench-baseline',
});

const isoUtc = (column) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
// The columns and their order are TicketsService's (its ticketColumns and toTicketView), so the bodies
// are byte-identical.
const columns = `id, account_id as "accountId", subject, content, priority,
  pipeline_id as "pipelineId", stage_id as "stageId", closed, owner_id as "ownerId",
  requester_contact_id as "requesterContactId", company_id as "companyId", source, properties,
  ${isoUtc('created_at')} as "createdAt", ${isoUtc('last_activity_at')} as "lastActivityAt",
  ${isoUtc('closed_at')} as "closedAt"`;
const firstPage = `select ${columns} from tickets.ticket where account_id = $1 order by created_at desc, id desc limit $2`;
const nextPage = `select ${columns} from tickets.ticket where account_id = $1 and (created_at, id) < ($3, $4)
  order by created_at desc, id desc limit $2`;

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const encodeCursor = (createdAt, id) => Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
function decodeCursor(value) {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (
      typeof createdAt === 'string' &&
      typeof id === 'string' &&
      uuid.test(id) &&
      new Date(createdAt).toISOString() === createdAt
    )
      return { createdAt, id };
  } catch {
    // falls through to null
  }
  return null;
}

const send = (res, status, body) => {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
};

// ---------------------------------------------------------------------------------------------
// The portal's list (BASELINE_PORTAL)
// ---------------------------------------------------------------------------------------------
/**
 * BASELINE_PORTAL, JSON: { accountId, slug, redisUrl, redisPrefix, sessionSecret, columns: [{ property, label }],
 * lists: { <contactId>: <the tickets.portal.list request the page sends for that contact> } }.
 */
const portal = process.env.BASELINE_PORTAL ? JSON.parse(process.env.BASELINE_PORTAL) : null;
const portalLists = new Map();
let redis = null;
let encodeListCursor = null;
if (portal) {
  const { default: Redis } = await import('ioredis');
  redis = new Redis(portal.redisUrl, { maxRetriesPerRequest: 1 });
  const code = await loadTicketsCode();
  encodeListCursor = code.encodeTicketListCursor;
  const definitions = await loadDefinitions(code, pool, portal.accountId);
  for (const [contactId, request] of Object.entries(portal.lists))
    portalLists.set(contactId, { request, ...compileRequest(code, definitions, request) });
}
const { escapeHtml } = portal ? await import(`${root}libs/kit/dist/index.js`) : {};

const role = process.env.BASELINE_ROLE ?? 'alone';
if (!['alone', 'edge', 'service'].includes(role)) throw new Error(`BASELINE_ROLE=${role}?`);
const FLOOR_SUBJECT = 'bench.floor.portal-list';
const nc =
  role === 'alone'
    ? null
    : await (await import('nats')).connect({ servers: process.env.NATS_URL, name: `bench-floor-${role}` });
/** A contact's list rows: from PostgreSQL, or (the edge) from the service over NATS. */
async function listRows(contactId) {
  if (role === 'edge') {
    const reply = await nc.request(FLOOR_SUBJECT, Buffer.from(contactId), { timeout: 10_000 });
    return JSON.parse(Buffer.from(reply.data).toString('utf8'));
  }
  const list = portalLists.get(contactId);
  return (await pool.query(list.sql, list.params)).rows;
}
if (role === 'service') {
  nc.subscribe(FLOOR_SUBJECT, {
    queue: 'bench-floor',
    callback: (error, message) => {
      if (error) return console.error(error);
      listRows(Buffer.from(message.data).toString('utf8')).then(
        (rows) => message.respond(Buffer.from(JSON.stringify(rows))),
        (failure) => {
          console.error(failure);
          message.respond(Buffer.from('null'));
        },
      );
    },
  });
  await nc.flush();
}

/** The viewer of a request's session, as the gateway's session and passport would find it; null if none. */
async function contactOf(req) {
  const cookie = /(?:^|;\s*)hd\.sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
  const value = cookie ? decodeURIComponent(cookie) : '';
  const dot = value.lastIndexOf('.');
  if (!value.startsWith('s:') || dot < 0) return null;
  // express-session's cookie: "s:" + id + "." + base64 HMAC-SHA256 of the id, without padding.
  const id = value.slice(2, dot);
  const expected = Buffer.from(
    createHmac('sha256', portal.sessionSecret).update(id).digest('base64').replace(/=+$/, ''),
  );
  const signature = Buffer.from(value.slice(dot + 1));
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return null;
  const stored = await redis.get(`${portal.redisPrefix}:sess:${id}`);
  if (!stored) return null;
  const session = JSON.parse(stored);
  const user = session.passport?.user;
  if (user?.kind !== 'contact' || user.accountId !== portal.accountId) return null;
  if (Date.now() - session.lastSeenAt > session.idleMs) return null;
  return user;
}

/** The cell texts of a list row: values as the SQL returns them, no translations or date formats. */
const cellText = {
  subject: (row) => row.subject,
  requester: (row) => row.requesterName ?? '',
  created_at: (row) => row.createdAt,
  owner: (row) => row.ownerFirstName ?? '',
  last_activity_at: (row) => row.lastActivityAt,
  status: (row) => (row.closed ? 'Closed' : 'Open'),
};

function listHtml(items) {
  const head = portal.columns.map((c) => `<th scope="col">${escapeHtml(c.label)}</th>`).join('');
  let rows = '';
  for (const row of items) {
    rows += '<tr>';
    for (const { property } of portal.columns) {
      const text = escapeHtml(String(cellText[property]?.(row) ?? ''));
      rows +=
        property === 'subject'
          ? `<td><a class="ticket-link" href="/${portal.slug}/tickets/${row.id}">${text}</a></td>`
          : `<td>${text}</td>`;
    }
    rows += '</tr>\n';
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tickets</title></head>
<body><h1>Tickets</h1>
<table><thead><tr>${head}</tr></thead>
<tbody>
${rows}</tbody></table></body></html>
`;
}

async function portalList(req, res, format) {
  const contact = await contactOf(req);
  if (!contact) {
    if (format === 'json') return send(res, 401, { error: { code: 'UNAUTHENTICATED' } });
    res.writeHead(302, { location: `/${portal.slug}/login` });
    return res.end();
  }
  const list = portalLists.get(contact.contactId);
  if (!list) return send(res, 403, { error: { code: 'FORBIDDEN' } });
  const rows = await listRows(contact.contactId);
  const { limit } = list.request;
  const items = rows.slice(0, limit).map(({ sortValue, ...row }) => row);
  const last = rows[limit - 1];
  if (format === 'json')
    return send(res, 200, {
      items,
      nextCursor:
        rows.length > limit
          ? encodeListCursor(list.request.sort, { value: last.sortValue, id: last.id })
          : null,
    });
  const html = listHtml(items);
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
  });
  res.end(html);
}

const server = createServer(async (req, res) => {
  try {
    if (role === 'service') return send(res, 404, { error: { code: 'NOT_FOUND' } });
    const url = new URL(req.url, 'http://127.0.0.1');
    if (portal && req.method === 'GET' && url.pathname === `/${portal.slug}/tickets`)
      return await portalList(req, res, 'html');
    if (portal && req.method === 'GET' && url.pathname === `/${portal.slug}/tickets.json`)
      return await portalList(req, res, 'json');
    if (req.method !== 'GET' || url.pathname !== '/api/v1/tickets' || !accountId)
      return send(res, 404, { error: { code: 'NOT_FOUND' } });
    const limit = Number(url.searchParams.get('limit') ?? 25);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      return send(res, 400, { error: { code: 'VALIDATION_FAILED' } });
    const after = url.searchParams.get('after');
    const cursor = after === null ? null : decodeCursor(after);
    if (after !== null && !cursor) return send(res, 400, { error: { code: 'INVALID_CURSOR' } });
    const { rows } = cursor
      ? await pool.query(nextPage, [accountId, limit + 1, cursor.createdAt, cursor.id])
      : await pool.query(firstPage, [accountId, limit + 1]);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    send(res, 200, {
      items,
      nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
    });
  } catch (error) {
    console.error(error);
    send(res, 500, { error: { code: 'INTERNAL' } });
  }
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () =>
  process.send?.({ port: server.address().port }),
);

const stop = () => {
  server.close();
  redis?.disconnect();
  nc?.close();
  pool.end().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2_000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop); // the parent died: do not linger
