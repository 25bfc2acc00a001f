// The customer portal as a browser uses it, for the benchmarks that go through the gateway
// (portal-list.mjs, soak.mjs): requests over keep-alive connections, the portal's login form with its
// CSRF token and session cookie, and the Megacorp contacts that may log in.
import http from 'node:http';
import { HOST } from './processes.mjs';

/** Company #0 of the data set: 200,000 tickets and 10,000 contacts. */
export const MEGACORP = 'bdaed294-ec8e-40bc-87ae-ba03113e84b5';
/** The demo seed's password, given to the Megacorp contacts the benchmarks log in as. */
export const PASSWORD = 'demo-password';

/**
 * One request to a gateway on 127.0.0.1; the whole body as text (latin1: the checks look at ASCII
 * markup, and it decodes faster than UTF-8). Redirects are answers, not followed.
 */
export function request(port, { method = 'GET', path, headers = {}, body, agent }) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: HOST, port, method, path, headers, agent, timeout: 30_000 }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('latin1'),
        }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
    req.on('error', (error) => reject(new Error(`${method} ${path}: ${error.message}`)));
    req.end(body);
  });
}

/** A form post's headers and body (application/x-www-form-urlencoded). */
export function formPost(fields, headers = {}) {
  const body = new URLSearchParams(fields).toString();
  return {
    method: 'POST',
    headers: {
      ...headers,
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': Buffer.byteLength(body),
    },
    body,
  };
}

/** The `name=value` of a Set-Cookie for `name`, if the answer sets it. */
export const cookieFrom = (headers, name) =>
  (headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).find((c) => c.startsWith(`${name}=`));
export const csrfFrom = (html) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
/** The ids of the tickets a list page links to, in order (each row's ticket link). */
export const ticketIdsOf = (html) =>
  [...html.matchAll(/class="ticket-link" href="\/[^/"]+\/tickets\/([0-9a-f-]{36})"/g)].map((m) => m[1]);
/** LiquidJS's `escape`, which the pages' `{{ }}` apply. */
const liquidEscape = (text) =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[char],
  );
/**
 * The heading of a ticket's page, its subject, as `request` reads the page: the UTF-8 bytes as
 * latin1. A page that has it is that ticket's page.
 */
export const ticketHeadingOf = (subject) =>
  Buffer.from(`<h1 class="page-title">${liquidEscape(subject)}</h1>`, 'utf8').toString('latin1');
/**
 * A client address of its own for the n-th simulated customer, from 198.18.0.0/15 (set aside for
 * benchmarks, RFC 2544). Sent as X-Forwarded-For to gateways started with TRUST_PROXY=true, so the
 * per-address rate limits count the benchmark's customers apart, and apart from other people's
 * tests that use the same Redis from 127.0.0.1.
 */
export const benchAddress = (n) => `198.${18 + ((n >> 16) & 1)}.${(n >> 8) & 255}.${n & 255}`;

/** The account's portal and the host it answers on; throws unless it is enabled. */
export async function portalOf(db, accountId) {
  const row = (
    await db.query(
      `select p.slug, p.general->>'enabled' as enabled, p.access, d.hostname
         from identity.portal p join identity.domain d on d.account_id = p.account_id and d."primary"
        where p.account_id = $1`,
      [accountId],
    )
  ).rows[0];
  if (!row || row.enabled !== 'true') throw new Error('the Demo account has no enabled portal');
  return { accountId, slug: row.slug, hostname: row.hostname, access: row.access };
}

/**
 * The first `count` contacts of Megacorp Oy, each able to log in to the portal with the demo password
 * (a login with the demo admin's password hash and, when the portal lets in access groups only,
 * membership of them). Added once (`on conflict do nothing`): the only change the portal benchmarks
 * make to the data set.
 */
export async function megacorpLogins(db, portal, count) {
  const contacts = (
    await db.query(
      `select c.id, c.email, c.primary_company_id as "companyId" from bench.contact b
         join identity.contact c on c.id = b.id
        where b.company_id = $1 order by b.idx limit $2`,
      [MEGACORP, count],
    )
  ).rows;
  if (contacts.length < count)
    throw new Error(`only ${contacts.length} Megacorp contacts in identity.contact; regenerate the data set`);
  const ids = contacts.map((c) => c.id);
  await db.query(
    `insert into identity.contact_login (contact_id, account_id, password_hash, email_verified_at, created_at)
     select c.id, $2, u.password_hash, now(), now()
       from unnest($1::uuid[]) as c(id)
       join identity.internal_user u on u.account_id = $2 and u.email = 'admin@demo.test'
     on conflict (contact_id) do nothing`,
    [ids, portal.accountId],
  );
  if (portal.access.mode === 'access_groups')
    await db.query(
      `insert into identity.access_group_member (group_id, contact_id, account_id, invitation_status, added_at)
       select g.id, c.id, $2, 'accepted', now()
         from unnest($1::uuid[]) as c(id)
         join identity.access_group g on g.account_id = $2 and g.id::text = any($3::text[])
       on conflict do nothing`,
      [ids, portal.accountId, portal.access.accessGroupIds],
    );
  return contacts;
}

/**
 * `count` tickets of the contact's company view (their own and Megacorp's) in a fixed random order,
 * with their page's path and heading. (The data set has no conversations: the pages show none.)
 */
export async function companyTickets(db, portal, contact, count) {
  const { rows } = await db.query(
    `select id, subject from tickets.ticket
      where account_id = $1 and (requester_contact_id = $2 or company_id = $3)
      order by md5(id::text) limit $4`,
    [portal.accountId, contact.id, MEGACORP, count],
  );
  return rows.map(({ id, subject }) => ({
    id,
    path: `/${portal.slug}/tickets/${id}`,
    heading: ticketHeadingOf(subject),
  }));
}

/**
 * Logs a contact in through the portal's login form as a browser does: `GET /<slug>/login` (a
 * session cookie and the form's CSRF token), then `POST /<slug>/login`, which must answer 303 to the
 * ticket list with a new session cookie. Each request goes to the next of `gateways` (a
 * `RoundRobin`), from `clientAddress` (X-Forwarded-For) when given. Returns the session cookie
 * (`hd.sid=…`).
 */
export async function logIn(gateways, portal, { contact, clientAddress, agent }) {
  const { slug, hostname } = portal;
  const headers = { host: hostname, ...(clientAddress ? { 'x-forwarded-for': clientAddress } : {}) };
  const form = await request(gateways.port(), { path: `/${slug}/login`, headers, agent });
  const token = csrfFrom(form.body);
  const anonymous = cookieFrom(form.headers, 'hd.sid');
  if (form.status !== 200 || !token || !anonymous)
    throw new Error(
      `GET /${slug}/login: ${form.status}, token ${Boolean(token)}, cookie ${Boolean(anonymous)}`,
    );
  const login = await request(gateways.port(), {
    path: `/${slug}/login`,
    agent,
    ...formPost(
      { _csrf: token, next: `/${slug}/tickets`, email: contact.email, password: PASSWORD },
      { ...headers, cookie: anonymous },
    ),
  });
  const cookie = cookieFrom(login.headers, 'hd.sid');
  if (login.status !== 303 || login.headers.location !== `/${slug}/tickets` || !cookie)
    throw new Error(
      `POST /${slug}/login as ${contact.email}: ${login.status} → ${login.headers.location}\n${login.body.slice(0, 300)}`,
    );
  return cookie;
}
