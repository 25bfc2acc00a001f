import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PipelineView, PortalSection, PortalView } from '@helpdesk/contracts';
import { RpcClient } from '@helpdesk/kit';
import { randomUUID } from 'node:crypto';
import { ApiSession, startSystem, type System } from '../src/system.js';
import { PortalClient } from './portal-client.js';

// The admin JSON API of the customer portal's settings (SPEC S1–S14), audit log and domains, over
// HTTP against the whole system seeded with the demo data; the demo portal is `support` on localhost.

let system: System;
let rpc: RpcClient;
let admin: ApiSession;
let agent: ApiSession;
let adminId: string;
let accountId: string;
let supportPipeline: PipelineView;

const json = async (response: Response) => (await response.json()) as Record<string, any>;

async function portal(): Promise<PortalView> {
  const response = await admin.request('GET', '/api/v1/portal');
  expect(response.status).toBe(200);
  return (await response.json()) as PortalView;
}

const save = (section: string, settings: unknown) =>
  admin.request('PUT', `/api/v1/portal/sections/${section}`, settings);

async function latestAudit(): Promise<Record<string, any> | undefined> {
  const response = await admin.request('GET', '/api/v1/portal/audit?limit=1');
  expect(response.status).toBe(200);
  return (await json(response)).items[0] as Record<string, any> | undefined;
}

/** A section as identity stores it (and audits it): the view adds only whether an OIDC secret is set. */
function stored(view: PortalView, section: PortalSection): object {
  if (section !== 'access') return view[section];
  const { oidcSecretSet: _set, ...access } = view.access;
  return access;
}

/** Saving must be refused with these field problems, and neither the settings nor the audit log change. */
async function expectRefused(section: string, settings: unknown, fields: Record<string, unknown>) {
  const [before, auditBefore] = [await portal(), await latestAudit()];
  const response = await save(section, settings);
  const body = await json(response);
  expect([response.status, body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
  expect(body.error.message).toMatch(new RegExp(`^Invalid ${section} settings: `));
  expect(body.error.fields).toEqual(fields);
  expect(await portal()).toEqual(before);
  expect(await latestAudit()).toEqual(auditBefore);
}

beforeAll(async () => {
  system = await startSystem({ database: 'helpdesk_test_e2e_portal_settings_api' });
  rpc = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 10_000 });
  admin = await ApiSession.login(system.url, 'admin@demo.test', 'demo-password');
  agent = await ApiSession.login(system.url, 'agent@demo.test', 'demo-password');
  ({ id: adminId, accountId } = await json(await admin.request('GET', '/api/v1/auth/me')));
  [supportPipeline] = await rpc.send('tickets.pipelines.list', { accountId });
}, 180_000);

afterAll(async () => {
  await rpc?.close();
  await system?.close();
});

describe('who may use the portal settings API', () => {
  const routes = [
    'GET /api/v1/portal',
    'PUT /api/v1/portal/sections/{section}',
    'GET /api/v1/portal/audit',
    'POST /api/v1/portal/domains',
    'PATCH /api/v1/portal/domains/{id}',
    'DELETE /api/v1/portal/domains/{id}',
    'POST /api/v1/portal/system-pages/validate',
    'POST /api/v1/portal/previews',
  ];

  /** Every portal route the API documents: one added later is checked here without a change to this test. */
  async function documentedRoutes(): Promise<string[]> {
    const docs = await json(await fetch(`${system.url}/api/docs-json`));
    return Object.entries(docs.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path === '/api/v1/portal' || path.startsWith('/api/v1/portal/'))
      .flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
      );
  }

  const request = (session: ApiSession, route: string) => {
    const [method, path] = route.split(' ');
    const concrete = path.replace('{section}', 'general').replace('{id}', randomUUID());
    return session.request(method, concrete, method === 'GET' || method === 'DELETE' ? undefined : {});
  };

  it('documents every route at /api/docs', async () => {
    expect((await documentedRoutes()).sort()).toEqual([...routes].sort());
  });

  it('answers 401 without a session and 403 to an agent without `portal.settings`, on every route', async () => {
    const agentPermissions = (await json(await agent.request('GET', '/api/v1/auth/me'))).permissions;
    expect(agentPermissions).not.toContain('portal.settings');
    const anonymous = new ApiSession(system.url);
    for (const route of await documentedRoutes()) {
      const [unauthenticated, forbidden] = [await request(anonymous, route), await request(agent, route)];
      expect([route, unauthenticated.status, (await json(unauthenticated)).error.code]).toEqual([
        route,
        401,
        'UNAUTHENTICATED',
      ]);
      expect([route, forbidden.status, (await json(forbidden)).error]).toEqual([
        route,
        403,
        expect.objectContaining({
          code: 'FORBIDDEN',
          message: 'This needs the "portal.settings" permission',
        }),
      ]);
    }
  });
});

describe('saving the settings', () => {
  it('saves each section, shows it on the next read and audits it with the actor', async () => {
    const original = await portal();
    const localhost = original.domains.find((d) => d.hostname === 'localhost')!;
    const closedStage = supportPipeline.stages.find((s) => s.state === 'closed')!;
    const changed: Record<PortalSection, unknown> = {
      general: { ...original.general, name: 'Acme Help Centre', slug: 'help' },
      permissions: {
        mode: 'segment',
        segment: { groups: [[{ property: 'email', operator: 'contains', value: '@acme.test' }]] },
      },
      supportForm: { ...original.supportForm, headerText: 'Tell us what happened' },
      theme: { ...original.theme, primaryColor: '#0b5394', fontFamily: 'georgia', cornerRadius: 4 },
      ticketDisplay: {
        ...original.ticketDisplay,
        label: 'Requests',
        visibility: { groups: [[{ property: 'subject', operator: 'known' }]] },
        columns: original.ticketDisplay.columns.slice(0, 3),
        ownerDisplay: 'alias',
        ownerAlias: 'Support team',
        showStages: true,
      },
      ticketActions: {
        replyToClosed: false,
        allowClose: true,
        closedStages: { [supportPipeline.id]: closedStage.id },
      },
      access: {
        ...stored(original, 'access'),
        mode: 'self_registration',
        authentication: 'oidc',
        oidc: {
          issuer: 'https://login.acme.test',
          clientId: 'portal',
          clientSecret: 'oidc-secret-never-shown',
        },
        sessionIdleMinutes: 30,
      },
      consent: {
        notices: [
          {
            domainId: localhost.id,
            text: 'We process your data as [our policy](https://acme.test/privacy) says.',
            checkboxText: 'I agree',
          },
        ],
      },
      systemPages: {
        pages: {
          ...original.systemPages.pages,
          login: { template: 'custom', source: '<h1>{{ portal.name }}</h1>' },
        },
      },
    };

    for (const section of Object.keys(changed) as PortalSection[]) {
      const response = await save(section, changed[section]);
      const text = await response.text();
      expect([section, response.status]).toEqual([section, 200]);
      expect(text).not.toContain('oidc-secret-never-shown');
      const saved = JSON.parse(text) as PortalView;
      const read = await portal();
      expect(read).toEqual(saved);
      if (section === 'access') {
        const { oidc: _withSecret, ...access } = changed.access as Record<string, unknown>;
        expect(read.access).toEqual({
          ...access,
          oidc: { issuer: 'https://login.acme.test', clientId: 'portal' },
          oidcSecretSet: true,
        });
      } else expect(read[section]).toEqual(changed[section]);

      const auditResponse = await admin.request('GET', '/api/v1/portal/audit?limit=1');
      const auditText = await auditResponse.text();
      expect(auditText).not.toContain('oidc-secret-never-shown');
      expect(JSON.parse(auditText).items[0]).toEqual({
        id: expect.any(String),
        actorUserId: adminId,
        section,
        before: stored(original, section),
        after: stored(read, section),
        at: expect.any(String),
      });
    }

    // Back as it was, the OIDC secret dropped with the single sign-on settings.
    for (const section of Object.keys(changed) as PortalSection[])
      expect((await save(section, stored(original, section))).status).toBe(200);
    expect({ ...(await portal()), updatedAt: original.updatedAt }).toEqual(original);
  });

  it('pages the audit log, newest first', async () => {
    const first = await json(await admin.request('GET', '/api/v1/portal/audit?limit=2'));
    expect(first.items).toHaveLength(2);
    const second = await json(
      await admin.request(
        'GET',
        `/api/v1/portal/audit?limit=2&after=${encodeURIComponent(first.nextCursor)}`,
      ),
    );
    expect(second.items).toHaveLength(2);
    const times = [...first.items, ...second.items].map((entry: { at: string }) => entry.at);
    expect([...times].sort().reverse()).toEqual(times);
    const bad = await admin.request('GET', '/api/v1/portal/audit?limit=500');
    expect([bad.status, (await json(bad)).error.fields]).toEqual([400, { limit: expect.any(Array) }]);
  });

  it('answers an unknown section with 404 and the sections there are', async () => {
    const response = await save('colours', { primaryColor: '#000000' });
    expect(response.status).toBe(404);
    expect((await json(response)).error).toMatchObject({
      code: 'ROUTE_NOT_FOUND',
      message: expect.stringContaining(
        'no settings section "colours"; its sections are general, permissions, supportForm',
      ),
    });
  });
});

describe('invalid settings', () => {
  it('refuses more than 10 columns', async () => {
    const { ticketDisplay } = await portal();
    const columns = Array.from({ length: 11 }, (_, i) => ({
      property: `property_${i}`,
      label: `Column ${i}`,
    }));
    await expectRefused('ticketDisplay', { ...ticketDisplay, columns }, { columns: ['at most 10 columns'] });
  });

  it('refuses an empty slug and one the help desk uses itself', async () => {
    const { general } = await portal();
    await expectRefused(
      'general',
      { ...general, slug: '' },
      { slug: ['is required', 'may contain only letters a-z, digits and single hyphens'] },
    );
    await expectRefused(
      'general',
      { ...general, slug: 'Admin' },
      { slug: ['is an address of the help desk itself'] },
    );
  });

  it('refuses a closed stage of another pipeline', async () => {
    const billing = await rpc.send('tickets.pipelines.create', { accountId, label: 'Billing' });
    const billingClosed = billing.stages.find((s) => s.state === 'closed')!;
    await expectRefused(
      'ticketActions',
      { replyToClosed: true, allowClose: true, closedStages: { [supportPipeline.id]: billingClosed.id } },
      { [`closedStages.${supportPipeline.id}`]: ['must be a closed stage of this pipeline'] },
    );
  });

  it('refuses malformed visibility and segment filters', async () => {
    const { ticketDisplay, permissions } = await portal();
    const unknownOperator = { groups: [[{ property: 'subject', operator: 'resembles', value: 'x' }]] };
    await expectRefused(
      'ticketDisplay',
      { ...ticketDisplay, visibility: unknownOperator },
      { 'visibility.groups.0.0.operator': [expect.stringMatching(/^must be one of: eq, neq/)] },
    );
    await expectRefused(
      'ticketDisplay',
      { ...ticketDisplay, visibility: { groups: [[{ property: 'shoe_size', operator: 'known' }]] } },
      { 'visibility.groups.0.0.property': ['property "shoe_size" is not defined'] },
    );
    await expectRefused(
      'permissions',
      {
        ...permissions,
        mode: 'segment',
        segment: { groups: [[{ property: 'shoe_size', operator: 'eq', value: 42 }]] },
      },
      { 'segment.groups.0.0.property': ['property "shoe_size" is not defined'] },
    );
  });

  it('refuses a system page template that does not parse, and checks one before saving', async () => {
    const { systemPages } = await portal();
    const broken = '<h1>{% if portal.name %}{{ portal.name }}</h1>';
    const problem = expect.stringMatching(/^line 1, column 5: tag .*not closed/);
    await expectRefused(
      'systemPages',
      { pages: { ...systemPages.pages, login: { template: 'custom', source: broken } } },
      { 'pages.login.source': [problem] },
    );

    const check = (body: unknown) => admin.request('POST', '/api/v1/portal/system-pages/validate', body);
    const good = await check({ type: 'login', source: '<h1>{{ portal.name }}</h1>' });
    expect([good.status, await json(good)]).toEqual([200, { ok: true }]);
    const bad = await check({ type: 'login', source: broken });
    expect([bad.status, (await json(bad)).error]).toEqual([
      400,
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        message: expect.stringMatching(
          /^The login page template does not parse: source line 1, column 5: tag/,
        ),
        fields: { source: [problem] },
      }),
    ]);
    const unknownType = await check({ type: 'home', source: '' });
    expect([unknownType.status, Object.keys((await json(unknownType)).error.fields)]).toEqual([
      400,
      ['type'],
    ]);
  });
});

describe('the effect on the portal', () => {
  it('shows tickets as "Cases" to a logged-in contact once they are renamed', async () => {
    const alice = new PortalClient(system.url);
    expect((await alice.login('support', 'alice@acme.test', 'demo-password')).status).toBe(303);
    const heading = async () =>
      /<h1 class="page-title">([^<]*)<\/h1>/.exec((await alice.get('/support/tickets')).body)?.[1];
    expect(await heading()).toBe('Tickets'); // the portal is now cached by the gateway

    const { ticketDisplay } = await portal();
    expect((await save('ticketDisplay', { ...ticketDisplay, label: 'Cases' })).status).toBe(200);
    try {
      // portal.updated drops the cached portal; the event may arrive just after the save's answer.
      const deadline = Date.now() + 5_000;
      let shown = await heading();
      while (shown !== 'Cases' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        shown = await heading();
      }
      expect(shown).toBe('Cases');
      const page = (await alice.get('/support/tickets')).body;
      expect(page).toMatch(/<a href="\/support\/tickets" aria-current="page">Cases<\/a>/);
    } finally {
      await save('ticketDisplay', ticketDisplay);
    }
  });
});

describe('domains', () => {
  it('adds a domain, makes it primary, changes its language and removes it', async () => {
    const added = await admin.request('POST', '/api/v1/portal/domains', {
      hostname: 'Help.Acme.test',
      language: 'fi',
    });
    expect(added.status).toBe(201);
    const help = ((await added.json()) as PortalView).domains.find((d) => d.hostname === 'help.acme.test')!;
    expect(help).toMatchObject({ language: 'fi', primary: false });

    const taken = await admin.request('POST', '/api/v1/portal/domains', { hostname: 'help.acme.test' });
    expect([taken.status, (await json(taken)).error]).toEqual([
      409,
      expect.objectContaining({ code: 'CONFLICT', fields: { hostname: ['is already in use'] } }),
    ]);
    const malformed = await admin.request('POST', '/api/v1/portal/domains', {
      hostname: 'not a host',
      owner: 'x',
    });
    expect([malformed.status, Object.keys((await json(malformed)).error.fields).sort()]).toEqual([
      400,
      ['(root)', 'hostname'],
    ]);

    const primary = await admin.request('PATCH', `/api/v1/portal/domains/${help.id}`, { primary: true });
    expect(primary.status).toBe(200);
    expect(
      ((await primary.json()) as PortalView).domains.filter((d) => d.primary).map((d) => d.hostname),
    ).toEqual(['help.acme.test']);
    const english = await admin.request('PATCH', `/api/v1/portal/domains/${help.id}`, { language: 'en' });
    expect(((await english.json()) as PortalView).domains.find((d) => d.id === help.id)).toEqual({
      ...help,
      language: 'en',
      primary: true,
    });

    const refused = await admin.request('DELETE', `/api/v1/portal/domains/${help.id}`);
    expect([refused.status, (await json(refused)).error]).toEqual([
      409,
      expect.objectContaining({
        code: 'CONFLICT',
        message: 'Make another domain primary before removing this one',
      }),
    ]);
    expect((await portal()).domains.map((d) => d.hostname)).toContain('help.acme.test');

    const localhost = (await portal()).domains.find((d) => d.hostname === 'localhost')!;
    expect(
      (await admin.request('PATCH', `/api/v1/portal/domains/${localhost.id}`, { primary: true })).status,
    ).toBe(200);
    const removed = await admin.request('DELETE', `/api/v1/portal/domains/${help.id}`);
    expect(removed.status).toBe(200);
    expect(((await removed.json()) as PortalView).domains.map((d) => [d.hostname, d.primary])).toEqual([
      ['localhost', true],
      ['fi.localhost', false],
    ]);

    for (const id of [help.id, 'not-an-id']) {
      const unknown = await admin.request('DELETE', `/api/v1/portal/domains/${id}`);
      expect([unknown.status, (await json(unknown)).error.code]).toEqual([404, 'DOMAIN_NOT_FOUND']);
    }
  });

  it('refuses to remove the last domain, which is always the primary one', async () => {
    const { domains } = await portal();
    const fi = domains.find((d) => d.hostname === 'fi.localhost')!;
    const localhost = domains.find((d) => d.hostname === 'localhost')!;
    expect((await admin.request('DELETE', `/api/v1/portal/domains/${fi.id}`)).status).toBe(200);
    const last = await admin.request('DELETE', `/api/v1/portal/domains/${localhost.id}`);
    expect([last.status, (await json(last)).error.code]).toEqual([409, 'CONFLICT']);
    expect((await portal()).domains).toEqual([localhost]);
  });
});
