import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Filter } from '@helpdesk/contracts';
import { RpcClient } from '@helpdesk/kit';
import { eventually } from '@helpdesk/testing';
import { newAccount } from '../src/accounts.js';
import { gatewayRoutes, paramsOf, routeKey, type GatewayRoute } from '../src/route-table.js';
import { ApiSession, demoAdmin, startSystem, type System } from '../src/system.js';
import { PortalClient } from './portal-client.js';

// Issue 9: every portal, admin and API route of the gateway, asked with ids that are not the
// caller's — another contact's of the same company (where the portal shows only a contact's own),
// another company's, another account's — answers 404 (a foreign portal: its login) and never data,
// and changes nothing. The routes come from the gateway's own Nest metadata, so a route added later
// is in the matrix, or makes this test fail until it is placed: filled, or excluded with a reason.

const DATABASE = 'security_routes_test';
const OTHER_HOST = 'other.localhost';
const OTHER_SLUG = 'elsewhere';
/** Every name of the other account's data carries this word: no answer to the demo's users may. */
const OTHER_MARK = 'Zenith';

type Foreign = 'another contact' | 'another company' | 'another account';
type Actor = 'contact' | 'admin' | 'api';

/** What a path parameter is filled with: the caller's own value, and the strangers' values. */
interface Fill {
  own: string;
  foreign: Partial<Record<Foreign, string>>;
}

interface Person {
  id: string;
  email: string;
  name: string;
  ticketId: string;
  ticketSubject: string;
  threadId: string;
  attachmentId: string;
  exportId: string;
  submissionId: string;
}

/** Everything the cases name: the demo's own ids, and each stranger's. */
interface World {
  accountId: string;
  adminId: string;
  alice: Person;
  /** Alice's colleague at Acme. */
  bob: Person;
  /** Of Globex, another company. */
  carol: Person;
  acmeId: string;
  groupId: string;
  inboxId: string;
  formId: string;
  /** fi.localhost: a domain that can change without unsettling the cases. */
  domainId: string;
  other: {
    accountId: string;
    adminId: string;
    contact: Person;
    companyId: string;
    groupId: string;
    inboxId: string;
    formId: string;
    domainId: string;
    pipelineId: string;
    stageId: string;
  };
}

/**
 * Every kind of path parameter the gateway has, by the collection it names (`tickets/:id`) or by
 * its own name (`:contactId`). A route with a parameter that is not here fails the matrix.
 */
const FILLS: Record<string, (w: World) => Fill> = {
  ':slug': () => ({ own: 'support', foreign: { 'another account': OTHER_SLUG } }),
  'tickets/:id': (w) => personal(w, 'ticketId'),
  'attachments/:id': (w) => personal(w, 'attachmentId'),
  'exports/:id': (w) => personal(w, 'exportId'),
  'submit/:id': (w) => personal(w, 'submissionId'),
  'threads/:id': (w) => personal(w, 'threadId'),
  'contacts/:id': (w) => personal(w, 'id'),
  ':contactId': (w) => personal(w, 'id'),
  'companies/:id': (w) => ({ own: w.acmeId, foreign: { 'another account': w.other.companyId } }),
  'access-groups/:id': (w) => ({ own: w.groupId, foreign: { 'another account': w.other.groupId } }),
  'inboxes/:id': (w) => ({ own: w.inboxId, foreign: { 'another account': w.other.inboxId } }),
  'forms/:id': (w) => ({ own: w.formId, foreign: { 'another account': w.other.formId } }),
  'domains/:id': (w) => ({ own: w.domainId, foreign: { 'another account': w.other.domainId } }),
};

/**
 * Parameters that name no entity: the portal's settings sections and system page types are the same
 * names in every account, and a route taking one acts on the caller's own portal. Only their own value.
 */
const FIXED_NAME_PARAMETERS: Record<string, string> = { ':section': 'general', ':type': 'login' };

const personal = (w: World, key: keyof Person): Fill => ({
  own: w.alice[key],
  foreign: {
    'another contact': w.bob[key],
    'another company': w.carol[key],
    'another account': w.other.contact[key],
  },
});

const parameterKind = (path: string, name: string) => {
  if (name !== 'id') return `:${name}`;
  const segments = path.split('/');
  return `${segments[segments.indexOf(':id') - 1]}/:id`;
};

/** How the parameter is filled; a route with a parameter of a kind the matrix does not know fails here. */
function fillOf(route: GatewayRoute, name: string, w: World): Fill {
  const kind = parameterKind(route.path, name);
  if (kind in FILLS) return FILLS[kind](w);
  if (kind in FIXED_NAME_PARAMETERS) return { own: FIXED_NAME_PARAMETERS[kind], foreign: {} };
  throw new Error(`route ${routeKey(route)} has parameter :${name} the matrix cannot fill`);
}

/** Whether a route names an entity in its path: those are the matrix's. */
const namesAnEntity = (route: GatewayRoute) =>
  paramsOf(route.path).some((name) => parameterKind(route.path, name) in FILLS);

const ANONYMOUS =
  'for visitors not logged in (login, registration, password reset, invitation, SSO): names no one’s data';
const OWN_SESSION = 'acts on the caller’s own session only';
const NO_ID =
  'takes no id: lists, reads or creates in the caller’s own account (the account comes from the session)';
const PLATFORM = 'the platform’s health and metrics: no account’s data';
const PUBLIC_FORMS =
  'the public form endpoint other web sites post to without a login: any form id is meant to be posted to (forms e2e)';
const FIXED_NAME_ONLY =
  'its only parameter is a fixed name (a settings section, a system page type) of the caller’s own portal';

/** Routes the matrix does not ask with strangers' ids, each with the reason; kept in this one place. */
const OUT_OF_SCOPE: Record<string, string> = {
  'POST /api/v1/auth/login': ANONYMOUS,
  'POST /api/v1/auth/logout': OWN_SESSION,
  'GET /api/v1/auth/me': OWN_SESSION,
  'GET /health/live': PLATFORM,
  'GET /health/ready': PLATFORM,
  'GET /metrics': PLATFORM,
  'GET /api/v1/tickets': NO_ID,
  'GET /api/v1/inboxes': NO_ID,
  'POST /api/v1/inboxes': NO_ID,
  'GET /api/v1/forms': NO_ID,
  'GET /api/v1/companies': NO_ID,
  'POST /api/v1/companies': NO_ID,
  'GET /api/v1/contact-properties': NO_ID,
  'POST /api/v1/contact-properties': NO_ID,
  'GET /api/v1/access-groups': NO_ID,
  'POST /api/v1/access-groups': NO_ID,
  'GET /api/v1/portal': NO_ID,
  'GET /api/v1/portal/audit': NO_ID,
  'POST /api/v1/portal/domains': NO_ID,
  'POST /api/v1/portal/system-pages/validate': NO_ID,
  'OPTIONS /forms/v1/submit/:formId': PUBLIC_FORMS,
  'OPTIONS /submissions/v3/integration/submit/:portalId/:formId': PUBLIC_FORMS,
  'POST /forms/v1/submit/:formId': PUBLIC_FORMS,
  'POST /submissions/v3/integration/submit/:portalId/:formId': PUBLIC_FORMS,
  'GET /admin': OWN_SESSION,
  'GET /admin/login': ANONYMOUS,
  'POST /admin/login': ANONYMOUS,
  'POST /admin/logout': OWN_SESSION,
  'GET /admin/welcome': OWN_SESSION,
  'GET /admin/portal': NO_ID,
  'GET /admin/portal/theme/preview': NO_ID,
  'POST /admin/portal/sections/:section': `${FIXED_NAME_ONLY}; the ids its forms post are identity's to check, asked through PUT /api/v1/portal/sections/:section`,
  'POST /admin/portal/domains': NO_ID,
  'GET /admin/forms': NO_ID,
  'POST /admin/forms': NO_ID,
  'GET /admin/portal/audit': NO_ID,
  'GET /admin/portal/system-pages': NO_ID,
  'GET /admin/portal/system-pages/:type': FIXED_NAME_ONLY,
  'POST /admin/portal/system-pages/:type': FIXED_NAME_ONLY,
  'POST /admin/portal/system-pages/:type/reset': FIXED_NAME_ONLY,
  'POST /admin/portal/system-pages/:type/preview': FIXED_NAME_ONLY,
  'GET /admin/contacts': NO_ID,
  'GET /admin/contacts/new': NO_ID,
  'GET /admin/companies': NO_ID,
  'GET /admin/companies/new': NO_ID,
  'POST /admin/companies': NO_ID,
  'GET /admin/access-groups': NO_ID,
  'POST /admin/access-groups': NO_ID,
  'GET /admin/portal/logos/:accountId/:name':
    'a portal’s logo is public (the login page shows it before anyone logs in), under a random name',
  'GET /:slug/preview':
    'redeems a one-time preview token, which names its portal and is checked against it (portal-preview e2e)',
  'POST /:slug/preview/end': OWN_SESSION,
  'GET /:slug': ANONYMOUS,
  'GET /:slug/login': ANONYMOUS,
  'POST /:slug/login': ANONYMOUS,
  'GET /:slug/access-denied': ANONYMOUS,
  'POST /:slug/logout': OWN_SESSION,
  'GET /:slug/logout': OWN_SESSION,
  'GET /:slug/register': ANONYMOUS,
  'POST /:slug/register': ANONYMOUS,
  'GET /:slug/register/check-email': ANONYMOUS,
  'GET /:slug/verify-email': ANONYMOUS,
  'GET /:slug/forgot-password': ANONYMOUS,
  'POST /:slug/forgot-password': ANONYMOUS,
  'GET /:slug/forgot-password/check-email': ANONYMOUS,
  'GET /:slug/reset-password': ANONYMOUS,
  'POST /:slug/reset-password': ANONYMOUS,
  'GET /:slug/accept-invitation': ANONYMOUS,
  'POST /:slug/accept-invitation': ANONYMOUS,
  'GET /:slug/sso': ANONYMOUS,
  'GET /:slug/sso/callback': ANONYMOUS,
};

/**
 * Served by Express, not Nest (gateway.ts mounts them), so not in the route table:
 * - `/admin/queues/*`: bull-board, the platform's queue dashboard for ops (SPEC "ops, watching the
 *   queues"): it names queues and jobs of the whole deployment, no account's entities by id; its
 *   access rules are queues-browser.e2e-spec's.
 * - `/portal-assets/*`: the portal's static CSS and scripts, the same for everyone.
 * - `/api/docs`, `/api/docs-json`: the API's Swagger description, no data.
 * - `/favicon.ico`: 204 No Content for everyone (the portal has no icon).
 */
const EXPRESS_ROUTES = ['/admin/queues', '/portal-assets', '/api/docs', '/api/docs-json', '/favicon.ico'];

/**
 * What the non-GET routes of the matrix are sent: a body that the route would accept with the
 * caller's own ids, so that only the id can be what stops it.
 */
const BODIES: Record<string, (w: World) => Record<string, unknown> | undefined> = {
  'POST /:slug/tickets/:id/reply': () => ({ body: 'A reply that must not land' }),
  'POST /:slug/tickets/:id/close': () => ({}),
  'POST /:slug/exports': () => ({}),
  'POST /:slug/submit': () => ({ subject: 'Must not be submitted', content: 'Nothing' }),
  'PATCH /api/v1/inboxes/:id': () => ({ name: 'Renamed by a stranger' }),
  'DELETE /api/v1/inboxes/:id': () => undefined,
  'POST /api/v1/threads/:id/replies': () => ({ bodyHtml: '<p>A reply that must not land</p>' }),
  'POST /api/v1/threads/:id/notes': () => ({ bodyHtml: '<p>A note that must not land</p>', kind: 'note' }),
  'PATCH /api/v1/forms/:id': () => ({ name: 'Renamed by a stranger' }),
  'DELETE /api/v1/forms/:id': () => undefined,
  'PATCH /api/v1/contacts/:id': () => ({ firstName: 'Renamed' }),
  'PATCH /api/v1/companies/:id': () => ({ name: 'Renamed by a stranger' }),
  'POST /api/v1/access-groups/:id/members': (w) => ({ contactIds: [w.alice.id] }),
  'POST /api/v1/access-groups/:id/members/remove': (w) => ({ contactIds: [w.alice.id] }),
  'POST /api/v1/access-groups/:id/members/:contactId/resend-invitation': () => undefined,
  'PATCH /api/v1/portal/domains/:id': () => ({ language: 'en' }),
  'DELETE /api/v1/portal/domains/:id': () => undefined,
  'POST /admin/portal/domains/:id': () => ({ language: 'en' }),
  'POST /admin/portal/domains/:id/remove': () => ({}),
  'POST /admin/forms/:id': () => ({ name: 'Renamed by a stranger', thankYouMessage: 'Thanks' }),
  'POST /admin/forms/:id/delete': () => ({}),
  'POST /admin/contacts/:id': () => ({ email: 'renamed@acme.test', firstName: 'Renamed', lastName: 'X' }),
  'POST /admin/companies/:id': () => ({ name: 'Renamed by a stranger', domain: '' }),
  'POST /admin/access-groups/:id/members': (w) => ({ contactIds: w.alice.id }),
  'POST /admin/access-groups/:id/members/:contactId/remove': () => ({}),
  'POST /admin/access-groups/:id/members/:contactId/resend-invitation': () => ({}),
  'POST /admin/inbox/threads/:id/reply': () => ({ body: 'A reply that must not land' }),
  'POST /admin/inbox/threads/:id/note': () => ({ body: 'A note that must not land' }),
  'POST /admin/inbox/threads/:id/ticket': () => ({ stageId: '', priority: 'high', ownerId: '' }),
};

/**
 * Routes that take ids in the body or the query: each asked with another account's, answered
 * 404 (a JSON API) or refused at the field (400), never accepted.
 */
interface BodyIdCase {
  route: string;
  actor: Actor;
  /** The request's path (own ids) and body, naming the stranger's id somewhere in them. */
  request: (w: World, now: PortalNow) => { path: string; body?: Record<string, unknown> };
  /** 200 only for a filter, which matches nothing of a stranger's as it matches nothing unknown. */
  expected: 200 | 400 | 404;
  /** For a JSON 400: the field the refusal must name, so that it is the id that was refused. */
  refusedAt?: string;
}
/** What body cases need of the demo portal as it is now, to change one thing in a whole section. */
type PortalNow = Record<string, Record<string, unknown>>;

const BODY_ID_CASES: Record<string, BodyIdCase> = {
  'a ticket for another account’s contact': {
    route: 'POST /api/v1/tickets',
    actor: 'api',
    request: (w) => ({
      path: '/api/v1/tickets',
      body: { subject: 'Stranger’s requester', requesterContactId: w.other.contact.id },
    }),
    expected: 404,
  },
  'a ticket for another account’s company': {
    route: 'POST /api/v1/tickets',
    actor: 'api',
    request: (w) => ({
      path: '/api/v1/tickets',
      body: { subject: 'Stranger’s company', companyId: w.other.companyId },
    }),
    expected: 404,
  },
  'a ticket in another account’s pipeline': {
    route: 'POST /api/v1/tickets',
    actor: 'api',
    request: (w) => ({
      path: '/api/v1/tickets',
      body: { subject: 'Stranger’s pipeline', pipelineId: w.other.pipelineId, stageId: w.other.stageId },
    }),
    expected: 404,
  },
  'a contact of another account’s company': {
    route: 'POST /api/v1/contacts',
    actor: 'api',
    request: (w) => ({
      path: '/api/v1/contacts',
      body: { email: 'new-stranger@acme.test', primaryCompanyId: w.other.companyId },
    }),
    expected: 404,
  },
  'a contact moved to another account’s company': {
    route: 'PATCH /api/v1/contacts/:id',
    actor: 'api',
    request: (w) => ({
      path: `/api/v1/contacts/${w.alice.id}`,
      body: { primaryCompanyId: w.other.companyId },
    }),
    expected: 404,
  },
  'another account’s contact added to a group (API)': {
    route: 'POST /api/v1/access-groups/:id/members',
    actor: 'api',
    request: (w) => ({
      path: `/api/v1/access-groups/${w.groupId}/members`,
      body: { contactIds: [w.other.contact.id] },
    }),
    expected: 404,
  },
  'another account’s contact added to a group (admin)': {
    route: 'POST /admin/access-groups/:id/members',
    actor: 'admin',
    request: (w) => ({
      path: `/admin/access-groups/${w.groupId}/members`,
      body: { contactIds: w.other.contact.id },
    }),
    expected: 404,
  },
  'another account’s contact removed from a group (API)': {
    route: 'POST /api/v1/access-groups/:id/members/remove',
    actor: 'api',
    request: (w) => ({
      path: `/api/v1/access-groups/${w.groupId}/members/remove`,
      body: { contactIds: [w.other.contact.id] },
    }),
    expected: 404,
  },
  'a contact of another account’s company, by its name (admin)': {
    route: 'POST /admin/contacts',
    actor: 'admin',
    request: () => ({
      path: '/admin/contacts',
      body: {
        email: 'new-stranger@acme.test',
        firstName: 'New',
        lastName: 'Stranger',
        company: `${OTHER_MARK} Corp`,
      },
    }),
    expected: 400,
  },
  'a portal preview as another account’s contact': {
    route: 'POST /api/v1/portal/previews',
    actor: 'api',
    request: (w) => ({ path: '/api/v1/portal/previews', body: { contactId: w.other.contact.id } }),
    expected: 404,
  },
  'another account’s form as the support form': {
    route: 'PUT /api/v1/portal/sections/:section',
    actor: 'api',
    request: (w, now) => ({
      path: '/api/v1/portal/sections/supportForm',
      body: { ...now.supportForm, connected: true, formId: w.other.formId },
    }),
    expected: 400,
    refusedAt: 'formId',
  },
  'another account’s access group admitted to the portal': {
    route: 'PUT /api/v1/portal/sections/:section',
    actor: 'api',
    request: (w, now) => ({
      path: '/api/v1/portal/sections/access',
      body: { ...now.access, accessGroupIds: [w.other.groupId] },
    }),
    expected: 400,
    refusedAt: 'accessGroupIds',
  },
  'another account’s inbox as the portal’s destination': {
    route: 'PUT /api/v1/portal/sections/:section',
    actor: 'api',
    request: (w, now) => ({
      path: '/api/v1/portal/sections/general',
      body: { ...now.general, destination: { kind: 'inbox', id: w.other.inboxId } },
    }),
    expected: 400,
    refusedAt: 'destination',
  },
  'a form delivering into another account’s inbox': {
    route: 'POST /api/v1/forms',
    actor: 'api',
    request: (w) => ({
      path: '/api/v1/forms',
      body: {
        name: 'Stranger’s destination',
        fields: [
          {
            name: 'email',
            label: 'Email',
            type: 'email',
            required: true,
            property: { object: 'contact', name: 'email' },
          },
        ],
        ticketCreation: { enabled: true, destination: { kind: 'inbox', id: w.other.inboxId } },
      },
    }),
    expected: 400,
    refusedAt: 'destination',
  },
  'a support form from the template, delivering into another account’s inbox': {
    route: 'POST /api/v1/forms/templates/support',
    actor: 'api',
    request: (w) => ({
      path: '/api/v1/forms/templates/support',
      body: { ticketCreation: { enabled: true, destination: { kind: 'inbox', id: w.other.inboxId } } },
    }),
    expected: 400,
    refusedAt: 'destination',
  },
  'another account’s inbox opened in the agent inbox': {
    route: 'GET /admin/inbox',
    actor: 'admin',
    request: (w) => ({ path: `/admin/inbox?inbox=${w.other.inboxId}` }),
    expected: 404,
  },
  'a ticket given to another account’s user': {
    route: 'POST /admin/inbox/threads/:id/ticket',
    actor: 'admin',
    request: (w) => ({
      path: `/admin/inbox/threads/${w.alice.threadId}/ticket`,
      body: { stageId: '', priority: '', ownerId: w.other.adminId },
    }),
    expected: 400,
  },
  'a ticket moved to another account’s stage': {
    route: 'POST /admin/inbox/threads/:id/ticket',
    actor: 'admin',
    request: (w) => ({
      path: `/admin/inbox/threads/${w.alice.threadId}/ticket`,
      body: { stageId: w.other.stageId, priority: '', ownerId: '' },
    }),
    expected: 400,
  },
  'contacts listed by another account’s company': {
    route: 'GET /api/v1/contacts',
    actor: 'api',
    request: (w) => ({ path: `/api/v1/contacts?companyId=${w.other.companyId}` }),
    expected: 200,
  },
};

const actorOf = (route: GatewayRoute): Actor | undefined =>
  route.path.startsWith('api/')
    ? 'api'
    : route.path.split('/')[0] === 'admin'
      ? 'admin'
      : route.path.startsWith(':slug')
        ? 'contact'
        : undefined;

/** Which strangers an actor is asked about: a contact sees only their own or their company's; staff their account's. */
const STRANGERS: Record<Actor, Foreign[]> = {
  contact: ['another contact', 'another company', 'another account'],
  admin: ['another account'],
  api: ['another account'],
};

const routes = await gatewayRoutes();
const placedRoutes = routes.filter((route) => !(routeKey(route) in OUT_OF_SCOPE));
const matrixRoutes = placedRoutes.filter(namesAnEntity);

let system: System;
let rpc: RpcClient;
let w: World;
let alice: PortalClient;
let aliceElsewhere: PortalClient;
let admin: PortalClient;
let api: ApiSession;
let otherApi: ApiSession;
const csrf = { contact: '', admin: '' };
/** Each stranger's names and addresses: none may appear in an answer to an actor they are a stranger to. */
let secrets: Record<Foreign, string[]>;
let foreignBefore: unknown;
/** What the matrix asked: own-id controls, strangers' ids in paths, strangers' ids in bodies and queries. */
const counted = { ownIdControls: 0, pathCases: 0, bodyCases: 0 };

interface Answer {
  status: number;
  body: string;
  contentType: string;
  location?: string;
}

async function send(
  actor: Actor,
  method: string,
  path: string,
  body?: Record<string, unknown>,
  host?: string,
): Promise<Answer> {
  if (actor === 'api') {
    const response = await api.request(method, path, body);
    return {
      status: response.status,
      body: await response.text(),
      contentType: response.headers.get('content-type') ?? '',
      location: response.headers.get('location') ?? undefined,
    };
  }
  // The demo contact's own session cookie, sent to the other account's portal on its host.
  aliceElsewhere.cookie = alice.cookie;
  const client = actor === 'admin' ? admin : host === OTHER_HOST ? aliceElsewhere : alice;
  if (method !== 'GET' && method !== 'POST')
    throw new Error(`${actor} pages take GET and POST, not ${method}`);
  const answer =
    method === 'GET'
      ? await client.get(path)
      : await client.post(path, {
          _csrf: csrf[actor],
          ...Object.fromEntries(Object.entries(body ?? {}).map(([key, value]) => [key, String(value)])),
        });
  return {
    status: answer.status,
    body: answer.body,
    contentType: String(answer.headers['content-type'] ?? ''),
    location: answer.location,
  };
}

/** Why an answer to a stranger's id is not the refusal it must be; null when it is. */
function problemWith(
  actor: Actor,
  answer: Answer,
  expected: 200 | 400 | 404 | 'foreign portal',
  sent = '',
): string | null {
  // What the request itself said may come back (a refused form as typed); nothing else of a stranger's.
  const leaked = STRANGERS[actor]
    .flatMap((stranger) => secrets[stranger])
    .filter((secret) => answer.body.toLowerCase().includes(secret.toLowerCase()) && !sent.includes(secret));
  if (leaked.length) return `answered ${answer.status} naming ${leaked.join(', ')}`;
  if (expected === 'foreign portal')
    // Another account's portal does not know the demo contact's session: its login, and nothing else.
    return answer.status === 303 && answer.location?.startsWith(`/${OTHER_SLUG}/login?`)
      ? null
      : `answered ${answer.status} ${answer.location ?? ''}, not the other portal's login`;
  if (answer.status !== expected) return `answered ${answer.status}, not ${expected}`;
  if (actor === 'api') {
    const code = (JSON.parse(answer.body) as { error?: { code?: string } }).error?.code ?? '';
    // ROUTE_NOT_FOUND would mean the request never reached the route: proving nothing.
    if (expected === 404 && (!code.endsWith('_NOT_FOUND') || code === 'ROUTE_NOT_FOUND'))
      return `answered 404 ${code}`;
    return null;
  }
  // The route's own error page (HTML); a path that reaches no route gets the JSON ROUTE_NOT_FOUND.
  return answer.contentType.startsWith('text/html')
    ? null
    : `answered ${answer.status} as ${answer.contentType}`;
}

const pathWith = (route: GatewayRoute, values: Record<string, string>) =>
  `/${route.path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(values[name]))}`;

async function setPermissions(mode: 'own' | 'company') {
  await rpc.send('identity.portal.update', {
    accountId: w.accountId,
    actorUserId: w.adminId,
    section: 'permissions',
    settings: { mode, segment: { groups: [] } as Filter },
  });
}

/** The strangers' data as their own services tell it, to compare before and after the matrix. */
async function foreignState() {
  const { other } = w;
  const ticketOf = (accountId: string, person: Person) =>
    Promise.all([
      rpc.send('tickets.get', { accountId, id: person.ticketId }),
      rpc.send('inbox.threads.get', { accountId, threadId: person.threadId }),
    ]);
  return {
    bob: await ticketOf(w.accountId, w.bob),
    carol: await ticketOf(w.accountId, w.carol),
    other: {
      ticket: await ticketOf(other.accountId, other.contact),
      contact: await rpc.send('identity.contacts.get', { accountId: other.accountId, id: other.contact.id }),
      company: await rpc.send('identity.companies.get', { accountId: other.accountId, id: other.companyId }),
      members: await rpc.send('identity.accessGroups.members', {
        accountId: other.accountId,
        groupId: other.groupId,
      }),
      inboxes: await rpc.send('inbox.inboxes.list', { accountId: other.accountId }),
      form: await rpc.send('forms.get', { accountId: other.accountId, id: other.formId }),
      portal: await rpc.send('identity.portal.get', { accountId: other.accountId }),
    },
  };
}

describe('the route table', () => {
  it('is the gateway’s, with every well-known route', () => {
    expect(routes.length).toBeGreaterThan(120);
    const keys = routes.map(routeKey);
    for (const known of [
      'GET /api/v1/tickets/:id',
      'GET /:slug/tickets/:id',
      'POST /:slug/tickets/:id/reply',
      'GET /admin/contacts/:id',
      'GET /api/v1/attachments/:id',
      'GET /:slug/exports/:id/download',
    ])
      expect(keys).toContain(known);
    expect(new Set(keys).size).toBe(keys.length);
    // Express's own mounts are outside Nest's table, listed by hand.
    for (const path of EXPRESS_ROUTES)
      expect(keys.some((key) => key.split(' ')[1].startsWith(path))).toBe(false);
  });

  it('places every route: filled by the matrix, asked with body ids, or excluded with a reason', () => {
    const problems: string[] = [];
    const keys = new Set(routes.map(routeKey));
    for (const key of Object.keys(OUT_OF_SCOPE))
      if (!keys.has(key)) problems.push(`${key} is excluded but no route`);
    for (const { route } of Object.values(BODY_ID_CASES))
      if (!keys.has(route)) problems.push(`${route} has body cases but no route`);
    for (const key of Object.keys(BODIES))
      if (!keys.has(key)) problems.push(`${key} has a body but no route`);
    const bodyCased = new Set(Object.values(BODY_ID_CASES).map((c) => c.route));
    for (const route of placedRoutes) {
      const key = routeKey(route);
      if (!actorOf(route)) problems.push(`${key} belongs to no actor (portal, admin or API)`);
      for (const name of paramsOf(route.path))
        try {
          fillOf(route, name, w);
        } catch (error) {
          problems.push((error as Error).message);
        }
      const filled = namesAnEntity(route);
      if (!filled && !bodyCased.has(key))
        problems.push(`${key} takes no stranger's id: exclude it with a reason, or add its body cases`);
      if (filled && route.method !== 'GET' && !(key in BODIES))
        problems.push(`${key} has no request body in BODIES`);
    }
    expect(problems).toEqual([]);
  });
});

/** A small PDF: the type inbox accepts for attachments. */
const pdf = Buffer.from('%PDF-1.4\n% security matrix\n');

/** An agent's public reply with one file on the thread; the attachment's id. */
async function attach(session: ApiSession, threadId: string, fileName: string): Promise<string> {
  const form = new FormData();
  form.append('bodyHtml', '<p>The file you asked for</p>');
  form.append('attachments', new Blob([pdf], { type: 'application/pdf' }), fileName);
  const response = await fetch(`${system.url}/api/v1/threads/${threadId}/replies`, {
    method: 'POST',
    headers: { cookie: session.sessionCookie! },
    body: form,
  });
  if (response.status !== 201)
    throw new Error(`reply with a file: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { attachments: { id: string }[] }).attachments[0].id;
}

/** A contact with one open ticket (its thread, an attachment there), an export and a submission. */
async function personOf(
  accountId: string,
  agent: ApiSession,
  contact: { id: string; email: string; firstName: string; lastName: string },
  ticket: { id: string; subject: string },
  formId: string,
): Promise<Person> {
  const [thread] = await rpc.send('inbox.threads.ofTicket', { accountId, ticketId: ticket.id });
  if (!thread) throw new Error(`ticket ${ticket.subject} has no thread`);
  const viewer = await rpc.send('identity.viewer.scope', { accountId, contactId: contact.id });
  const { exportId } = await rpc.send('tickets.exports.start', {
    accountId,
    viewer,
    show: 'mine',
    visibility: { groups: [] },
    ownerDisplay: { mode: 'first_name', alias: null },
    columns: [{ property: 'subject', label: 'Subject' }],
    showStages: false,
    language: 'en',
  });
  const { submissionId } = await rpc.send('forms.submit', {
    formId,
    accountId,
    contactId: contact.id,
    channel: 'portal',
    values: { email: contact.email, subject: `${contact.firstName}’s request`, content: 'Please help.' },
  });
  return {
    id: contact.id,
    email: contact.email,
    name: `${contact.firstName} ${contact.lastName}`,
    ticketId: ticket.id,
    ticketSubject: ticket.subject,
    threadId: thread.id,
    attachmentId: await attach(agent, thread.id, `${contact.firstName}-plans.pdf`),
    exportId,
    submissionId,
  };
}

/**
 * The other account, made as a new customer of the help desk would be (newAccount): its admin a copy
 * of the demo admin, password and permissions, so that it logs in to the API to attach files.
 */
async function createOtherAccount(): Promise<World['other']> {
  const {
    accountId,
    userId: adminId,
    domainId,
  } = await newAccount(
    { client: rpc, databaseUrl: system.databaseUrl },
    {
      name: `${OTHER_MARK} Ltd`,
      user: { like: 'admin@demo.test', email: 'admin@zenith.test', name: `${OTHER_MARK} Admin` },
      hostname: OTHER_HOST,
      portal: { name: `${OTHER_MARK} Help`, slug: OTHER_SLUG },
    },
  );
  otherApi = await ApiSession.login(system.url, 'admin@zenith.test', 'demo-password');

  const company = await rpc.send('identity.companies.create', {
    accountId,
    name: `${OTHER_MARK} Corp`,
    domain: 'zenith.test',
  });
  const contact = await rpc.send('identity.contacts.create', {
    accountId,
    email: 'zoe@zenith.test',
    firstName: 'Zoe',
    lastName: `${OTHER_MARK}son`,
    primaryCompanyId: company.id,
  });
  const group = await rpc.send('identity.accessGroups.create', { accountId, name: `${OTHER_MARK} VIPs` });
  await rpc.send('identity.accessGroups.addMembers', {
    accountId,
    groupId: group.id,
    contactIds: [contact.id],
  });
  const inbox = await rpc.send('inbox.inboxes.create', {
    accountId,
    kind: 'inbox',
    name: `${OTHER_MARK} Inbox`,
  });
  const requester = { contactId: contact.id, name: `Zoe ${OTHER_MARK}son`, email: contact.email };
  const ticket = await rpc.send('tickets.create', {
    accountId,
    subject: `${OTHER_MARK} printer on fire`,
    requesterContactId: contact.id,
    requesterName: requester.name,
    requesterEmail: requester.email,
    companyId: company.id,
  });
  await rpc.send('inbox.threads.open', {
    accountId,
    ticketId: ticket.id,
    inboxId: inbox.id,
    requester,
    subject: ticket.subject,
    bodyText: `${OTHER_MARK} details`,
    idempotencyKey: `security:${ticket.id}`,
  });
  const form = await rpc.send('forms.createFromTemplate', {
    accountId,
    template: 'support',
    name: `${OTHER_MARK} form`,
  });
  const [pipeline] = await rpc.send('tickets.pipelines.list', { accountId });
  return {
    accountId,
    adminId,
    contact: await personOf(accountId, otherApi, contact, ticket, form.id),
    companyId: company.id,
    groupId: group.id,
    inboxId: inbox.id,
    formId: form.id,
    domainId,
    pipelineId: pipeline.id,
    stageId: pipeline.stages[0].id,
  };
}

beforeAll(async () => {
  system = await startSystem({ database: DATABASE });
  rpc = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 10_000 });
  const { accountId, adminId } = await demoAdmin(rpc);
  api = await ApiSession.login(system.url, 'admin@demo.test', 'demo-password');

  const portal = await rpc.send('identity.portal.get', { accountId });
  const formId = portal.supportForm.formId!;
  const everyTicket = (await rpc.send('tickets.list', { accountId, limit: 100 })).items;
  const demoPerson = async (email: string) => {
    const [contact] = (await rpc.send('identity.contacts.list', { accountId, search: email })).items;
    const ticket = everyTicket.find((t) => t.requesterContactId === contact.id && !t.closed)!;
    return { contact, person: await personOf(accountId, api, contact, ticket, formId) };
  };
  const alicesOwn = await demoPerson('alice@acme.test');
  const inboxes = await rpc.send('inbox.inboxes.list', { accountId });
  const groups = await rpc.send('identity.accessGroups.list', { accountId });
  w = {
    accountId,
    adminId,
    alice: alicesOwn.person,
    bob: (await demoPerson('bob@acme.test')).person,
    carol: (await demoPerson('carol@globex.test')).person,
    acmeId: alicesOwn.contact.primaryCompanyId!,
    groupId: groups.find((group) => group.name === 'Customers')!.id,
    inboxId: inboxes.find((inbox) => inbox.name === 'Support inbox')!.id,
    formId,
    domainId: portal.domains.find((domain) => domain.hostname === 'fi.localhost')!.id,
    other: await createOtherAccount(),
  };
  const namesOf = (person: Person) => [
    person.email,
    person.name,
    person.ticketSubject,
    `${person.name.split(' ')[0]}-plans.pdf`,
  ];
  secrets = {
    'another contact': namesOf(w.bob),
    'another company': [...namesOf(w.carol), 'Globex'],
    // Every name of the other account's carries the mark; its contact's address too.
    'another account': [OTHER_MARK, w.other.contact.email],
  };
  // Alice's export is downloadable once done (the download route's own-id check needs it).
  await eventually(async () => {
    const done = await rpc.send('tickets.exports.get', {
      accountId,
      contactId: w.alice.id,
      exportId: w.alice.exportId,
    });
    return done.status === 'done';
  }, 30_000);

  alice = new PortalClient(system.url);
  expect((await alice.login('support', 'alice@acme.test', 'demo-password')).status).toBe(303);
  csrf.contact = PortalClient.csrfOf((await alice.get('/support/tickets')).body);
  aliceElsewhere = new PortalClient(system.url, OTHER_HOST);
  admin = new PortalClient(system.url);
  expect((await admin.loginAdmin('admin@demo.test', 'demo-password')).status).toBe(303);
  csrf.admin = PortalClient.csrfOf((await admin.get('/admin/contacts')).body);
  foreignBefore = await foreignState();
}, 240_000);

afterAll(async () => {
  console.log(`security matrix: ${JSON.stringify(counted)} (routes in the matrix: ${matrixRoutes.length})`);
  await rpc?.close();
  await system?.close();
});

describe('every route, asked with a stranger’s id', () => {
  it('lets Alice open her colleague’s ticket while the portal shows company tickets (so the own-mode case means something)', async () => {
    expect((await alice.get(`/support/tickets/${w.bob.ticketId}`)).status).toBe(200);
  });

  it.each(matrixRoutes.map((route) => [routeKey(route), route] as const))('%s', async (key, route) => {
    const actor = actorOf(route)!;
    const names = paramsOf(route.path);
    const fills = Object.fromEntries(names.map((name) => [name, fillOf(route, name, w)]));
    const own = Object.fromEntries(names.map((name) => [name, fills[name].own]));
    const problems: string[] = [];
    // With the caller's own ids the route answers: a 404 for a stranger's id then is the id's doing.
    if (route.method === 'GET') {
      const answer = await send(actor, 'GET', pathWith(route, own));
      counted.ownIdControls++;
      if (answer.status >= 400 || answer.location?.includes('/login'))
        problems.push(`own ids: answered ${answer.status} ${answer.location ?? ''}`);
    }
    const body = BODIES[key]?.(w);
    for (const name of names)
      for (const stranger of STRANGERS[actor]) {
        const value = fills[name].foreign[stranger];
        if (value === undefined) continue;
        const foreignPortal = name === 'slug';
        // A colleague's ticket is out of reach only where the portal shows each contact their own.
        if (stranger === 'another contact') await setPermissions('own');
        try {
          const path = pathWith(route, { ...own, [name]: value });
          const answer = await send(actor, route.method, path, body, foreignPortal ? OTHER_HOST : undefined);
          counted.pathCases++;
          const problem = problemWith(actor, answer, foreignPortal ? 'foreign portal' : 404);
          if (problem) problems.push(`:${name} of ${stranger}: ${problem}`);
        } finally {
          if (stranger === 'another contact') await setPermissions('company');
        }
      }
    expect(problems).toEqual([]);
  });

  it.each(Object.entries(BODY_ID_CASES))('%s', async (_name, bodyCase) => {
    const portal = await rpc.send('identity.portal.get', { accountId: w.accountId });
    const { path, body } = bodyCase.request(w, portal as unknown as PortalNow);
    const answer = await send(bodyCase.actor, bodyCase.route.split(' ')[0], path, body);
    counted.bodyCases++;
    expect(problemWith(bodyCase.actor, answer, bodyCase.expected, JSON.stringify(body ?? {}))).toBeNull();
    if (bodyCase.refusedAt) {
      const { error } = JSON.parse(answer.body) as { error: { fields?: Record<string, string[]> } };
      expect(Object.keys(error.fields ?? {})).toContainEqual(expect.stringContaining(bodyCase.refusedAt));
    }
    expect(await rpc.send('identity.portal.get', { accountId: w.accountId })).toEqual(portal);
  });

  it('changed nothing of anyone else', async () => {
    expect(counted.pathCases).toBeGreaterThan(80);
    expect(counted.bodyCases).toBe(Object.keys(BODY_ID_CASES).length);
    expect(await foreignState()).toEqual(foreignBefore);
  });
});
