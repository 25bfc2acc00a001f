import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FormView } from '@helpdesk/contracts';
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
} from '../src/browser.js';
import { startSystem, type System } from '../src/system.js';

// The admin area's forms pages (issue 8, SPEC S5) in Chromium, against the whole system with the demo
// data: a form from the support template, its fields and ticket creation edited, refused edits, the
// embed code posted and its submission delivered as a ticket, deleting, and the `forms` permission.
// Screenshots go to SCREENSHOTS_DIR when set.

const screenshots = process.env.SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'admin-forms-shots-'));

let system: System;
let browser: Browser;
let rpc: RpcClient;
let base: string;
let accountId: string;
/** The admin's page, logged in once. */
let admin: BrowserPage;
/** The form made from the support template by the first test. */
let formId: string;

beforeAll(async () => {
  system = await startSystem({
    database: 'helpdesk_test_e2e_admin_forms',
  });
  base = browserUrl(system);
  rpc = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 10_000 });
  ({ accountId } = await rpc.send('identity.users.authenticate', {
    email: 'admin@demo.test',
    password: 'demo-password',
  }));
  browser = await launchChromium();
  admin = await newPage(browser);
  await logInAdmin(admin.page, base, 'admin@demo.test', '/admin/forms');
  await admin.page.waitForURL(`${base}/admin/forms`);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await rpc?.close();
  await system?.close();
});

const storedForm = (id = formId): Promise<FormView> => rpc.send('forms.get', { accountId, id });

const badRequestLogged = 'Failed to load resource: the server responded with a status of 400 (Bad Request)';

/** A page looked at: a screenshot, no serious accessibility problem, no script or CSP error. */
async function checkPage(name: string) {
  await admin.page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  expect(await accessibilityProblems(admin.page)).toEqual([]);
  expect(admin.errors).toEqual([]);
}

/** Clicks a button that posts and answers the status of the post itself (not of a redirect after it). */
async function post(page: Page, button: string): Promise<number> {
  const [response] = await Promise.all([
    page.waitForResponse((response) => response.request().method() === 'POST'),
    page.getByRole('button', { name: button, exact: true }).click(),
  ]);
  await page.waitForLoadState();
  return response.status();
}

const notice = () => admin.page.locator('.alert-success').innerText();
const field = (index: number) => admin.page.locator(`#field-${index}`);

describe('the forms list', () => {
  it('shows the demo support form with its ticket creation and that the portal can use it', async () => {
    await admin.page.goto(`${base}/admin/forms`);
    const row = admin.page.locator('table.forms-table tbody tr', { hasText: 'Support form' });
    const cells = (await row.locator('td').allInnerTexts()).map((text) => text.trim());
    expect(cells.slice(0, 3)).toEqual(['6', 'On: Support inbox (inbox)', 'Usable']);
    await checkPage('admin-forms-list');
  });

  it('creates a form from the support template and opens its editor', async () => {
    await admin.page.goto(`${base}/admin/forms`);
    await admin.page.getByLabel('The support form template').check();
    await admin.page.getByLabel('Form name').fill('Website support');
    expect(await post(admin.page, 'Create form')).toBe(303);
    await admin.page.waitForURL(/\/admin\/forms\/[0-9a-f-]{36}\?created=1$/);
    formId = /forms\/([0-9a-f-]{36})/.exec(admin.page.url())![1];
    await expect(notice()).resolves.toBe('Form created.');
    const form = await storedForm();
    expect(form.name).toBe('Website support');
    expect(form.fields.map((field) => field.name)).toEqual([
      'email',
      'firstname',
      'lastname',
      'subject',
      'content',
      'hs_ticket_priority',
    ]);
    expect(form.ticketCreation.enabled).toBe(false);
    await expect(field(3).getByLabel('Label').inputValue()).resolves.toBe('Subject');
    await expect(field(5).getByLabel('Options (dropdowns only)').inputValue()).resolves.toBe(
      'low | Low\nmedium | Medium\nhigh | High\nurgent | Urgent',
    );
    // Only a dropdown's options box shows (with script).
    await expect(field(0).getByLabel('Options (dropdowns only)').isVisible()).resolves.toBe(false);
    await field(0).getByLabel('Type').selectOption('select');
    await expect(field(0).getByLabel('Options (dropdowns only)').isVisible()).resolves.toBe(true);
    await admin.page.reload();
    await field(5).screenshot({ path: join(screenshots, 'admin-form-editor-field.png') });
    await checkPage('admin-form-editor');
  });
});

describe('the form editor', () => {
  it('saves a changed field, a moved and a removed one, and ticket creation into an inbox', async () => {
    const [support] = (await rpc.send('inbox.inboxes.list', { accountId })).filter(
      (inbox) => inbox.name === 'Support inbox',
    );
    await admin.page.goto(`${base}/admin/forms/${formId}`);
    await field(3).getByLabel('Label').fill('Topic');
    await field(3).getByLabel('Help text').fill('A few words');
    await admin.page.getByLabel('Create a ticket from every submission').check();
    await admin.page.getByLabel('Destination').selectOption({ label: 'Support inbox (inbox)' });
    expect(await post(admin.page, 'Save form')).toBe(303);
    await admin.page.waitForURL(`${base}/admin/forms/${formId}?saved=1`);
    await expect(notice()).resolves.toBe('Form saved.');
    let form = await storedForm();
    expect(form.fields[3]).toMatchObject({ name: 'subject', label: 'Topic', helpText: 'A few words' });
    expect(form.ticketCreation).toEqual({
      enabled: true,
      destination: { kind: 'inbox', id: support.id },
      pipelineId: null,
      stageId: null,
    });
    expect(form.usableAsSupportForm).toBe(true);

    // The row buttons save the form with the move or removal made.
    expect(await post(admin.page, 'Move up Topic')).toBe(303);
    await admin.page.waitForURL(`${base}/admin/forms/${formId}?saved=1#fields`);
    expect(await post(admin.page, 'Remove Last name')).toBe(303);
    form = await storedForm();
    expect(form.fields.map((field) => field.name)).toEqual([
      'email',
      'firstname',
      'subject',
      'content',
      'hs_ticket_priority',
    ]);
    await expect(field(2).getByLabel('Label').inputValue()).resolves.toBe('Topic');
  });

  it('adds a field from the new field’s inputs', async () => {
    await admin.page.goto(`${base}/admin/forms/${formId}`);
    const added = admin.page.locator('#new-field');
    await added.getByLabel('Label').fill('Your last name');
    await added.getByLabel('Name (as posted)').fill('lastname');
    await added.getByLabel('Fills the property').selectOption('contact:last_name');
    expect(await post(admin.page, 'Add the field')).toBe(303);
    const form = await storedForm();
    expect(form.fields.at(-1)).toMatchObject({
      name: 'lastname',
      label: 'Your last name',
      type: 'text',
      required: false,
      property: { object: 'contact', name: 'last_name' },
    });
  });

  it('refuses a duplicate field name and ticket creation without a destination, keeping what was typed', async () => {
    const before = await storedForm();
    await admin.page.goto(`${base}/admin/forms/${formId}`);
    await field(1).getByLabel('Name (as posted)').fill('email');
    await admin.page.getByLabel('Destination').selectOption('');
    expect(await post(admin.page, 'Save form')).toBe(400);
    await expect(admin.page.getByRole('alert').first().innerText()).resolves.toBe(
      'Not saved: fix the marked fields below.',
    );
    await expect(field(1).locator('.field-error').innerText()).resolves.toBe(
      'is already used by another field',
    );
    await expect(admin.page.locator('#tc-destination-error').innerText()).resolves.toBe(
      'is required: pick an inbox or help desk',
    );
    await expect(field(1).getByLabel('Name (as posted)').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(field(1).getByLabel('Name (as posted)').inputValue()).resolves.toBe('email');
    await expect(admin.page.getByLabel('Create a ticket from every submission').isChecked()).resolves.toBe(
      true,
    );
    expect(await storedForm()).toEqual(before);
    await admin.page.screenshot({ path: join(screenshots, 'admin-form-refused.png'), fullPage: true });
    expect(await accessibilityProblems(admin.page)).toEqual([]);
    expect(admin.errors).toEqual([badRequestLogged]);
    admin.errors.length = 0;
  });
});

describe('the embed code and submissions', () => {
  it('posts a submission that is listed as delivered with the ticket it created', async () => {
    await admin.page.goto(`${base}/admin/forms/${formId}`);
    const embed = await admin.page.getByLabel('HTML').inputValue();
    expect(embed).toContain(`action="${system.url}/forms/v1/submit/${formId}"`);

    // A web site with the pasted code (its own context: no admin cookie goes along).
    const site = await newPage(browser);
    await site.page.setContent(`<!doctype html><html lang="en"><body>${embed}</body></html>`);
    await site.page.getByLabel('Email').fill('visitor@example.test');
    await site.page.getByLabel('First name').fill('Vera');
    await site.page.getByLabel('Topic').fill('Printer on fire');
    await site.page.getByLabel('Description').fill('Smoke everywhere.');
    await site.page.getByLabel('Priority').selectOption('high');
    await site.page.getByLabel('Your last name').fill('Visitor');
    await Promise.all([
      site.page.waitForURL(/\/forms\/v1\/submit\//),
      site.page.getByRole('button', { name: 'Send' }).click(),
    ]);
    await expect(site.page.locator('h1').innerText()).resolves.toBe('Thank you');
    // (site.errors may hold the thank-you page's favicon 404: that page is the endpoint's, not ours.)
    await site.context.close();

    // Delivery runs after the answer: wait for the ticket.
    const deadline = Date.now() + 60_000;
    let submission = (await rpc.send('forms.submissions.list', { accountId, formId })).items[0];
    while (submission?.status !== 'delivered' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      submission = (await rpc.send('forms.submissions.list', { accountId, formId })).items[0];
    }
    expect(submission).toMatchObject({ status: 'delivered', channel: 'html' });
    const ticket = await rpc.send('tickets.get', { accountId, id: submission.ticketId! });
    expect(ticket.subject).toBe('Printer on fire');

    await admin.page.goto(`${base}/admin/forms/${formId}/submissions`);
    const cells = (
      await admin.page.locator('table.submissions-table tbody tr').first().locator('td').allInnerTexts()
    ).map((text) => text.trim());
    expect(cells[0]).toMatch(/^\d{1,2} \w{3} \d{4}, \d{2}:\d{2}:\d{2} UTC$/);
    expect(cells.slice(1)).toEqual(['visitor@example.test', 'html', 'Delivered', submission.ticketId]);
    await checkPage('admin-form-submissions');
  });
  it('pages through older submissions, newest first', async () => {
    // 26 more through the service itself (the public endpoint's rate limit is not under test here).
    for (let index = 1; index <= 26; index++)
      await rpc.send('forms.submit', {
        formId,
        values: {
          email: `visitor${index}@example.test`,
          subject: `Question ${index}`,
          content: 'A question.',
        },
      });
    await admin.page.goto(`${base}/admin/forms/${formId}/submissions`);
    const rows = admin.page.locator('table.submissions-table tbody tr');
    expect(await rows.count()).toBe(25);
    await expect(rows.first().locator('td').nth(1).innerText()).resolves.toBe('visitor26@example.test');
    expect(await admin.page.getByRole('link', { name: 'Newest' }).count()).toBe(0);
    await admin.page.getByRole('link', { name: 'Older' }).click();
    await admin.page.waitForURL(/\/submissions\?after=/);
    expect((await rows.locator('td:nth-child(2)').allInnerTexts()).map((text) => text.trim())).toEqual([
      'visitor1@example.test',
      'visitor@example.test',
    ]);
    expect(await admin.page.getByRole('link', { name: 'Older' }).count()).toBe(0);
    await admin.page.getByRole('link', { name: 'Newest' }).click();
    await admin.page.waitForURL(`${base}/admin/forms/${formId}/submissions`);
  });
});

describe('deleting', () => {
  it('deletes a blank form after the confirmation', async () => {
    await admin.page.goto(`${base}/admin/forms`);
    await admin.page.getByLabel('A blank form').check();
    // A blank form has no name to fall back on.
    expect(await post(admin.page, 'Create form')).toBe(400);
    await expect(admin.page.locator('#new-form-name-error').innerText()).resolves.toBe('is required');
    await expect(admin.page.getByLabel('A blank form').isChecked()).resolves.toBe(true);
    expect(admin.errors).toEqual([badRequestLogged]);
    admin.errors.length = 0;
    await admin.page.getByLabel('Form name').fill('Throwaway');
    expect(await post(admin.page, 'Create form')).toBe(303);
    await admin.page.waitForURL(/\?created=1$/);
    const id = /forms\/([0-9a-f-]{36})/.exec(admin.page.url())![1];
    expect((await storedForm(id)).fields.map((field) => field.name)).toEqual(['email']);
    await admin.page.getByRole('link', { name: 'Delete…' }).click();
    await admin.page.waitForURL(`${base}/admin/forms/${id}/delete`);
    await expect(admin.page.locator('h1').innerText()).resolves.toBe('Delete Throwaway?');
    expect(await post(admin.page, 'Delete the form')).toBe(303);
    await admin.page.waitForURL(/\/admin\/forms\?deleted=Throwaway$/);
    await expect(notice()).resolves.toBe('Throwaway was deleted.');
    await expect(storedForm(id)).rejects.toMatchObject({ code: 'FORM_NOT_FOUND' });
    expect(await admin.page.locator('table.forms-table', { hasText: 'Throwaway' }).count()).toBe(0);
  });

  it('refuses to delete the form the portal’s support form is connected to', async () => {
    const { supportForm } = await rpc.send('identity.portal.get', { accountId });
    await admin.page.goto(`${base}/admin/forms/${supportForm.formId}/delete`);
    expect(await post(admin.page, 'Delete the form')).toBe(409);
    await expect(admin.page.getByRole('alert').innerText()).resolves.toContain('Support form');
    await expect(storedForm(supportForm.formId!)).resolves.toMatchObject({ name: 'Support form' });
    expect(admin.errors).toEqual([
      'Failed to load resource: the server responded with a status of 409 (Conflict)',
    ]);
    admin.errors.length = 0;
  });
});

describe('the forms permission', () => {
  it('answers 403 on every forms page to an agent without it', async () => {
    const agent = await newPage(browser);
    await logInAdmin(agent.page, base, 'agent@demo.test', '/admin/forms');
    await agent.page.waitForURL(`${base}/admin/forms`);
    await expect(agent.page.locator('h1').innerText()).resolves.toBe('No access');
    for (const path of ['', `/${formId}`, `/${formId}/submissions`, `/${formId}/delete`]) {
      const response = await agent.page.goto(`${base}/admin/forms${path}`);
      expect([path, response?.status()]).toEqual([path, 403]);
    }
    for (const path of ['', `/${formId}`, `/${formId}/delete`]) {
      const response = await agent.page.request.post(`${base}/admin/forms${path}`, {
        form: { name: 'Taken over' },
        maxRedirects: 0,
      });
      expect([path, response.status()]).toEqual([path, 403]);
    }
    expect((await storedForm()).name).toBe('Website support');
    await agent.context.close();
  });
});
