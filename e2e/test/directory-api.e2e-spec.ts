import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ContactView } from '@helpdesk/contracts';
import { startTestSmtp, type TestSmtp } from '@helpdesk/testing';
import { randomUUID } from 'node:crypto';
import { ApiSession, startSystem, type System } from '../src/system.js';

// The admin JSON API over identity's directory (contacts, companies, contact properties, access
// groups), for internal users with the `contacts` permission: the whole system as processes, seeded
// with the demo data, with invitation mails taken from a real SMTP server.

let system: System;
let smtp: TestSmtp;
let admin: ApiSession;
/** The demo agent: tickets and inbox, not contacts. */
let agent: ApiSession;
let alice: ContactView;
let carol: ContactView;
let acmeId: string;
let customersId: string;

type Json = Record<string, any>;
interface Member {
  contact: ContactView;
  invitationStatus: string;
  invitedAt: string | null;
}
interface Group {
  id: string;
  name: string;
  memberCount: number;
}
interface Property {
  name: string;
  builtIn: boolean;
}
const json = async (response: Response) => (await response.json()) as Json;

/** The admin's answer, checked to have the status, as JSON. */
async function call(method: string, path: string, status: number, body?: unknown): Promise<Json> {
  const response = await admin.request(method, path, body);
  const answer = await json(response);
  expect([method, path, response.status, answer]).toEqual([method, path, status, answer]);
  return answer;
}

/** The admin's error answer: its status, code and message. */
async function refused(method: string, path: string, body?: unknown) {
  const response = await admin.request(method, path, body);
  const { error } = await json(response);
  return { status: response.status, code: error?.code as string, message: error?.message as string, error };
}

const contactsMatching = async (search: string) =>
  (await call('GET', `/api/v1/contacts?search=${encodeURIComponent(search)}&limit=100`, 200))
    .items as ContactView[];
const members = async (groupId: string) =>
  (await call('GET', `/api/v1/access-groups/${groupId}/members?limit=100`, 200)).items as Member[];
const groupNamed = async (name: string) =>
  ((await call('GET', '/api/v1/access-groups', 200)) as unknown as Group[]).find((g) => g.name === name);
const mailsTo = (email: string) => smtp.mails.filter((mail) => mail.to.includes(email));

beforeAll(async () => {
  smtp = await startTestSmtp();
  system = await startSystem({
    database: 'helpdesk_test_e2e_directory_api',
    env: { SMTP_URL: smtp.url },
  });
  admin = await ApiSession.login(system.url, 'admin@demo.test', 'demo-password');
  agent = await ApiSession.login(system.url, 'agent@demo.test', 'demo-password');
  [alice] = await contactsMatching('alice@acme.test');
  [carol] = await contactsMatching('carol@globex.test');
  acmeId = (await call('GET', '/api/v1/companies?search=acme', 200)).items[0].id as string;
  customersId = (await groupNamed('Customers'))!.id;
}, 180_000);

afterAll(async () => {
  await system?.close();
  await smtp?.stop();
});

describe('the directory API', () => {
  it('refuses every route without a login (401) and without the contacts permission (403), changing nothing', async () => {
    const agentMe = await json(await agent.request('GET', '/api/v1/auth/me'));
    expect(agentMe.permissions).not.toContain('contacts');

    const routes: [method: string, path: string, documented: string, body?: unknown][] = [
      ['GET', '/api/v1/contacts', '/api/v1/contacts'],
      ['POST', '/api/v1/contacts', '/api/v1/contacts', { email: 'intruder@acme.test' }],
      ['GET', `/api/v1/contacts/${alice.id}`, '/api/v1/contacts/{id}'],
      ['PATCH', `/api/v1/contacts/${alice.id}`, '/api/v1/contacts/{id}', { firstName: 'Hacked' }],
      ['GET', '/api/v1/companies', '/api/v1/companies'],
      ['POST', '/api/v1/companies', '/api/v1/companies', { name: 'Intruder Oy' }],
      ['GET', `/api/v1/companies/${acmeId}`, '/api/v1/companies/{id}'],
      ['PATCH', `/api/v1/companies/${acmeId}`, '/api/v1/companies/{id}', { name: 'Hacked' }],
      ['GET', '/api/v1/contact-properties', '/api/v1/contact-properties'],
      [
        'POST',
        '/api/v1/contact-properties',
        '/api/v1/contact-properties',
        { name: 'intruder', label: 'Intruder', type: 'string' },
      ],
      ['GET', '/api/v1/access-groups', '/api/v1/access-groups'],
      ['POST', '/api/v1/access-groups', '/api/v1/access-groups', { name: 'Intruders' }],
      ['GET', `/api/v1/access-groups/${customersId}/members`, '/api/v1/access-groups/{id}/members'],
      [
        'POST',
        `/api/v1/access-groups/${customersId}/members/remove`,
        '/api/v1/access-groups/{id}/members/remove',
        { contactIds: [alice.id] },
      ],
      [
        'POST',
        `/api/v1/access-groups/${customersId}/members`,
        '/api/v1/access-groups/{id}/members',
        { contactIds: [alice.id] },
      ],
      [
        'POST',
        `/api/v1/access-groups/${customersId}/members/${alice.id}/resend-invitation`,
        '/api/v1/access-groups/{id}/members/{contactId}/resend-invitation',
      ],
    ];

    // The table is every route of the API, as its OpenAPI document lists them.
    const document = await json(await fetch(`${system.url}/api/docs-json`));
    const documented = Object.entries(document.paths as Record<string, Record<string, Json>>).flatMap(
      ([path, operations]) =>
        Object.entries(operations)
          .filter(([, operation]) => (operation.tags as string[] | undefined)?.includes('contacts'))
          .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(routes.map(([method, , path]) => `${method} ${path}`).sort());

    const anonymous = new ApiSession(system.url);
    for (const [method, path, , body] of routes) {
      const response = await anonymous.request(method, path, body);
      expect([method, path, response.status, (await json(response)).error.code]).toEqual([
        method,
        path,
        401,
        'UNAUTHENTICATED',
      ]);
    }
    for (const [method, path, , body] of routes) {
      const response = await agent.request(method, path, body);
      const { error } = await json(response);
      expect([method, path, response.status, error.code]).toEqual([method, path, 403, 'FORBIDDEN']);
      expect(error.message).toBe('This needs the "contacts" permission');
    }

    expect(await contactsMatching('intruder')).toEqual([]);
    expect(await call('GET', `/api/v1/contacts/${alice.id}`, 200)).toEqual(alice);
    expect((await call('GET', `/api/v1/companies/${acmeId}`, 200)).name).toBe('Acme Oy');
    expect((await call('GET', '/api/v1/companies?search=intruder', 200)).items).toEqual([]);
    const properties = (await call('GET', '/api/v1/contact-properties', 200)) as unknown as Property[];
    expect(properties.map((p) => p.name)).not.toContain('intruder');
    expect(await groupNamed('Intruders')).toBeUndefined();
    expect((await members(customersId)).map((m) => m.contact.email).sort()).toEqual([
      'alice@acme.test',
      'bob@acme.test',
      'carol@globex.test',
    ]);
  });

  it('creates, searches, pages, reads and updates contacts, with custom property values', async () => {
    const dana = await call('POST', '/api/v1/contacts', 201, {
      email: '  Dana.Doe@Acme.TEST ',
      firstName: 'Dana',
      lastName: 'Doe',
      primaryCompanyId: acmeId,
    });
    expect(dana).toEqual({
      id: expect.any(String),
      accountId: alice.accountId,
      email: 'dana.doe@acme.test',
      firstName: 'Dana',
      lastName: 'Doe',
      primaryCompanyId: acmeId,
      properties: {},
      createdAt: expect.any(String),
    });
    expect(await call('GET', `/api/v1/contacts/${dana.id}`, 200)).toEqual(dana);

    // Search matches email, first or last name, case-insensitively; companyId narrows to one company.
    expect((await contactsMatching('DOE')).map((c) => c.id)).toEqual([dana.id]);
    expect((await contactsMatching('dana')).map((c) => c.id)).toEqual([dana.id]);
    const ofAcme = (await call('GET', `/api/v1/contacts?companyId=${acmeId}&limit=100`, 200))
      .items as ContactView[];
    expect(ofAcme.map((c) => c.email)).toEqual(['alice@acme.test', 'bob@acme.test', 'dana.doe@acme.test']);

    // Pages of two, by email, until nextCursor is null.
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page = await call(
        'GET',
        `/api/v1/contacts?limit=2${after ? `&after=${encodeURIComponent(after)}` : ''}`,
        200,
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...(page.items as ContactView[]).map((c) => c.email));
      after = page.nextCursor as string | null;
    } while (after);
    const all = (await call('GET', '/api/v1/contacts?limit=100', 200)).items as ContactView[];
    expect(seen).toEqual(all.map((c) => c.email));
    expect(seen).toEqual(
      expect.arrayContaining(['alice@acme.test', 'carol@globex.test', 'dana.doe@acme.test']),
    );

    const plan = await call('POST', '/api/v1/contact-properties', 201, {
      name: 'plan',
      label: 'Plan',
      type: 'enumeration',
      options: [
        { value: 'gold', label: 'Gold' },
        { value: 'basic', label: 'Basic' },
      ],
    });
    expect(plan).toEqual({
      name: 'plan',
      label: 'Plan',
      type: 'enumeration',
      options: [
        { value: 'gold', label: 'Gold' },
        { value: 'basic', label: 'Basic' },
      ],
      builtIn: false,
    });
    const properties = (await call('GET', '/api/v1/contact-properties', 200)) as unknown as Property[];
    expect(properties.map((p) => [p.name, p.builtIn])).toEqual([
      ['email', true],
      ['first_name', true],
      ['last_name', true],
      ['created_at', true],
      ['plan', false],
    ]);

    const updated = await call('PATCH', `/api/v1/contacts/${dana.id}`, 200, {
      lastName: 'Dawson',
      primaryCompanyId: null,
      properties: { plan: 'gold' },
    });
    expect(updated).toEqual({
      ...dana,
      lastName: 'Dawson',
      primaryCompanyId: null,
      properties: { plan: 'gold' },
    });
    expect(await call('GET', `/api/v1/contacts/${dana.id}`, 200)).toEqual(updated);
    expect((await contactsMatching('dawson')).map((c) => c.id)).toEqual([dana.id]);
    // A null value clears a property; what is not sent stays.
    expect(await call('PATCH', `/api/v1/contacts/${dana.id}`, 200, { properties: { plan: null } })).toEqual({
      ...updated,
      properties: { plan: null },
    });
  });

  it('creates, searches, pages, reads and updates companies', async () => {
    const initech = await call('POST', '/api/v1/companies', 201, {
      name: ' Initech ',
      domain: 'Initech.TEST',
    });
    expect(initech).toEqual({
      id: expect.any(String),
      accountId: alice.accountId,
      name: 'Initech',
      domain: 'initech.test',
      createdAt: expect.any(String),
    });
    expect(await call('GET', `/api/v1/companies/${initech.id}`, 200)).toEqual(initech);
    expect((await call('GET', '/api/v1/companies?search=INIT', 200)).items).toEqual([initech]);

    const first = await call('GET', '/api/v1/companies?limit=1', 200);
    expect(first.items).toHaveLength(1);
    const rest = await call(
      'GET',
      `/api/v1/companies?limit=100&after=${encodeURIComponent(first.nextCursor)}`,
      200,
    );
    const names = [...first.items, ...rest.items].map((c: Json) => c.name as string);
    expect(names).toEqual(['Acme Oy', 'Globex', 'Initech']);
    expect(rest.nextCursor).toBeNull();

    const renamed = await call('PATCH', `/api/v1/companies/${initech.id}`, 200, {
      name: 'Initech Oy',
      domain: null,
    });
    expect(renamed).toEqual({ ...initech, name: 'Initech Oy', domain: null });
    expect(await call('GET', `/api/v1/companies/${initech.id}`, 200)).toEqual(renamed);
  });

  it('refuses invalid contacts with 4xx and a clear message, storing nothing', async () => {
    const before = await call('GET', `/api/v1/contacts/${alice.id}`, 200);

    const badEmail = await refused('POST', '/api/v1/contacts', { email: 'not-an-email', firstName: 'Eve' });
    expect(badEmail).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(badEmail.error.fields).toEqual({ email: ['must be an email address'] });
    expect(badEmail.message).toBe('Invalid contact: email must be an email address');

    const unknownCompany = randomUUID();
    expect(
      await refused('POST', '/api/v1/contacts', { email: 'eve@acme.test', primaryCompanyId: unknownCompany }),
    ).toMatchObject({
      status: 404,
      code: 'COMPANY_NOT_FOUND',
      message: `Company ${unknownCompany} not found`,
    });

    const unknownProperty = await refused('POST', '/api/v1/contacts', {
      email: 'eve@acme.test',
      properties: { shoe_size: 42 },
    });
    expect(unknownProperty).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(unknownProperty.error.fields).toEqual({
      'properties.shoe_size': ['"shoe_size" is not a contact property of this account'],
    });

    // The account is the session's: a body naming one is refused, not obeyed.
    const withAccount = await refused('POST', '/api/v1/contacts', {
      email: 'eve@acme.test',
      accountId: randomUUID(),
    });
    expect(withAccount).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(Object.keys(withAccount.error.fields)).toEqual(['(root)']);
    expect(withAccount.message).toContain('accountId');

    expect(await refused('POST', '/api/v1/contacts', { email: 'ALICE@acme.test' })).toMatchObject({
      status: 409,
      code: 'EMAIL_TAKEN',
      message: 'A contact with the email alice@acme.test exists',
    });
    expect(await contactsMatching('eve')).toEqual([]);

    const aliceUrl = `/api/v1/contacts/${alice.id}`;
    expect(await refused('PATCH', aliceUrl, { email: 'alice@' })).toMatchObject({
      status: 400,
      error: { fields: { email: ['must be an email address'] } },
    });
    expect(
      await refused('PATCH', aliceUrl, { firstName: 'Al', primaryCompanyId: unknownCompany }),
    ).toMatchObject({ status: 404, code: 'COMPANY_NOT_FOUND' });
    expect(
      await refused('PATCH', aliceUrl, { firstName: 'Al', properties: { plan: 'platinum' } }),
    ).toMatchObject({
      status: 400,
      error: { fields: { 'properties.plan': ['must be one of gold, basic'] } },
    });
    expect(await refused('PATCH', aliceUrl, { email: 'carol@globex.test' })).toMatchObject({
      status: 409,
      code: 'EMAIL_TAKEN',
    });
    expect(await refused('PATCH', aliceUrl, { id: randomUUID() })).toMatchObject({ status: 400 });
    expect(await call('GET', aliceUrl, 200)).toEqual(before);

    // A malformed id is the same 404 as an unknown one.
    for (const id of ['not-a-uuid', randomUUID()]) {
      expect(await refused('GET', `/api/v1/contacts/${id}`)).toMatchObject({
        status: 404,
        code: 'CONTACT_NOT_FOUND',
        message: `Contact ${id} not found`,
      });
      expect(await refused('PATCH', `/api/v1/contacts/${id}`, { firstName: 'X' })).toMatchObject({
        status: 404,
        code: 'CONTACT_NOT_FOUND',
      });
    }

    for (const query of ['limit=1000', 'limit=zero', 'colour=red', 'companyId=acme']) {
      expect([query, (await refused('GET', `/api/v1/contacts?${query}`)).status]).toEqual([query, 400]);
    }
    const malformed = await admin.request('POST', '/api/v1/contacts', '{"email": ');
    expect([malformed.status, (await json(malformed)).error.message]).toEqual([
      400,
      'The request body is not valid JSON',
    ]);
  });

  it('refuses invalid companies, contact properties and access groups with 4xx and a clear message', async () => {
    const companiesBefore = (await call('GET', '/api/v1/companies?limit=100', 200)).items;
    expect(await refused('POST', '/api/v1/companies', { name: '  ' })).toMatchObject({
      status: 400,
      error: { fields: { name: ['is required'] } },
    });
    expect(
      await refused('POST', '/api/v1/companies', { name: 'Umbrella', domain: 'not a host' }),
    ).toMatchObject({
      status: 400,
      error: { fields: { domain: ['must be a host name like support.example.com'] } },
    });
    expect(await refused('PATCH', `/api/v1/companies/${acmeId}`, { name: '' })).toMatchObject({
      status: 400,
    });
    for (const id of ['acme', randomUUID()]) {
      expect(await refused('GET', `/api/v1/companies/${id}`)).toMatchObject({
        status: 404,
        code: 'COMPANY_NOT_FOUND',
        message: `Company ${id} not found`,
      });
    }
    expect((await call('GET', '/api/v1/companies?limit=100', 200)).items).toEqual(companiesBefore);

    const propertiesBefore = await call('GET', '/api/v1/contact-properties', 200);
    expect(
      await refused('POST', '/api/v1/contact-properties', {
        name: 'Shoe Size',
        label: 'Shoe size',
        type: 'number',
      }),
    ).toMatchObject({
      status: 400,
      error: { fields: { name: ['must start with a letter and contain only a-z, 0-9 and _'] } },
    });
    expect(
      await refused('POST', '/api/v1/contact-properties', {
        name: 'tier',
        label: 'Tier',
        type: 'enumeration',
      }),
    ).toMatchObject({ status: 400, message: 'An enumeration needs options' });
    expect(
      await refused('POST', '/api/v1/contact-properties', { name: 'size', label: 'Size', type: 'colour' }),
    ).toMatchObject({
      status: 400,
      error: { fields: { type: [expect.stringContaining('must be one of')] } },
    });
    expect(
      await refused('POST', '/api/v1/contact-properties', { name: 'email', label: 'Email', type: 'string' }),
    ).toMatchObject({ status: 409, message: '"email" is a built-in contact property' });
    expect(await call('GET', '/api/v1/contact-properties', 200)).toEqual(propertiesBefore);

    expect(await refused('POST', '/api/v1/access-groups', { name: '' })).toMatchObject({
      status: 400,
      error: { fields: { name: ['is required'] } },
    });
    expect(await refused('POST', '/api/v1/access-groups', { name: 'Customers' })).toMatchObject({
      status: 409,
      message: 'An access group named "Customers" exists',
    });
    for (const id of ['customers', randomUUID()]) {
      expect(await refused('GET', `/api/v1/access-groups/${id}/members`)).toMatchObject({
        status: 404,
        code: 'ACCESS_GROUP_NOT_FOUND',
        message: `Access group ${id} not found`,
      });
    }
    expect(
      ((await call('GET', '/api/v1/access-groups', 200)) as unknown as Group[]).filter(
        (g) => g.name === 'Customers',
      ),
    ).toHaveLength(1);
  });

  it('adds and removes access group members and lists them with their invitation status', async () => {
    const erin = await call('POST', '/api/v1/contacts', 201, { email: 'erin@acme.test', firstName: 'Erin' });
    const partners = await call('POST', '/api/v1/access-groups', 201, { name: 'Partners' });
    expect(partners).toEqual({
      id: expect.any(String),
      accountId: alice.accountId,
      name: 'Partners',
      memberCount: 0,
    });
    const partnerMembers = `/api/v1/access-groups/${partners.id}/members`;

    // The portal does not admit Partners: members join without an invitation.
    expect(await call('POST', partnerMembers, 200, { contactIds: [erin.id, alice.id] })).toEqual({
      ...partners,
      memberCount: 2,
    });
    expect(await call('POST', partnerMembers, 200, { contactIds: [erin.id, erin.id] })).toMatchObject({
      memberCount: 2,
    });
    expect((await members(partners.id)).find((m) => m.contact.id === erin.id)).toEqual({
      contact: erin,
      invitationStatus: 'pending',
      invitedAt: null,
    });

    const stranger = randomUUID();
    const unknown = await refused('POST', partnerMembers, { contactIds: [carol.id, stranger] });
    expect(unknown).toMatchObject({ status: 404, code: 'CONTACT_NOT_FOUND' });
    expect(unknown.error.fields).toEqual({ contactIds: [`${stranger} is not a contact of this account`] });
    for (const body of [{ contactIds: [] }, { contactIds: ['erin'] }, {}]) {
      expect([body, (await refused('POST', partnerMembers, body)).status]).toEqual([body, 400]);
    }
    expect((await members(partners.id)).map((m) => m.contact.email).sort()).toEqual([
      'alice@acme.test',
      'erin@acme.test',
    ]);

    // The portal admits Customers: erin, who has no password, is invited by mail.
    const customerMembers = `/api/v1/access-groups/${customersId}/members`;
    expect(await call('POST', customerMembers, 200, { contactIds: [erin.id] })).toMatchObject({
      memberCount: 4,
    });
    const invitation = await smtp.waitFor('erin@acme.test', undefined, 30_000);
    expect(smtp.links(invitation).some((link) => link.includes('/support/accept-invitation?token='))).toBe(
      true,
    );
    const customers = await members(customersId);
    const invited = customers.find((m) => m.contact.id === erin.id)!;
    expect(invited).toEqual({ contact: erin, invitationStatus: 'pending', invitedAt: expect.any(String) });
    expect(customers.find((m) => m.contact.id === alice.id)).toMatchObject({ invitationStatus: 'accepted' });

    // Members page by page, each once.
    const first = await call('GET', `${customerMembers}?limit=3`, 200);
    expect([first.items.length, typeof first.nextCursor]).toEqual([3, 'string']);
    const second = await call(
      'GET',
      `${customerMembers}?limit=3&after=${encodeURIComponent(first.nextCursor)}`,
      200,
    );
    expect([second.items.length, second.nextCursor]).toEqual([1, null]);
    expect([...first.items, ...second.items].map((m: Member) => m.contact.email).sort()).toEqual([
      'alice@acme.test',
      'bob@acme.test',
      'carol@globex.test',
      'erin@acme.test',
    ]);

    // A new invitation: a second mail, and a later invitedAt.
    expect(await call('POST', `${customerMembers}/${erin.id}/resend-invitation`, 202)).toEqual({
      accepted: true,
    });
    const deadline = Date.now() + 30_000;
    while (mailsTo('erin@acme.test').length < 2 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(mailsTo('erin@acme.test')).toHaveLength(2);
    const resent = (await members(customersId)).find((m) => m.contact.id === erin.id)!;
    expect(resent.invitationStatus).toBe('pending');
    expect(Date.parse(resent.invitedAt as string)).toBeGreaterThan(Date.parse(invited.invitedAt as string));

    // Only members can be re-invited.
    expect(await refused('POST', `${partnerMembers}/${carol.id}/resend-invitation`)).toMatchObject({
      status: 404,
      code: 'CONTACT_NOT_FOUND',
      message: `Contact ${carol.id} is not a member of this group`,
    });
    expect(await refused('POST', `${partnerMembers}/not-a-uuid/resend-invitation`)).toMatchObject({
      status: 404,
      code: 'CONTACT_NOT_FOUND',
    });
    expect(mailsTo('carol@globex.test')).toEqual([]);

    // Removing: contacts that are not members are ignored.
    expect(await call('POST', `${partnerMembers}/remove`, 200, { contactIds: [erin.id, carol.id] })).toEqual({
      ...partners,
      memberCount: 1,
    });
    expect((await members(partners.id)).map((m) => m.contact.email)).toEqual(['alice@acme.test']);
    expect(await refused('POST', `${partnerMembers}/remove`, { contactIds: ['erin'] })).toMatchObject({
      status: 400,
    });
    expect(
      await refused('POST', `/api/v1/access-groups/${randomUUID()}/members/remove`, {
        contactIds: [erin.id],
      }),
    ).toMatchObject({
      status: 404,
      code: 'ACCESS_GROUP_NOT_FOUND',
    });

    const groups = (await call('GET', '/api/v1/access-groups', 200)) as unknown as Group[];
    expect(groups.map((g) => [g.name, g.memberCount])).toEqual([
      ['Customers', 4],
      ['Partners', 1],
    ]);
  });
});
