import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FormField } from '@helpdesk/contracts';
import { RpcClient } from '@helpdesk/kit';
import { eventually, parseCsv } from '@helpdesk/testing';
import { FORMULA_CORPUS, FORMULA_TRIGGER } from '../src/attack-corpus.js';
import { ApiSession, demoAdmin, startSystem, type System } from '../src/system.js';
import { PortalClient } from './portal-client.js';

// CSV injection (issue 9): every formula of the corpus, put where customers, anonymous visitors and
// admins can put text that ends up in the portal's CSV export (SPEC P4), must reach the file as text
// a spreadsheet shows instead of evaluating. The policy (tickets' export-format.ts, csv-stringify's
// `escape_formulas`, OWASP): a cell starting with = + - @, a tab or a CR (or a full-width form of
// them) gets a leading `'`; text that only starts with a space or a quote stays as it is.

let system: System;
let rpc: RpcClient;
let admin: ApiSession;
let accountId: string;
let acmeId: string;
let formId: string;
/** The export's records, header first. */
let records: string[][];

/** What the export must write for a stored value. */
const neutralised = (value: string) => (FORMULA_TRIGGER.test(value) ? `'${value}` : value);

/** The column labels: the admin's words head the file, so they are formulas too. */
const LABELS = ['=1+1', '@SUM(1)', "+cmd|' /C calc'!A0", '-2+3', 'Status'];

beforeAll(async () => {
  system = await startSystem({
    database: 'security_csv_test',
    // This file posts to the public form endpoint in bulk, all from 127.0.0.1.
    env: { FORMS_SUBMIT_LIMIT_PER_IP: '1000000' },
  });
  rpc = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 10_000 });
  ({ accountId } = await demoAdmin(rpc));
  admin = await ApiSession.login(system.url, 'admin@demo.test', 'demo-password');
  const [alice] = (await rpc.send('identity.contacts.list', { accountId, search: 'alice@acme.test' })).items;
  acmeId = alice.primaryCompanyId!;

  // A custom ticket property the support form fills, shown as a column of the portal.
  await rpc.send('tickets.properties.create', {
    accountId,
    name: 'reference',
    label: 'Reference',
    type: 'string',
  });
  const portal = await rpc.send('identity.portal.get', { accountId });
  formId = portal.supportForm.formId!;
  const form = await rpc.send('forms.get', { accountId, id: formId });
  const reference: FormField = {
    name: 'reference',
    label: 'Reference',
    type: 'text',
    required: false,
    options: null,
    helpText: '',
    property: { object: 'ticket', name: 'reference' },
  };
  await rpc.send('forms.update', { accountId, id: formId, fields: [...form.fields, reference] });
  const columns = ['subject', 'requester', 'content', 'reference', 'status'].map((property, index) => ({
    property,
    label: LABELS[index],
  }));
  const saved = await admin.request('PUT', '/api/v1/portal/sections/ticketDisplay', {
    ...portal.ticketDisplay,
    columns,
  });
  expect(saved.status).toBe(200);

  for (const [index, { text }] of FORMULA_CORPUS.entries()) {
    // An anonymous visitor posts the public form as a contact of Acme (whom an admin entered with
    // the formula as a name): subject, description and the reference field carry the formula.
    const email = `formula-${index}@acme.test`;
    const contact = await admin.request('POST', '/api/v1/contacts', {
      email,
      firstName: text,
      primaryCompanyId: acmeId,
    });
    expect([index, contact.status]).toEqual([index, 201]);
    const posted = await fetch(`${system.url}/forms/v1/submit/${formId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, subject: text, content: text, reference: text }),
    });
    expect([index, posted.status]).toEqual([index, 200]);
    // A script with the API makes one for Acme too, its description as sent (untrimmed).
    const made = await admin.request('POST', '/api/v1/tickets', {
      subject: text,
      content: text,
      requesterName: text,
      companyId: acmeId,
    });
    expect([index, made.status]).toEqual([index, 201]);
  }
  // Forms delivers submissions a moment later.
  await eventually(
    async () =>
      (await rpc.send('tickets.list', { accountId, limit: 100 })).items.filter((t) => t.source === 'form')
        .length === FORMULA_CORPUS.length,
    30_000,
  );

  records = await exportAsAlice();
}, 300_000);

afterAll(async () => {
  await rpc?.close();
  await system?.close();
});

/** Alice exports her organisation's tickets from the portal and downloads the file. */
async function exportAsAlice(): Promise<string[][]> {
  const alice = new PortalClient(system.url);
  expect((await alice.login('support', 'alice@acme.test', 'demo-password')).status).toBe(303);
  const list = await alice.get('/support/tickets');
  const started = await alice.post('/support/exports', { _csrf: PortalClient.csrfOf(list.body) });
  expect(started.location).toMatch(/^\/support\/exports\/[0-9a-f-]{36}$/);
  const state = await eventually(async () => {
    const answer = JSON.parse((await alice.get(`${started.location!}/status`)).body) as {
      status: string;
      downloadUrl: string | null;
    };
    return answer.status === 'done' || answer.status === 'failed' ? answer : undefined;
  }, 30_000);
  expect(state.status).toBe('done');
  const file = await alice.get(state.downloadUrl!);
  expect(file.status).toBe(200);
  expect(file.headers['content-type']).toBe('text/csv; charset=utf-8');
  expect(String(file.headers['content-disposition'])).toMatch(/^attachment; /);
  expect(file.body.startsWith('\uFEFF')).toBe(true);
  return parseCsv(file.body.slice(1));
}

describe('formulas in the portal’s CSV export', () => {
  it('writes the admin’s formula-like column labels as text', () => {
    expect(records[0]).toEqual(LABELS.map(neutralised));
  });

  it('has no cell anywhere in the file that a spreadsheet would evaluate', () => {
    const live = records.flatMap((record, row) =>
      record.filter((cell) => FORMULA_TRIGGER.test(cell)).map((cell) => ({ row, cell })),
    );
    expect(live).toEqual([]);
    // Every record has the five columns: no value split a record or smuggled in one of its own.
    expect(records.filter((record) => record.length !== LABELS.length)).toEqual([]);
  });

  it.each([...FORMULA_CORPUS])(
    'writes $name as inert text in the subject, requester, description and a form field',
    ({ text }) => {
      // Subjects, names and form values are stored trimmed; the API's description as sent.
      const trimmed = neutralised(text.trim());
      // From the public form: the contact's name as requester, the form's fields.
      expect(records).toContainEqual([trimmed, trimmed, trimmed, trimmed, 'Open']);
      // From the API: the description untrimmed, no reference.
      expect(records).toContainEqual([trimmed, trimmed, neutralised(text), '', 'Open']);
    },
  );
});
