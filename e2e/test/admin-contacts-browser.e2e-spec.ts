import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RpcClient } from '@helpdesk/kit';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  accessibilityProblems,
  type BrowserPage,
  browserUrl,
  launchChromium,
  logInAdmin,
  newPage,
  postAnswer,
} from '../src/browser.js';
import { demoContactIds, startSystem, type System } from '../src/system.js';

// The admin area's contacts, companies and access groups pages (issue 8) in Chromium, against the
// whole system with the demo data: Acme Oy (alice, bob), Globex (carol), the access group
// "Customers" that the demo portal admits. Screenshots go to SCREENSHOTS_DIR when set.

const screenshots = process.env.SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'admin-contacts-shots-'));

let system: System;
let browser: Browser;
let rpc: RpcClient;
let base: string;
let accountId: string;
/** The admin's page, logged in once. */
let admin: BrowserPage;
let page: Page;
/** The contact the tests create (no portal password, so invitations go out to it). */
let dana: string;

beforeAll(async () => {
  system = await startSystem({ database: 'helpdesk_test_e2e_admin_contacts' });
  base = browserUrl(system);
  rpc = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 10_000 });
  ({ accountId } = await rpc.send('identity.users.authenticate', {
    email: 'admin@demo.test',
    password: 'demo-password',
  }));
  await rpc.send('identity.contactProperties.create', {
    accountId,
    name: 'seats',
    label: 'Seats',
    type: 'number',
  });
  browser = await launchChromium();
  admin = await newPage(browser);
  page = admin.page;
  await logInAdmin(page, base, 'admin@demo.test', '/admin/contacts');
  await page.waitForURL(`${base}/admin/contacts`);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await rpc?.close();
  await system?.close();
});

const submit = (button: string) => postAnswer(page, base, button);

/** A page looked at: a screenshot, no serious accessibility problem, no script or CSP error. */
async function checkPage(name: string) {
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  expect(await accessibilityProblems(page)).toEqual([]);
  // Refused forms answer 400 or 409 on purpose, which Chromium logs as a failed load.
  const refusals = /^Failed to load resource: the server responded with a status of 40[09] /;
  expect(admin.errors.filter((error) => !refusals.test(error))).toEqual([]);
}

const tableRows = () => page.locator('table.directory-table tbody tr');
const contact = (id: string) => rpc.send('identity.contacts.get', { accountId, id });
const members = async (groupId: string) =>
  (await rpc.send('identity.accessGroups.members', { accountId, groupId })).items;
/** The demo's access group, which the demo portal admits. */
const customersId = async () =>
  (await rpc.send('identity.accessGroups.list', { accountId })).find((g) => g.name === 'Customers')!.id;
const companyNamed = async (name: string) =>
  (await rpc.send('identity.companies.list', { accountId, search: name })).items.find(
    (c) => c.name === name,
  )!;

describe('contacts', () => {
  it('lists contacts with their companies and finds them by name or email', async () => {
    await page.goto(`${base}/admin/contacts`);
    await expect(tableRows().count()).resolves.toBe(3);
    const alice = tableRows().filter({ hasText: 'alice@acme.test' });
    await expect(alice.locator('th').innerText()).resolves.toBe('Alice Anderson');
    await expect(alice.locator('td').nth(1).innerText()).resolves.toBe('Acme Oy');
    await checkPage('contacts-list');

    await page.getByLabel('Search contacts').fill('clark');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(`${base}/admin/contacts?q=clark`);
    await expect(tableRows().allInnerTexts()).resolves.toEqual([
      expect.stringContaining('carol@globex.test'),
    ]);
    await page.getByLabel('Search contacts').fill('nobody-like-this');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect(tableRows().innerText()).resolves.toContain('No contact matches “nobody-like-this”.');
  });

  it('creates a contact with a company picked by name and a custom property', async () => {
    await page.goto(`${base}/admin/contacts`);
    await page.getByRole('link', { name: 'New contact' }).click();
    await page.getByLabel('Email').fill('Dana@Example.test');
    await page.getByLabel('First name').fill('Dana');
    await page.getByLabel('Last name').fill('Doe');
    await page.getByLabel('Company').fill('acme oy');
    await page.getByLabel('Seats').fill('12');
    const response = await submit('Create contact');
    expect(response.status()).toBe(303);
    await page.waitForURL(/\/admin\/contacts\/[0-9a-f-]{36}\?created=1$/);
    await expect(page.getByRole('status').innerText()).resolves.toBe('Contact created.');
    dana = /contacts\/([0-9a-f-]{36})/.exec(page.url())![1];
    const acme = await companyNamed('Acme Oy');
    expect(await contact(dana)).toMatchObject({
      email: 'dana@example.test',
      firstName: 'Dana',
      lastName: 'Doe',
      primaryCompanyId: acme.id,
      properties: { seats: 12 },
    });
    await expect(page.getByLabel('Company').inputValue()).resolves.toBe('Acme Oy');
  });

  it('edits a contact: names, company cleared, a property value changed', async () => {
    await page.goto(`${base}/admin/contacts/${dana}`);
    await page.getByLabel('First name').fill('Daniela');
    await page.getByLabel('Company').fill('');
    await page.getByLabel('Seats').fill('7');
    const response = await submit('Save contact');
    expect(response.status()).toBe(303);
    await expect(page.getByRole('status').innerText()).resolves.toBe('Contact saved.');
    expect(await contact(dana)).toMatchObject({
      firstName: 'Daniela',
      primaryCompanyId: null,
      properties: { seats: 7 },
    });
    await checkPage('contact-edit');
  });

  it('shows a refused edit at its field, as typed, and changes nothing', async () => {
    const before = await contact(dana);
    await page.goto(`${base}/admin/contacts/${dana}`);
    await page.getByLabel('Email').fill('alice@acme.test');
    await page.getByLabel('First name').fill('Changed');
    let response = await submit('Save contact');
    expect(response.status()).toBe(409);
    await expect(page.locator('#contact-email-error').innerText()).resolves.toBe(
      'is already used by another contact',
    );
    await expect(page.getByLabel('Email').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.getByLabel('First name').inputValue()).resolves.toBe('Changed');
    await expect(page.getByRole('alert').innerText()).resolves.toContain('alice@acme.test exists');
    await checkPage('contact-edit-refused');

    await page.getByLabel('Email').fill(before.email);
    await page.getByLabel('Seats').fill('lots');
    response = await submit('Save contact');
    expect(response.status()).toBe(400);
    await expect(page.locator('#property-seats-error').innerText()).resolves.toBe('must be a number');

    await page.getByLabel('Seats').fill('3');
    await page.getByLabel('Company').fill('No Such Company');
    response = await submit('Save contact');
    expect(response.status()).toBe(400);
    await expect(page.locator('#contact-company-error').innerText()).resolves.toContain(
      'no company has this name',
    );
    expect(await contact(dana)).toEqual(before);
  });
});

describe('companies', () => {
  it('creates, searches and edits a company; a refused domain changes nothing', async () => {
    await page.goto(`${base}/admin/companies`);
    await page.getByRole('link', { name: 'New company' }).click();
    await page.getByLabel('Name').fill('Initech');
    await page.getByLabel('Domain').fill('initech.test');
    expect((await submit('Create company')).status()).toBe(303);
    await expect(page.getByRole('status').innerText()).resolves.toBe('Company created.');
    const initech = await companyNamed('Initech');
    expect(initech.domain).toBe('initech.test');

    await page.getByLabel('Domain').fill('not a domain');
    expect((await submit('Save company')).status()).toBe(400);
    await expect(page.locator('#company-domain-error').isVisible()).resolves.toBe(true);
    expect((await rpc.send('identity.companies.get', { accountId, id: initech.id })).domain).toBe(
      'initech.test',
    );

    await page.goto(`${base}/admin/companies?q=init`);
    await expect(tableRows().allInnerTexts()).resolves.toEqual([expect.stringContaining('Initech')]);
  });
});

describe('access groups', () => {
  const memberRow = (email: string) => page.locator('table.members-table tbody tr', { hasText: email });

  it('lists groups with member counts and creates one; a name in use is refused at the field', async () => {
    await page.goto(`${base}/admin/access-groups`);
    await expect(
      tableRows().filter({ hasText: 'Customers' }).locator('td').first().innerText(),
    ).resolves.toBe('3');
    await page.getByLabel('Name').fill('Beta testers');
    expect((await submit('Create group')).status()).toBe(303);
    await page.waitForURL(/\/admin\/access-groups\/[0-9a-f-]{36}\?notice=created$/);
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Beta testers');

    await page.goto(`${base}/admin/access-groups`);
    await page.getByLabel('Name').fill('Customers');
    expect((await submit('Create group')).status()).toBe(409);
    await expect(page.locator('#group-name-error').innerText()).resolves.toBe('is already used');
    await expect(tableRows().count()).resolves.toBe(2);
    await checkPage('access-groups');
  });

  it('adds a member found by search, shows the invitation, resends it and removes the member', async () => {
    const groupId = await customersId();
    await page.goto(`${base}/admin/access-groups/${groupId}`);
    await expect(memberRow('alice@acme.test').locator('.badge').innerText()).resolves.toBe('Accepted');
    await expect(
      memberRow('alice@acme.test')
        .getByRole('button', { name: /Resend/ })
        .count(),
    ).resolves.toBe(0);

    await page.getByLabel('Find contacts to add').fill('dana');
    await page.getByRole('button', { name: 'Find contacts' }).click();
    await page.waitForURL(`${base}/admin/access-groups/${groupId}?q=dana`);
    // Adding with none chosen says so and adds nothing.
    expect((await submit('Add selected contacts')).status()).toBe(400);
    await expect(page.getByRole('alert').innerText()).resolves.toBe('Choose at least one contact to add.');
    expect(await members(groupId)).toHaveLength(3);

    await page.getByLabel(/dana@example\.test/).check();
    expect((await submit('Add selected contacts')).status()).toBe(303);
    await expect(page.getByRole('status').innerText()).resolves.toContain('Members added.');
    const added = (await members(groupId)).find((m) => m.contact.id === dana)!;
    // The portal admits this group and Dana has no password: invited.
    expect(added).toMatchObject({ invitationStatus: 'pending', invitedAt: expect.any(String) });
    await expect(memberRow('dana@example.test').locator('.badge').innerText()).resolves.toBe(
      'Invitation pending',
    );
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Customers');
    await expect(page.locator('.page-sub').innerText()).resolves.toContain('4 members');
    await checkPage('access-group-members');
    // Dana's own page lists the group, linked.
    await page.goto(`${base}/admin/contacts/${dana}`);
    const groups = page.getByRole('region', { name: 'Access groups' });
    await expect(groups.getByRole('link').allInnerTexts()).resolves.toEqual(['Customers']);
    await page.goto(`${base}/admin/access-groups/${groupId}`);

    await memberRow('dana@example.test')
      .getByRole('button', { name: 'Resend invitation to dana@example.test' })
      .click();
    await page.waitForURL(`${base}/admin/access-groups/${groupId}?notice=resent`);
    await expect(page.getByRole('status').innerText()).resolves.toBe('Invitation sent again.');
    const resent = (await members(groupId)).find((m) => m.contact.id === dana)!;
    expect(resent.invitationStatus).toBe('pending');
    expect(Date.parse(resent.invitedAt!)).toBeGreaterThan(Date.parse(added.invitedAt!));

    await memberRow('dana@example.test').getByRole('button', { name: 'Remove dana@example.test' }).click();
    await page.waitForURL(`${base}/admin/access-groups/${groupId}?notice=removed`);
    await expect(memberRow('dana@example.test').count()).resolves.toBe(0);
    await page.goto(`${base}/admin/contacts/${dana}`);
    await expect(page.getByRole('region', { name: 'Access groups' }).innerText()).resolves.toContain(
      'Not a member of any access group',
    );
    expect((await members(groupId)).map((m) => m.contact.email).sort()).toEqual([
      'alice@acme.test',
      'bob@acme.test',
      'carol@globex.test',
    ]);
  });
});

describe('without the contacts permission', () => {
  it('an agent gets 403 on every page and every post, and nothing changes', async () => {
    const agent = await newPage(browser);
    try {
      await logInAdmin(agent.page, base, 'agent@demo.test', '/admin/contacts');
      await agent.page.waitForURL(`${base}/admin/contacts`);
      const [alice] = (await demoContactIds(rpc, accountId, ['alice@acme.test'])).values();
      const groupId = await customersId();
      const acme = await companyNamed('Acme Oy');
      for (const path of [
        '/admin/contacts',
        '/admin/contacts/new',
        `/admin/contacts/${alice}`,
        '/admin/companies',
        '/admin/companies/new',
        `/admin/companies/${acme.id}`,
        '/admin/access-groups',
        `/admin/access-groups/${groupId}`,
      ]) {
        const response = await agent.page.goto(`${base}${path}`);
        expect([path, response?.status()]).toEqual([path, 403]);
      }
      await expect(agent.page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('No access');
      const before = await contact(alice);
      for (const [path, form] of [
        [`/admin/contacts/${alice}`, { email: 'x@example.test', firstName: 'X' }],
        [`/admin/access-groups/${groupId}/members/${alice}/remove`, {}],
      ] as const) {
        const response = await agent.context.request.post(`${base}${path}`, { form, maxRedirects: 0 });
        expect([path, response.status()]).toEqual([path, 403]);
      }
      expect(await contact(alice)).toEqual(before);
      expect((await members(groupId)).some((m) => m.contact.id === alice)).toBe(true);
    } finally {
      await agent.context.close();
    }
  });
});
