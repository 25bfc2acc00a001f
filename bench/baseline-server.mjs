// The baseline run.mjs compares the slice with: the least code that answers the same request.
// node:http + pg.Pool in one process: no session, no NATS, no Nest, no validation library. It runs the
// same SQL as TicketsService.list() (apps/tickets/src/tickets/tickets.service.ts) for one account and
// returns the same JSON, with the same opaque cursor format, so one URL works against both.
//
// Started by run.mjs with fork(): env DATABASE_URL, ACCOUNT_ID; it reports its port over IPC.
import { createServer } from 'node:http';
import pg from 'pg';

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

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/api/v1/tickets')
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

server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));

const stop = () => {
  server.close();
  pool.end().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2_000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop); // the parent died: do not linger
